/**
 * What a job worker does with a spec: calls the engine and reports. Transport-free, so the
 * Node child-process worker, the Electron utility-process worker and the in-process launcher
 * share it. A sweep trains its runs through `launchRun`.
 */
import { train } from '../engine/train/trainer.js';
import { runSweepJob } from './sweep-job.js';
import type { RunLauncher } from '../engine/experiment/launcher.js';
import { CancelledError } from '../engine/analysis/cancel.js';
import type { FromWorker, JobSpec } from './protocol.js';

export async function runJob(spec: JobSpec, signal: AbortSignal, post: (m: FromWorker) => void, launchRun?: RunLauncher): Promise<void> {
  try {
    if (spec.kind === 'train') {
      const result = await train({
        runDir: spec.runDir,
        config: spec.config ?? undefined,
        resume: spec.resume === true,
        maxSteps: spec.maxSteps,
        backend: spec.backend,
        signal,
        onProgress: (p) =>
          post({
            type: 'progress',
            fraction: p.step / p.totalSteps,
            stage: `step ${p.step} of ${p.totalSteps} (${p.phase})`,
            point: { step: p.step, trainLoss: p.trainLoss, trainAcc: p.trainAcc, testLoss: p.testLoss, testAcc: p.testAcc },
            train: p,
          }),
      });
      post(result.status === 'cancelled' ? { type: 'cancelled' } : result.status === 'complete' || result.status === 'stopped' ? { type: 'done', result } : { type: 'failed', message: result.message ?? `training ${result.status}` });
    } else if (spec.kind === 'sweep') {
      if (!launchRun) throw new Error('this worker cannot start training runs; sweeps run where a run launcher is given');
      post(await runSweepJob(spec, signal, post, launchRun));
    } else {
      // loaded only here: a training worker (one per sweep run) starts without the analyses
      const [{ openSource }, { projectTrajectories }] = await Promise.all([import('../engine/analysis/source.js'), import('../engine/analysis/analyses.js')]);
      const sources = [];
      for (const p of spec.paths) sources.push(await openSource(p));
      const r = await projectTrajectories(sources, { method: spec.method, every: spec.every, seed: spec.seed, signal, onProgress: (stage, fraction) => post({ type: 'progress', fraction, stage }) });
      post({ type: 'done', result: { ...r, runs: r.runs.map((run, i) => ({ id: spec.ids[i], label: run.label, steps: run.steps, markers: run.markers })) } });
    }
  } catch (err) {
    if (err instanceof CancelledError || signal.aborted) post({ type: 'cancelled' });
    else post({ type: 'failed', message: (err as Error).message });
  }
}
