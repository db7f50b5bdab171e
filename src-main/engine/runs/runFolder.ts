/**
 * The run folder (docs/design.md, the run folder): run.json, metrics.csv, data/, trajectory.npy, checkpoints/.
 * Writes are crash-safe; reads treat every file as untrusted and fail with a RunFormatError that
 * says what is wrong and what to do.
 */
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TrainConfig } from './runConfig.js';
import { modulusFolder } from './datasets.js';
import type { BackendName } from '../backend.js';
import { writeFileAtomic } from '../io/atomic.js';
import { NpyError, readNpy, type NpyArray } from '../io/npy.js';
import { csvRow } from '../io/csv.js';
import { numberAt } from '../io/csvNumbers.js';

export const RUN_FORMAT = 'circuit-workbench-run';
export const RUN_FORMAT_VERSION = 1;

/** `stopped`: ended early at --max-steps, resumable; only `complete` has run the whole schedule. `diverged`: the loss became non-finite. */
export type RunStatus = 'running' | 'complete' | 'stopped' | 'failed' | 'cancelled' | 'diverged';

export interface RunManifest {
  format: typeof RUN_FORMAT;
  version: number;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  /** why a run failed or stopped early */
  message: string | null;
  config: TrainConfig;
  seeds: { seed: number; data: number; model: number };
  /** where the datasets came from: generated from the data seed, or imported from a folder */
  dataSource: string;
  backend: BackendName;
  versions: Record<string, string>;
  parameterCount: number;
  layout: { name: string; shape: number[]; offset: number }[];
  totalSteps: number;
  /** the run stops after this many steps in total (null: the whole schedule) */
  maxSteps: number | null;
  /** updates taken so far */
  stepsDone: number;
  /** the step a run stopped at because of --max-steps (null unless status is 'stopped') */
  stoppedAtStep?: number | null;
  phases: { name: string; p: number; start: number; end: number }[];
  /** the steps k whose parameters θ_k are the rows of trajectory.npy and test_attention.npy */
  snapshotSteps: number[];
  datasets: Record<string, { train: number; test: number; heldout: number; testOverlap: number }>;
  checkpoints: { step: number; file: string }[];
  /** the state a resumed run continues from: θ and Adam's moments in `file` (runs of older versions: resume/state.npy) */
  resume: { step: number; adamT: number; file?: string } | null;
  /** wall-clock seconds spent training */
  seconds: number;
}

export class RunFormatError extends Error {
  override name = 'RunFormatError';
}

export const METRIC_COLUMNS = ['step', 'phase', 'p', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'heldout_loss', 'heldout_acc'] as const;

export interface MetricRow {
  /** the update's index s: train_* is the forward pass at θ_s, test_* and heldout_* at θ_{s+1} */
  step: number;
  phase: string;
  p: number;
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
  /** evaluated at snapshot steps only (NaN elsewhere, an empty cell in the CSV) */
  heldout_loss: number;
  heldout_acc: number;
}

export const paths = (dir: string) => ({
  manifest: join(dir, 'run.json'),
  metrics: join(dir, 'metrics.csv'),
  trajectory: join(dir, 'trajectory.npy'),
  testAttention: join(dir, 'test_attention.npy'),
  data: join(dir, 'data'),
  checkpoints: join(dir, 'checkpoints'),
  resumeState: join(dir, 'resume', 'state.npy'),
});

export function writeManifest(dir: string, m: RunManifest, durable = true): void {
  m.updatedAt = new Date().toISOString();
  writeFileAtomic(paths(dir).manifest, JSON.stringify(m, null, 1) + '\n', { durable });
}

/** A row of metrics.csv; NaN (not evaluated at this step) is an empty cell. */
export function metricLine(r: MetricRow): string {
  return csvRow([r.step, r.phase, r.p, r.train_loss, r.train_acc, r.test_loss, r.test_acc, r.heldout_loss, r.heldout_acc].map((v) => (typeof v === 'number' && Number.isNaN(v) ? null : v)));
}

export function startMetrics(dir: string): void {
  writeFileSync(paths(dir).metrics, METRIC_COLUMNS.join(',') + '\n');
}

export function appendMetrics(dir: string, rows: MetricRow[]): void {
  if (rows.length > 0) appendFileSync(paths(dir).metrics, rows.map(metricLine).join('\n') + '\n');
}

/** Keeps the rows with step < `steps` (for resuming: later rows are recomputed). */
export function truncateMetrics(dir: string, steps: number): void {
  const rows = readMetrics(dir).filter((r) => r.step < steps);
  writeFileAtomic(paths(dir).metrics, METRIC_COLUMNS.join(',') + '\n' + rows.map((r) => metricLine(r) + '\n').join(''));
}

/** metrics.csv as rows (readMetricColumns). */
export function readMetrics(dir: string): MetricRow[] {
  const m = readMetricColumns(dir);
  return Array.from({ length: m.rows }, (_, i) => ({
    step: m.step[i],
    phase: m.phase[i],
    p: m.p[i],
    train_loss: m.train_loss[i],
    train_acc: m.train_acc[i],
    test_loss: m.test_loss[i],
    test_acc: m.test_acc[i],
    heldout_loss: m.heldout_loss[i],
    heldout_acc: m.heldout_acc[i],
  }));
}

/** The number columns besides the step, in the file's order. */
export const METRIC_VALUES = ['p', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'heldout_loss', 'heldout_acc'] as const;
export type MetricValue = (typeof METRIC_VALUES)[number];

export interface MetricColumns extends Record<MetricValue, Float64Array> {
  rows: number;
  step: Float64Array;
  phase: string[];
}

/** Parses a run's metrics.csv into columns (NaN for an empty cell); RunFormatError with a sentence when it is missing or malformed. */
export function readMetricColumns(dir: string): MetricColumns {
  const file = paths(dir).metrics;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new RunFormatError(`${dir} has no readable metrics.csv; the run may not have started`);
  }
  const NEWLINE = 10;
  const COMMA = 44;
  const headerEnd = bytes.indexOf(NEWLINE);
  const header = bytes.toString('utf8', 0, headerEnd < 0 ? bytes.length : headerEnd).trim().split(',');
  for (const col of ['step', 'train_loss', 'train_acc', 'test_loss', 'test_acc']) {
    // the message names what is missing, never the file's content (it may not be a metrics file)
    if (!header.includes(col)) throw new RunFormatError(`${file} has no '${col}' column in its header; it is not a metrics table written by 'circuit-workbench train'`);
  }
  // A last line without its newline was cut mid-write by a crash: it is left out.
  const end = bytes.lastIndexOf(NEWLINE);
  let capacity = 0;
  for (let i = headerEnd; i >= 0 && i < end; i = bytes.indexOf(NEWLINE, i + 1)) capacity++;
  const step = new Float64Array(capacity);
  const values = METRIC_VALUES.map(() => new Float64Array(capacity).fill(NaN));
  // for each cell of a line: the column it fills (-1: none, -2: the step, -3: the phase)
  const role = header.map((h) => (h === 'step' ? -2 : h === 'phase' ? -3 : (METRIC_VALUES as readonly string[]).indexOf(h)));
  const phase: string[] = [];
  let previousPhase = { a: 0, b: 0, text: '' };
  let rows = 0;
  let line = 1;
  for (let start = headerEnd + 1; headerEnd >= 0 && start <= end; line++) {
    let stop = start;
    while (bytes[stop] !== NEWLINE) stop++;
    let blank = true;
    for (let i = start; i < stop && blank; i++) blank = bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 13;
    if (blank) {
      start = stop + 1;
      continue;
    }
    let s = NaN;
    let text = '';
    for (let cell = 0, a = start; a <= stop; cell++) {
      let b = a;
      while (b < stop && bytes[b] !== COMMA) b++;
      const r = cell < role.length ? role[cell] : -1;
      if (r >= 0) values[r][rows] = numberAt(bytes, a, b);
      else if (r === -2) s = numberAt(bytes, a, b);
      else if (r === -3) {
        // consecutive rows share their phase: one string for them all
        let same = b - a === previousPhase.b - previousPhase.a;
        for (let i = 0; same && i < b - a; i++) same = bytes[a + i] === bytes[previousPhase.a + i];
        if (!same) previousPhase = { a, b, text: bytes.toString('utf8', a, b) };
        text = previousPhase.text;
      }
      a = b + 1;
    }
    if (!Number.isInteger(s)) throw new RunFormatError(`${file} line ${line + 1} is malformed: its step is not a whole number`);
    step[rows] = s;
    phase.push(text);
    rows++;
    start = stop + 1;
  }
  const columns = { rows, step: step.subarray(0, rows), phase } as MetricColumns;
  METRIC_VALUES.forEach((name, c) => (columns[name] = values[c].subarray(0, rows)));
  return columns;
}

/** Reads and checks run.json. */
export function readManifest(dir: string): RunManifest {
  const file = paths(dir).manifest;
  if (!existsSync(dir)) throw new RunFormatError(`${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new RunFormatError(`${dir} is a file, not a run folder`);
  if (!existsSync(file)) {
    throw new RunFormatError(`${dir} is not a run folder: it has no run.json (a run folder holds run.json, metrics.csv, trajectory.npy and data/, as written by 'circuit-workbench train')`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // JSON.parse's message quotes the text: leave it out
    throw new RunFormatError(`${file} is not valid JSON; the file is corrupt`);
  }
  const m = parsed as Partial<RunManifest>;
  if (m === null || typeof m !== 'object' || m.format !== RUN_FORMAT) {
    throw new RunFormatError(`${file} is not a Circuit Workbench run manifest (its "format" is not '${RUN_FORMAT}')`);
  }
  if (!Number.isInteger(m.version) || (m.version as number) < 1) throw new RunFormatError(`${file} has no valid format version (a whole number); the file is corrupt`);
  if ((m.version as number) > RUN_FORMAT_VERSION) {
    throw new RunFormatError(`${file} has format version ${String(m.version)}; this tool reads version ${RUN_FORMAT_VERSION}; update Circuit Workbench`);
  }
  for (const key of ['config', 'layout', 'phases', 'snapshotSteps', 'status', 'parameterCount'] as const) {
    if (m[key] === undefined || m[key] === null) throw new RunFormatError(`${file} is missing the field '${key}'`);
  }
  if (!Array.isArray(m.snapshotSteps) || !m.snapshotSteps.every((x) => Number.isInteger(x) && x >= 0)) throw new RunFormatError(`${file} has a malformed 'snapshotSteps' (a list of whole numbers); the file is corrupt`);
  const cfg = m.config as Partial<RunManifest['config']>;
  if (typeof cfg !== 'object' || typeof cfg.model !== 'object' || cfg.model === null || typeof cfg.task !== 'object' || !Array.isArray(cfg.phases)) throw new RunFormatError(`${file} has a malformed 'config' (it needs model, task and phases); the file is corrupt`);
  return m as RunManifest;
}

/** trajectory.npy, checked against the manifest. Rows past the manifest's snapshot list are dropped. */
export function readTrajectory(dir: string, manifest: RunManifest): { steps: number[]; data: Float32Array; width: number } {
  let arr: NpyArray;
  try {
    arr = readNpy(paths(dir).trajectory);
  } catch (err) {
    throw new RunFormatError(err instanceof NpyError ? err.message : String(err));
  }
  if (arr.dtype !== 'float32' || arr.shape.length !== 2 || arr.shape[1] !== manifest.parameterCount) {
    throw new RunFormatError(`${paths(dir).trajectory} should be float32 [snapshots, ${manifest.parameterCount}], found ${arr.dtype} [${arr.shape.join(', ')}]`);
  }
  const rows = Math.min(arr.shape[0], manifest.snapshotSteps.length);
  return { steps: manifest.snapshotSteps.slice(0, rows), data: (arr.data as Float32Array).subarray(0, rows * arr.shape[1]), width: arr.shape[1] };
}

/** The snapshots either side of `step`, for a message saying it is not one: "120 and 130". */
export function nearestSteps(steps: number[], step: number): string {
  const below = [...steps].reverse().find((s) => s < step);
  const above = steps.find((s) => s > step);
  return [below, above].filter((s) => s !== undefined).join(' and ');
}

/** The folder of a run's datasets of modulus p (data/p<P>/). */
export function datasetDir(dir: string, p: number): string {
  return modulusFolder(paths(dir).data, p);
}

/** The run folder that holds `path` (the path itself or one of its ancestors), or null. */
export function enclosingRun(path: string): string | null {
  let dir = resolve(path);
  for (;;) {
    if (existsSync(join(dir, 'run.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Refuses a write into an existing run folder: only its own training writes there. */
export function refuseWriteIntoRun(target: string): void {
  const run = enclosingRun(dirname(resolve(target)));
  if (run) throw new RunFormatError(`${target} lies inside the run folder ${run}; the workbench writes into a run's folder only while training it, so nothing saved there is overwritten: choose a path outside it`);
}
