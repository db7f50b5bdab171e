/**
 * The SLURM scheduler: one batch script per sweep, submitted as a job array whose task ids are
 * run indices in sweep.json; each task trains its run with this project's own CLI. The queue is
 * read with squeue (there may be no accounting database, so never sacct) and cancelled with scancel.
 */
import { makeDirectory } from '../io/directories.js';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { packageRoot } from '../io/packageRoot.js';
import { arrayRanges, SweepError, type SlurmOptions, type Submission, type SweepFile } from './sweepSpec.js';
import type { QueueView } from './sweepState.js';

/** The CLI each array task runs (looked up when a script is written, not when this module loads). */
const cliPath = (): string => join(packageRoot(import.meta.url), 'bin', 'circuit-workbench.js');
export const BATCH_SCRIPT = 'sweep.sbatch';

function slurmCommand(cmd: string, args: string[]): string {
  let r;
  try {
    r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  } catch (err) {
    throw new SweepError(`could not run ${cmd}: ${(err as Error).message}`);
  }
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SweepError(missing ? `${cmd} is not installed here; run the sweep on a SLURM login node (or install slurm-client), or use --scheduler local` : `could not run ${cmd}: ${r.error.message}`);
  }
  if (r.status !== 0) throw new SweepError(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return r.stdout;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The batch script: SLURM options as #SBATCH lines, then one run per array task. */
export function batchScript(sweepDir: string, o: SlurmOptions): string {
  const dir = resolve(sweepDir);
  const lines = ['#!/bin/bash', `#SBATCH --job-name=${quote(`cw-sweep-${basename(dir)}`)}`, `#SBATCH --output=${quote(join(dir, 'slurm', '%A_%a.out'))}`];
  if (o.partition) lines.push(`#SBATCH --partition=${quote(o.partition)}`);
  if (o.time) lines.push(`#SBATCH --time=${quote(o.time)}`);
  if (o.cpusPerTask) lines.push(`#SBATCH --cpus-per-task=${o.cpusPerTask}`);
  if (o.mem) lines.push(`#SBATCH --mem=${quote(o.mem)}`);
  if (o.account) lines.push(`#SBATCH --account=${quote(o.account)}`);
  for (const extra of o.extra) lines.push(`#SBATCH ${extra}`);
  lines.push(
    '# Written by circuit-workbench sweep. Each array task trains the run whose index in sweep.json',
    '# is $SLURM_ARRAY_TASK_ID. The sweep folder and this project must be on a filesystem every node shares.',
    'set -eu',
    `exec "\${CIRCUIT_WORKBENCH_NODE:-${process.execPath}}" ${quote(cliPath())} sweep task ${quote(dir)} --index "$SLURM_ARRAY_TASK_ID"`,
    '',
  );
  return lines.join('\n');
}

/** Writes the batch script and submits the given runs as one array; returns the submission. */
export function submitArray(sweepDir: string, sweep: SweepFile, runs: number[], o: SlurmOptions): Submission {
  for (const extra of o.extra) if (!/^--?[A-Za-z]/.test(extra) || /[\n\r]/.test(extra)) throw new SweepError(`--sbatch-arg takes one sbatch option such as --qos=short, got '${extra}'`);
  makeDirectory(join(sweepDir, 'slurm'));
  const script = join(sweepDir, BATCH_SCRIPT);
  writeFileSync(script, batchScript(sweepDir, o));
  chmodSync(script, 0o755);
  const array = arrayRanges(runs) + (o.maxParallel ? `%${o.maxParallel}` : '');
  const out = slurmCommand('sbatch', ['--parsable', `--array=${array}`, script]).trim();
  const jobId = out.split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new SweepError(`sbatch printed '${out}' instead of a job id`);
  return { jobId, runs: [...runs].sort((a, b) => a - b), submittedAt: new Date().toISOString(), script: BATCH_SCRIPT, maxSteps: sweep.spec.maxSteps };
}

/** The sweep's array tasks still in the queue; null when squeue cannot be asked. */
export function readQueue(sweep: SweepFile): QueueView | null {
  const ids = sweep.scheduler.submissions.map((s) => s.jobId);
  const view: QueueView = new Map();
  if (ids.length === 0) return view;
  let out: string;
  try {
    out = slurmCommand('squeue', ['-h', '-r', '-o', '%i %t', '-j', ids.join(',')]);
  } catch (err) {
    // squeue rejects a job list it no longer knows at all: then nothing of ours is queued.
    if (/Invalid job id/i.test((err as Error).message)) return view;
    return null;
  }
  for (const line of out.split('\n')) {
    const m = /^(\d+)_(\d+)\s+(\S+)/.exec(line.trim());
    if (m && ids.includes(m[1])) view.set(Number(m[2]), m[3]);
  }
  return view;
}

export function cancelArrays(sweep: SweepFile): string[] {
  const ids = sweep.scheduler.submissions.map((s) => s.jobId);
  if (ids.length > 0) slurmCommand('scancel', ids);
  return ids;
}
