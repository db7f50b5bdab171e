/**
 * Multi-seed experiments: the paper's claim is about how often each schedule succeeds, which one
 * run cannot show. Each run trains through the injected RunLauncher, in its own process (several
 * at once, up to the cores); runs already complete are reused and interrupted ones resumed, so
 * an experiment can be restarted.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../backend.js';
import type { RunLauncher, TrainRunSpec } from './launcher.js';
import { writeFileAtomic } from '../io/atomic.js';
import { toCsv } from '../io/csv.js';
import { makeDirectory } from '../io/directories.js';
import { readManifest } from '../runs/runFolder.js';
import { summarizeRun, summarizeSchedule, type RunSummary, type ScheduleSummary } from './summary.js';
import { ConfigError } from '../train/config.js';

export const EXPERIMENTS: Record<string, { description: string; schedules: { name: string; preset: string }[] }> = {
  fig5: {
    description: 'Fig. 5: scratch (p = 4) against the curriculum (p = 2 → 4), from the same initial weights',
    schedules: [
      { name: 'scratch', preset: 'fig5-scratch' },
      { name: 'curriculum', preset: 'fig5-curriculum' },
    ],
  },
};

export interface JobProgress {
  run: string;
  step: number;
  totalSteps: number;
  testAcc: number;
  done: boolean;
}

export interface ExperimentOptions {
  experiment: string;
  seeds: number[];
  outDir: string;
  jobs?: number;
  maxSteps?: number | null;
  backend?: BackendName | 'auto';
  /** starts each run (in a process of its own) */
  launch: RunLauncher;
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

export interface ExperimentResult {
  experiment: string;
  outDir: string;
  runs: (RunSummary & { schedule: string })[];
  schedules: ScheduleSummary[];
  failures: { run: string; message: string }[];
}

/** The most seeds one experiment runs, and the largest seed (as `train --seed` takes). */
export const MAX_SEEDS = 1_000;
const MAX_SEED = 1e9;

/** Parses "0-4", "0,2,5" or "3" into seeds; counts them before listing them, so 0-10000000000 is a sentence. */
export function parseSeeds(text: string): number[] {
  const ranges: [number, number][] = [];
  let count = 0;
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!range) throw new ConfigError(`cannot read seeds '${text}'; write a range like 0-4 or a list like 0,2,5`);
    const a = Number(range[1]);
    const b = range[2] === undefined ? a : Number(range[2]);
    if (b < a) throw new ConfigError(`the seed range ${part.trim()} is empty`);
    count += b - a + 1;
    if (count > MAX_SEEDS) throw new ConfigError(`'${text.trim()}' asks for more than ${MAX_SEEDS} seeds; an experiment runs at most ${MAX_SEEDS}`);
    if (b > MAX_SEED) throw new ConfigError(`the seed ${b} is too large; seeds go up to ${MAX_SEED}`);
    ranges.push([a, b]);
  }
  const seeds: number[] = [];
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) seeds.push(s);
  return [...new Set(seeds)];
}

/** A run stopped by --max-steps is finished only for an experiment asked to stop at that step too. */
function runStatus(dir: string, maxSteps: number | null): 'missing' | 'complete' | 'resumable' | 'broken' {
  if (!existsSync(join(dir, 'run.json'))) return existsSync(dir) ? 'broken' : 'missing';
  try {
    const m = readManifest(dir);
    const finished = m.status === 'complete' || (m.status === 'stopped' && maxSteps !== null && m.stepsDone >= maxSteps);
    return finished ? 'complete' : m.resume ? 'resumable' : 'broken';
  } catch {
    return 'broken';
  }
}

export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentResult> {
  const exp = Object.hasOwn(EXPERIMENTS, opts.experiment) ? EXPERIMENTS[opts.experiment] : undefined;
  if (!exp) throw new ConfigError(`unknown experiment '${opts.experiment}'; choose one of ${Object.keys(EXPERIMENTS).join(', ')}`);
  if (opts.seeds.length === 0) throw new ConfigError('no seeds given');
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), availableParallelism() * 2));
  makeDirectory(opts.outDir);

  const tasks = exp.schedules.flatMap((sch) => opts.seeds.map((seed) => ({ schedule: sch.name, preset: sch.preset, seed, dir: join(opts.outDir, `${sch.name}-s${seed}`) })));
  const failures: { run: string; message: string }[] = [];
  const signal = opts.signal ?? new AbortController().signal;
  let next = 0;

  const runOne = async (t: (typeof tasks)[number]): Promise<void> => {
    const state = runStatus(t.dir, opts.maxSteps ?? null);
    if (state === 'complete') {
      opts.onProgress?.({ run: t.dir, step: 1, totalSteps: 1, testAcc: NaN, done: true });
      return;
    }
    if (state === 'broken') {
      failures.push({ run: t.dir, message: `${t.dir} exists but is not a resumable run; move it away and run the experiment again` });
      return;
    }
    const maxSteps = opts.maxSteps || null;
    const spec: TrainRunSpec =
      state === 'resumable' ? { kind: 'resume', runDir: t.dir, maxSteps, backend: opts.backend } : { kind: 'new', preset: t.preset, seed: t.seed, runDir: t.dir, maxSteps, backend: opts.backend };
    try {
      await opts.launch(spec, signal, (p) => opts.onProgress?.({ run: t.dir, step: p.step, totalSteps: p.totalSteps, testAcc: p.testAcc, done: false }));
    } catch (err) {
      failures.push({ run: t.dir, message: (err as Error).message });
    }
    opts.onProgress?.({ run: t.dir, step: 1, totalSteps: 1, testAcc: NaN, done: true });
  };

  const worker = async (): Promise<void> => {
    while (next < tasks.length && !signal.aborted) await runOne(tasks[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));

  const runs: ExperimentResult['runs'] = [];
  for (const t of tasks) {
    if (runStatus(t.dir, opts.maxSteps ?? null) === 'missing') continue;
    try {
      runs.push({ ...summarizeRun(t.dir), schedule: t.schedule });
    } catch (err) {
      failures.push({ run: t.dir, message: (err as Error).message });
    }
  }
  const schedules = exp.schedules.map((s) => summarizeSchedule(s.name, runs.filter((r) => r.schedule === s.name && (r.status === 'complete' || r.status === 'stopped'))));
  const result: ExperimentResult = { experiment: opts.experiment, outDir: opts.outDir, runs, schedules, failures };
  writeFileAtomic(join(opts.outDir, 'summary.json'), JSON.stringify(result, null, 1) + '\n');
  const header = ['schedule', 'seed', 'status', 'steps', 'final_train_acc', 'final_test_loss', 'final_test_acc', 'final_heldout_acc', 'first_step_test_acc_ge_0.99', 'seconds'];
  const rows = runs.map((r) => [r.schedule, r.seed, r.status, r.stepsDone, r.finalTrainAcc, r.finalTestLoss, r.finalTestAcc, r.finalHeldoutAcc, r.firstStepAbove, r.seconds.toFixed(1)]);
  writeFileAtomic(join(opts.outDir, 'summary.csv'), toCsv(header, rows));
  return result;
}
