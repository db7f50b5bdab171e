/**
 * A local sweep as a job: creates or reopens the sweep folder, trains its unfinished runs through
 * the run launcher it is given (finished runs are reused, interrupted ones resumed), reports the
 * progress of every run, and writes summary.csv/json at the end, also when cancelled.
 */
import type { RunLauncher } from '../engine/experiment/launcher.js';
import { runSweepOnThisMachine } from '../engine/experiment/sweep.js';
import { planSweep } from '../engine/experiment/sweepSpec.js';
import type { RunState } from '../engine/experiment/sweepState.js';
import type { FromWorker, JobSpec } from './protocol.js';

/** Progress reports at most this often (every run reports every logged step). */
const PROGRESS_MS = 250;

export interface SweepJobResult {
  sweepDir: string;
  states: Record<RunState, number>;
  failures: { run: string; message: string }[];
}

export async function runSweepJob(spec: Extract<JobSpec, { kind: 'sweep' }>, signal: AbortSignal, post: (m: FromWorker) => void, launchRun: RunLauncher): Promise<FromWorker> {
  const total = planSweep(spec.spec).runs.length;
  /** run index → its share done (1 when finished or reused) */
  const share = new Map<number, number>();
  const steps = new Map<number, string>();
  let last = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - last < PROGRESS_MS) return;
    last = now;
    const finished = [...share.values()].filter((x) => x === 1).length;
    const running = [...steps.values()];
    const shown = running.slice(0, 3).join(' · ') + (running.length > 3 ? ` · ${running.length - 3} more` : '');
    const stage = `${finished} of ${total} runs finished${running.length ? ` · ${shown}` : ''}`;
    post({ type: 'progress', fraction: [...share.values()].reduce((a, b) => a + b, 0) / total, stage });
  };
  const { summary, failures } = await runSweepOnThisMachine(spec.sweepDir, spec.spec, {
    launch: launchRun,
    jobs: spec.jobs,
    signal,
    onProgress: (p) => {
      if (p.done) {
        steps.delete(p.run.index);
        if (!signal.aborted) share.set(p.run.index, 1);
      } else {
        share.set(p.run.index, p.step / p.totalSteps);
        steps.set(p.run.index, `${p.run.dir} step ${p.step} of ${p.totalSteps}`);
      }
      report(p.done);
    },
  });
  if (signal.aborted) return { type: 'cancelled' };
  const result: SweepJobResult = { sweepDir: spec.sweepDir, states: summary.states, failures: failures.map((f) => ({ run: f.run.dir, message: f.message })) };
  return { type: 'done', result };
}
