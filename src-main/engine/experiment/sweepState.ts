/**
 * What a sweep's runs are doing and what they show. The run folders are the source of truth; the
 * SLURM queue (when there is one) adds queued/running, and a task that ended without a finished
 * run is failed, with the last lines of its SLURM log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, type RunManifest } from '../runs/runFolder.js';
import { summarizeRun, SUCCESS_THRESHOLD, type RunSummary } from './summary.js';
import { fisherExact, median, wilsonInterval } from './stats.js';
import { pValueCell, toCsv } from '../io/csv.js';
import { axisName, type GridAxis, type SweepFile, type SweepRun } from './sweepSpec.js';
import type { RunState, ScheduleCell } from './sweepTypes.js';

export type { RunState } from './sweepTypes.js';
export const RUN_STATES: RunState[] = ['pending', 'queued', 'running', 'done', 'failed', 'interrupted'];

/** Array task id → SLURM state code (PD, R, CG, …) for the sweep's jobs still in the queue. */
export type QueueView = Map<number, string>;

export interface RunStatus {
  index: number;
  cells: number[];
  schedule: string;
  seed: number;
  dir: string;
  state: RunState;
  stepsDone: number;
  totalSteps: number | null;
  message: string | null;
}

/** A local run whose run.json has not been touched for this long has lost its process. */
const STALE_MS = 10 * 60_000;

/** Is this run finished for a sweep asked to stop runs at `maxSteps`? */
export function isFinished(m: Pick<RunManifest, 'status' | 'stepsDone'>, maxSteps: number | null): boolean {
  return m.status === 'complete' || (m.status === 'stopped' && maxSteps !== null && m.stepsDone >= maxSteps);
}

export function slurmLogPath(sweepDir: string, jobId: string, index: number): string {
  return join(sweepDir, 'slurm', `${jobId}_${index}.out`);
}

/** Where the local scheduler leaves the error of a run that failed. */
export const localErrorPath = (sweepDir: string, index: number) => join(sweepDir, 'local', `${index}.err`);

export function logTail(file: string, lines = 8): string | null {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text === '' ? '(the SLURM log is empty)' : text.split('\n').slice(-lines).join('\n');
  } catch {
    return null;
  }
}

export function runStatus(sweepDir: string, sweep: SweepFile, run: SweepRun, queue: QueueView | null): RunStatus {
  const base = { index: run.index, cells: run.cells, schedule: run.schedule, seed: run.seed, dir: run.dir };
  const maxSteps = sweep.spec.maxSteps;
  let m: RunManifest | null = null;
  let readError: string | null = null;
  const dir = join(sweepDir, run.dir);
  if (existsSync(join(dir, 'run.json'))) {
    try {
      m = readManifest(dir);
    } catch (err) {
      readError = (err as Error).message;
    }
  }
  const steps = { stepsDone: m?.stepsDone ?? 0, totalSteps: m ? Math.min(m.totalSteps, maxSteps ?? m.totalSteps) : null };
  if (m && isFinished(m, maxSteps)) return { ...base, ...steps, state: 'done', message: null };
  const queued = queue?.get(run.index);
  if (queued) return { ...base, ...steps, state: queued === 'PD' ? 'queued' : 'running', message: null };
  const last = [...sweep.scheduler.submissions].reverse().find((s) => s.runs.includes(run.index));
  const log = sweep.scheduler.kind === 'slurm' ? (last ? logTail(slurmLogPath(sweepDir, last.jobId, run.index)) : null) : logTail(localErrorPath(sweepDir, run.index));
  if (readError) return { ...base, ...steps, state: 'failed', message: readError };
  if (m?.status === 'failed') return { ...base, ...steps, state: 'failed', message: m.message ?? log };
  if (m?.status === 'running' && queue === null && Date.now() - Date.parse(m.updatedAt) < STALE_MS) return { ...base, ...steps, state: 'running', message: null };
  if (m) return { ...base, ...steps, state: 'interrupted', message: log ?? m.message ?? `stopped at step ${m.stepsDone}; run the sweep again to resume it` };
  // No run.json: a SLURM task that has ended without making one failed before training began.
  if (log !== null) return { ...base, ...steps, state: 'failed', message: log };
  return { ...base, ...steps, state: sweep.scheduler.kind === 'slurm' && last && queue === null ? 'queued' : 'pending', message: null };
}

export interface ScheduleCellSummary extends ScheduleCell {
  /** the cell's index in sweep.json */
  cell: number;
}

export interface CellSummary {
  index: number;
  label: string;
  values: Record<string, string>;
  schedules: ScheduleCellSummary[];
  /** two-sided Fisher exact p-value, first schedule against second (null unless two schedules) */
  pValue: number | null;
}

export interface SweepSummary {
  threshold: number;
  schedules: string[];
  grid: GridAxis[];
  maxSteps: number | null;
  cells: CellSummary[];
  runs: (RunStatus & { summary: RunSummary | null })[];
  states: Record<RunState, number>;
  /** false when the SLURM queue could not be read (states come from the run folders only) */
  queueRead: boolean;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const countStates = (xs: { state: RunState }[]) => Object.fromEntries(RUN_STATES.map((s) => [s, xs.filter((x) => x.state === s).length])) as Record<RunState, number>;

export function summarizeSweep(sweepDir: string, sweep: SweepFile, queue: QueueView | null, queueRead = true): SweepSummary {
  const runs = sweep.runs.map((run) => {
    const status = runStatus(sweepDir, sweep, run, queue);
    let summary: RunSummary | null = null;
    if (status.state === 'done') {
      try {
        summary = summarizeRun(join(sweepDir, run.dir));
      } catch (err) {
        return { ...status, state: 'failed' as const, message: (err as Error).message, summary: null };
      }
    }
    return { ...status, summary };
  });
  const cells: CellSummary[] = sweep.cells.map((cell) => {
    const schedules = sweep.spec.schedules.map((sch) => {
      const mine = runs.filter((r) => r.cells.includes(cell.index) && r.schedule === sch.name);
      const done = mine.map((r) => r.summary).filter((s): s is RunSummary => s !== null);
      const ok = done.filter((s) => s.finalTestAcc >= SUCCESS_THRESHOLD);
      const firstSteps = ok.map((s) => s.firstStepAbove).filter((x): x is number => x !== null);
      return {
        cell: cell.index,
        schedule: sch.name,
        planned: mine.length,
        total: done.length,
        succeeded: ok.length,
        rate: done.length ? ok.length / done.length : null,
        ci95: wilsonInterval(ok.length, done.length),
        medianFirstStep: finite(median(firstSteps)),
        medianFinalTrainAcc: finite(median(done.map((s) => s.finalTrainAcc))),
        medianFinalTestAcc: finite(median(done.map((s) => s.finalTestAcc))),
        medianFinalHeldoutAcc: finite(median(done.map((s) => s.finalHeldoutAcc))),
        states: countStates(mine),
      };
    });
    const [a, b] = schedules;
    const pValue = schedules.length === 2 && a.total > 0 && b.total > 0 ? fisherExact(a.succeeded, a.total - a.succeeded, b.succeeded, b.total - b.succeeded) : null;
    return { index: cell.index, label: cell.label, values: cell.values, schedules, pValue };
  });
  return {
    threshold: SUCCESS_THRESHOLD,
    schedules: sweep.spec.schedules.map((s) => s.name),
    grid: sweep.spec.grid,
    maxSteps: sweep.spec.maxSteps,
    cells,
    runs,
    states: countStates(runs),
    queueRead,
  };
}

/** summary.csv: one row per cell and schedule (the p-value as text: a float32 would round a small one to 0). */
export function summaryCsv(s: SweepSummary): string {
  const header = [...s.grid.map(axisName), 'schedule', 'total', 'succeeded', 'rate', 'ci95_lo', 'ci95_hi', 'median_first_step_ge_0.99', 'median_final_train_acc', 'median_final_test_acc', 'median_final_heldout_acc', 'p_value'];
  const rows = s.cells.flatMap((c) =>
    c.schedules.map((x) => [...s.grid.map((g) => c.values[axisName(g)]), x.schedule, x.total, x.succeeded, x.rate, ...x.ci95, x.medianFirstStep, x.medianFinalTrainAcc, x.medianFinalTestAcc, x.medianFinalHeldoutAcc, pValueCell(c.pValue)]),
  );
  return toCsv(header, rows);
}
