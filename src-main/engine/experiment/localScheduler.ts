/**
 * The local scheduler: runs a sweep's unfinished runs on this machine, `jobs` at a time, each
 * through the injected run launcher (a worker process per run), resuming interrupted runs.
 */
import { makeDirectory } from '../io/directories.js';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../runs/runFolder.js';
import type { RunLauncher, TrainRunSpec } from './launcher.js';
import type { SweepFile, SweepRun } from './sweepSpec.js';
import { isFinished, localErrorPath } from './sweepState.js';

export interface SweepProgress {
  run: SweepRun;
  step: number;
  totalSteps: number;
  testAcc: number;
  done: boolean;
}


/** What to do with a run: nothing (null), resume it, or start it with its preset, seed and overrides. */
export function runSpecFor(sweepDir: string, sweep: SweepFile, run: SweepRun): TrainRunSpec | null {
  const runDir = join(sweepDir, run.dir);
  const maxSteps = sweep.spec.maxSteps;
  if (existsSync(join(runDir, 'run.json'))) {
    const m = readManifest(runDir);
    if (isFinished(m, maxSteps)) return null;
    if (m.status === 'failed') throw new Error(m.message ?? `${runDir} failed`);
    // A run stopped at a --max-steps this call does not ask for goes on from where it stopped.
    if (m.resume && (maxSteps === null || m.stepsDone < maxSteps)) return { kind: 'resume', runDir, maxSteps };
    throw new Error(`${runDir} cannot be resumed (it has no resume state, or has gone past --max-steps ${maxSteps}); move it away and run the sweep again`);
  }
  return { kind: 'new', preset: run.preset, seed: run.seed, overrides: run.overrides, runDir, maxSteps };
}

export async function runSweepLocally(opts: {
  sweepDir: string;
  sweep: SweepFile;
  launch: RunLauncher;
  jobs?: number;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
}): Promise<{ failures: { run: SweepRun; message: string }[] }> {
  const { sweepDir, sweep } = opts;
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), availableParallelism() * 2));
  const signal = opts.signal ?? new AbortController().signal;
  const failures: { run: SweepRun; message: string }[] = [];
  const queue = [...sweep.runs];
  const fail = (run: SweepRun, message: string) => {
    failures.push({ run, message });
    makeDirectory(join(sweepDir, 'local'));
    writeFileSync(localErrorPath(sweepDir, run.index), message + '\n');
  };
  const worker = async (): Promise<void> => {
    for (let run = queue.shift(); run && !signal.aborted; run = queue.shift()) {
      const r = run;
      let job: TrainRunSpec | null;
      try {
        job = runSpecFor(sweepDir, sweep, r);
      } catch (err) {
        fail(r, (err as Error).message);
        continue;
      }
      if (job) {
        rmSync(localErrorPath(sweepDir, r.index), { force: true });
        try {
          await opts.launch(job, signal, (p) => opts.onProgress?.({ run: r, step: p.step, totalSteps: p.totalSteps, testAcc: p.testAcc, done: false }));
        } catch (err) {
          // a run stopped by cancelling the sweep is resumable, not failed
          if (!signal.aborted) fail(r, (err as Error).message);
        }
      }
      opts.onProgress?.({ run: r, step: 1, totalSteps: 1, testAcc: NaN, done: true });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, sweep.runs.length) }, worker));
  return { failures };
}
