/**
 * Starting, resuming, inspecting and cancelling sweeps: what every door (CLI, app, server) calls.
 * Calling a sweep again on its folder resumes it: finished runs are reused, interrupted ones
 * resumed, failed ones (that never wrote a run) tried again.
 */
import { makeDirectory } from '../io/directories.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { train, type TrainProgress } from '../train/trainer.js';
import { planSweep, readSweep, sameSweep, SweepError, SWEEP_FILE, SWEEP_FORMAT, SWEEP_FORMAT_VERSION, writeSweep, type SlurmOptions, type SweepFile, type SweepSpec } from './sweepSpec.js';
import { runStatus, summarizeSweep, summaryCsv, type SweepSummary } from './sweepState.js';
import { cancelArrays, readQueue, submitArray } from './slurmScheduler.js';
import { runSpecFor, runSweepLocally } from './localScheduler.js';
import { newRunConfig } from './launcher.js';
import { refuseWriteIntoRun } from '../runs/runFolder.js';

export type SchedulerKind = 'local' | 'slurm';

/** Creates the sweep folder, or reopens it when it holds the same sweep. */
export function openSweep(sweepDir: string, spec: SweepSpec, kind: SchedulerKind, slurm?: SlurmOptions): SweepFile {
  const { cells, runs } = planSweep(spec);
  if (existsSync(join(sweepDir, SWEEP_FILE))) {
    const old = readSweep(sweepDir);
    if (!sameSweep(old.spec, spec)) throw new SweepError(`${sweepDir} holds a different sweep (other presets, seeds, grid or settings); choose a new --out folder, or repeat that sweep's options to resume it`);
    if (old.spec.maxSteps !== spec.maxSteps && old.scheduler.kind === 'slurm') {
      const queue = readQueue(old);
      if (queue === null || queue.size > 0) throw new SweepError(`${sweepDir} still has SLURM tasks queued or running with --max-steps ${old.spec.maxSteps ?? '(none)'}; wait for them or 'circuit-workbench sweep cancel ${sweepDir}' first`);
    }
    old.spec.maxSteps = spec.maxSteps;
    old.scheduler.kind = kind;
    if (slurm) old.scheduler.slurm = slurm;
    return old;
  }
  refuseWriteIntoRun(join(sweepDir, SWEEP_FILE)); // nothing of a sweep goes into a run's folder
  makeDirectory(sweepDir);
  return { format: SWEEP_FORMAT, version: SWEEP_FORMAT_VERSION, createdAt: new Date().toISOString(), spec, cells, runs, scheduler: { kind, slurm, submissions: [] } };
}

/**
 * Runs (or resumes) a sweep on this machine, for the CLI and the app alike: opens its folder,
 * trains the unfinished runs through `opts.launch`, and writes summary.csv/json, also when cancelled.
 */
export async function runSweepOnThisMachine(
  sweepDir: string,
  spec: SweepSpec,
  opts: Omit<Parameters<typeof runSweepLocally>[0], 'sweepDir' | 'sweep'>,
): Promise<{ summary: SweepSummary } & Awaited<ReturnType<typeof runSweepLocally>>> {
  const sweep = openSweep(sweepDir, spec, 'local');
  writeSweep(sweepDir, sweep);
  const { failures } = await runSweepLocally({ ...opts, sweepDir, sweep });
  const summary = summarizeSweep(sweepDir, sweep, null);
  writeSummaries(sweepDir, summary);
  return { summary, failures };
}

/** Submits every run that is not finished and not already in the queue; null when there is none. */
export function submitSweep(sweepDir: string, sweep: SweepFile, slurm: SlurmOptions): { jobId: string; runs: number } | null {
  const queue = readQueue(sweep);
  if (queue === null) throw new SweepError('squeue could not be asked which tasks are queued; check that SLURM answers (sinfo) and try again');
  const todo = sweep.runs.filter((r) => !['done', 'queued', 'running'].includes(runStatus(sweepDir, sweep, r, queue).state)).map((r) => r.index);
  writeSweep(sweepDir, sweep);
  if (todo.length === 0) return null;
  const submission = submitArray(sweepDir, sweep, todo, slurm);
  sweep.scheduler.submissions.push(submission);
  writeSweep(sweepDir, sweep);
  return { jobId: submission.jobId, runs: todo.length };
}

/** The sweep's state from its run folders and the SLURM queue; also refreshes summary.json/.csv. */
export function sweepSummary(sweepDir: string, { write = true } = {}): SweepSummary {
  const sweep = readSweep(sweepDir);
  const queue = sweep.scheduler.kind === 'slurm' ? readQueueQuietly(sweep) : null;
  const summary = summarizeSweep(sweepDir, sweep, queue, sweep.scheduler.kind !== 'slurm' || queue !== null);
  if (write) writeSummaries(sweepDir, summary);
  return summary;
}

function readQueueQuietly(sweep: SweepFile) {
  try {
    return readQueue(sweep);
  } catch {
    return null;
  }
}

export function writeSummaries(sweepDir: string, summary: SweepSummary): void {
  try {
    writeFileAtomic(join(sweepDir, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
    writeFileAtomic(join(sweepDir, 'summary.csv'), summaryCsv(summary));
  } catch {
    // a read-only sweep folder (someone else's) can still be looked at
  }
}

export function cancelSweep(sweepDir: string): string[] {
  const sweep = readSweep(sweepDir);
  if (sweep.scheduler.kind !== 'slurm' || sweep.scheduler.submissions.length === 0) throw new SweepError(`${sweepDir} has no SLURM jobs to cancel (a local sweep stops with Ctrl-C)`);
  return cancelArrays(sweep);
}

/** One SLURM array task: trains (or resumes) run `index` of the sweep in this process. */
export async function runSweepTask(sweepDir: string, index: number, signal: AbortSignal, onProgress?: (p: TrainProgress) => void): Promise<string> {
  const sweep = readSweep(sweepDir);
  const run = sweep.runs[index];
  if (!Number.isInteger(index) || !run) throw new SweepError(`${sweepDir} has no run ${index}; its runs are 0-${sweep.runs.length - 1}`);
  const job = runSpecFor(sweepDir, sweep, run);
  if (!job) return 'done';
  const config = job.kind === 'new' ? newRunConfig(job) : undefined;
  const result = await train({ runDir: job.runDir, config, resume: job.kind === 'resume', maxSteps: job.maxSteps, signal, onProgress });
  return result.status;
}
