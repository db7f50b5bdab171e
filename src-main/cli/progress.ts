/** Terminal progress: a bar on a terminal, nothing otherwise (use --json for machine output). */
import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { TrainProgress } from '../engine/train/trainer.js';
import type { JobProgress } from '../engine/experiment/experiment.js';

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

export function makeProgressBar(total: number): { update(p: TrainProgress): void; stop(): void } | null {
  if (!process.stderr.isTTY) return null;
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | step {value}/{total} | {phase} | train acc {trainAcc} | test acc {testAcc} | {sps} steps/s | ETA {eta_formatted}', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { phase: p.phase, trainAcc: fmt(p.trainAcc), testAcc: fmt(p.testAcc), sps: p.stepsPerSecond.toFixed(1) };
      if (!started) {
        bar.start(p.totalSteps || total, p.step, payload);
        started = true;
      }
      bar.setTotal(p.totalSteps);
      bar.update(p.step, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function makeMultiBar(): { update(p: JobProgress): void; stop(): void } | null {
  if (!process.stderr.isTTY) return null;
  const multi = new cliProgress.MultiBar(
    { format: '{run} {bar} {percentage}% | step {value}/{total} | test acc {testAcc}', hideCursor: true, stream: process.stderr, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    update(p) {
      let bar = bars.get(p.run);
      if (!bar) {
        bar = multi.create(p.totalSteps, 0, { run: basename(p.run).padEnd(16), testAcc: '—' });
        bars.set(p.run, bar);
      }
      if (p.done) bar.update(bar.getTotal());
      else {
        bar.setTotal(p.totalSteps);
        bar.update(p.step, { testAcc: fmt(p.testAcc) });
      }
    },
    stop() {
      multi.stop();
    },
  };
}
