/**
 * The CLI's progress bars, all on cli-progress: on a terminal a bar on stderr, nothing otherwise
 * (use --json for machine output). One for a training run, one line per run for an experiment
 * or sweep, and one for an analysis that reports a fraction done.
 */
import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { TrainProgress } from '../engine/train/trainer.js';
import type { JobProgress } from '../engine/experiment/experiment.js';

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

/** What every bar shares: it draws on stderr with the cursor hidden. */
const barOptions = (format: string): cliProgress.Options => ({ format, hideCursor: true, stream: process.stderr });

/** A single bar on a terminal, null elsewhere. */
function terminalBar(format: string): cliProgress.SingleBar | null {
  return process.stderr.isTTY ? new cliProgress.SingleBar(barOptions(format), cliProgress.Presets.shades_classic) : null;
}

export function makeProgressBar(total: number): { update(p: TrainProgress): void; stop(): void } | null {
  const bar = terminalBar('{bar} {percentage}% | step {value}/{total} | {phase} | train acc {trainAcc} | test acc {testAcc} | {sps} steps/s | ETA {eta_formatted}');
  if (!bar) return null;
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

/** An analysis's progress (a fraction 0..1 and the stage it is in); does nothing off a terminal. */
export function makeFractionBar(label: string): { update(fraction: number, stage?: string): void; stop(): void } {
  const bar = terminalBar(`${label} {bar} {percentage}% | {stage}`);
  if (!bar) return { update() {}, stop() {} };
  bar.start(1000, 0, { stage: '' });
  return { update: (f, stage = '') => bar.update(Math.round(f * 1000), { stage }), stop: () => bar.stop() };
}

export function makeMultiBar(): { update(p: JobProgress): void; stop(): void } | null {
  if (!process.stderr.isTTY) return null;
  const multi = new cliProgress.MultiBar({ ...barOptions('{run} {bar} {percentage}% | step {value}/{total} | test acc {testAcc}'), clearOnComplete: false }, cliProgress.Presets.shades_classic);
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
