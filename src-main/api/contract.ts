/**
 * The one contract between the workbench's views and its engine: every call's request and
 * response, validated at runtime with zod. The Electron IPC bridge, the HTTP server and the
 * tests all go through the same handler table (handlers.ts); nothing else computes science.
 */
import { z } from 'zod';
import type { JobInfo } from '../jobs/events.js';
import type { LossAccuracy } from '../engine/onnx/lossAccuracy.js';
import { CURVE_COLUMNS, type CurveSummary } from '../engine/analysis/curves.js';
import type { RunState as SweepRunState, ScheduleCell as SweepScheduleCell } from '../engine/experiment/sweepTypes.js';
import { RUN_NAME_PATTERN, RUN_NAME_RULE } from './runName.js';
import { GRID_VALUE, MAX_GRID_PARAMETERS, MAX_GRID_VALUES, MAX_SWEEP_RUNS, MAX_SWEEP_SETTINGS, SETTING_PATH } from './sweepLimits.js';

const id = z.string().min(1).max(200);
const step = z.number().int().min(0);
const token = z.number().int().min(0).max(1_000);
const sequences = z.array(z.array(token).min(1).max(64)).min(1).max(512);
const smallInt = z.number().int().min(0).max(1_000_000);

/** The most seeds one experiment may run, and the largest seed (as `train --seed` allows). */
export const MAX_EXPERIMENT_SEEDS = 1_000;
export const MAX_SEED = 1e9;

/**
 * Counts the seeds of "0-4", "0,2,5" or "3" without listing them, so that "0-10000000000" is
 * refused before anything tries to hold ten billion numbers; null when the text is not a seed list.
 */
export function countSeeds(text: string): { count: number; largest: number } | null {
  let count = 0;
  let largest = 0;
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,20})\s*(?:-\s*(\d{1,20})\s*)?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return null;
    count += b - a + 1;
    largest = Math.max(largest, b);
  }
  return { count, largest };
}

const seedList = z
  .string()
  .regex(/^[\d,\s-]{1,64}$/, 'must be a range like 0-4 or a list like 0,2,5')
  .superRefine((text, ctx) => {
    const n = countSeeds(text);
    if (!n) ctx.addIssue({ code: 'custom', message: 'must be a range like 0-4 or a list like 0,2,5' });
    else if (n.count > MAX_EXPERIMENT_SEEDS) ctx.addIssue({ code: 'custom', message: `asks for ${n.count} seeds; an experiment runs at most ${MAX_EXPERIMENT_SEEDS}` });
    else if (n.largest > MAX_SEED) ctx.addIssue({ code: 'custom', message: `holds the seed ${n.largest}; seeds go up to ${MAX_SEED}` });
  });

const settingPath = z.string().regex(SETTING_PATH, 'must be a setting path like phases.0.steps, task.nTrain or lr');
const settingValue = z.union([z.number().finite(), z.string().max(64), z.boolean()]);
const gridValue = z.string().regex(GRID_VALUE, 'must be a number or a short word (letters, digits, dots, + and -)');

/** A local sweep: preset schedules × seeds × up to two grid parameters, in a folder of the first workspace. */
const sweepStart = z
  .object({
    presets: z.array(z.string().min(1).max(64)).min(1).max(8),
    seeds: seedList,
    /** up to two settings to vary; `schedule` limits one to that preset (the others run once per seed) */
    grid: z.array(z.object({ path: settingPath, schedule: z.string().min(1).max(64).optional(), values: z.array(gridValue).min(1).max(MAX_GRID_VALUES) }).strict()).max(MAX_GRID_PARAMETERS).optional(),
    /** settings for every run, as train.start's overrides */
    set: z.record(settingPath, settingValue).optional(),
    maxSteps: z.number().int().min(1).max(10_000_000).optional(),
    /** the sweep folder's name; an existing sweep of that name with the same settings is resumed */
    name: z.string().regex(RUN_NAME_PATTERN, RUN_NAME_RULE).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (new Set(r.presets).size !== r.presets.length) ctx.addIssue({ code: 'custom', path: ['presets'], message: 'names a preset twice' });
    if (r.set && Object.keys(r.set).length > MAX_SWEEP_SETTINGS) ctx.addIssue({ code: 'custom', path: ['set'], message: `has more than ${MAX_SWEEP_SETTINGS} settings` });
    const seeds = countSeeds(r.seeds)?.count ?? 0;
    const cells = (r.grid ?? []).reduce((n, g) => n * g.values.length, 1);
    const runs = r.presets.length * seeds * cells;
    if (runs > MAX_SWEEP_RUNS) ctx.addIssue({ code: 'custom', message: `plans ${runs} runs (presets × seeds × grid values); a sweep started here runs at most ${MAX_SWEEP_RUNS}` });
  });

/** The bounds of source.metrics' maxPoints: a bucket of the curves keeps up to 14 rows, and beyond a million the answer is a full table anyway. */
export const MIN_DRAWN_ROWS = 100;
export const MAX_DRAWN_ROWS = 1_000_000;

/** Request schemas, one per call. */
export const requests = {
  'workspace.list': z.object({}).strict(),
  'source.open': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'source.close': z.object({ id }).strict(),
  'source.metrics': z
    .object({
      id,
      /** at most this many rows, chosen for drawing (every row when omitted) */
      maxPoints: z.number().int().min(MIN_DRAWN_ROWS).max(MAX_DRAWN_ROWS).optional(),
      smoothing: z.number().finite().min(0).max(0.99).optional(),
      logSteps: z.boolean().optional(),
      /** the columns drawn: each bucket keeps their extremes only (every column's when omitted) */
      drawn: z.array(z.enum(CURVE_COLUMNS)).min(1).max(CURVE_COLUMNS.length).optional(),
      from: step.optional(),
      to: step.optional(),
    })
    .strict()
    .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, { message: "has 'from' after 'to'" }),
  'analysis.accuracy': z.object({ id, step: step.optional() }).strict(),
  'analysis.attention': z.object({ id, step, tokens: sequences, p: z.number().int().min(2).max(64).optional() }).strict(),
  'analysis.attentionOverTraining': z
    .object({
      id,
      tokens: sequences.max(16),
      from: step.optional(),
      to: step.optional(),
      stride: z.number().int().min(1).max(10_000).optional(),
      /** only the rows a heatmap this many pixel rows tall draws (every snapshot when omitted) */
      maxRows: z.number().int().min(10).max(10_000).optional(),
    })
    .strict(),
  'analysis.embeddings': z.object({ id, step, set: z.enum(['prefixes', 'train', 'test']), p: z.number().int().min(2).max(64).optional(), k: z.number().int().min(1).max(16).optional() }).strict(),
  'analysis.interpolate': z
    .object({
      a: z.object({ id, step: step.optional() }).strict(),
      b: z.object({ id, step: step.optional() }).strict(),
      points: z.number().int().min(2).max(1001),
      from: z.number().finite().min(-10).max(10),
      to: z.number().finite().min(-10).max(10),
    })
    .strict(),
  'analysis.project': z.object({ ids: z.array(id).min(1).max(16), method: z.enum(['pca', 'tsne', 'umap']), every: z.number().int().min(1).max(10_000).optional(), seed: smallInt.optional() }).strict(),
  'train.presets': z.object({}).strict(),
  'train.start': z
    .object({
      preset: z.string().min(1).max(64),
      seed: z.number().int().min(0).max(MAX_SEED).optional(),
      /** path=value overrides, as on the command line (model.d, phases.0.steps, …) */
      overrides: z.record(z.string().max(64), z.union([z.number().finite(), z.string().max(64), z.boolean()])).optional(),
      maxSteps: z.number().int().min(1).max(10_000_000).optional(),
      /** a name for the run folder (created under the first workspace) */
      name: z.string().regex(RUN_NAME_PATTERN, RUN_NAME_RULE).optional(),
    })
    .strict(),
  'experiment.start': z.object({ experiment: z.enum(['fig5']), seeds: seedList, maxSteps: z.number().int().min(1).max(10_000_000).optional(), name: z.string().regex(RUN_NAME_PATTERN, RUN_NAME_RULE).optional() }).strict(),
  'sweep.start': sweepStart,
  'sweep.list': z.object({}).strict(),
  'sweep.open': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'sweep.summary': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'job.cancel': z.object({ jobId: id }).strict(),
  'job.list': z.object({}).strict(),
} as const;

export type Channel = keyof typeof requests;
export const CHANNELS = Object.keys(requests) as Channel[];
export type Request<C extends Channel> = z.infer<(typeof requests)[C]>;

export interface PhaseInfo {
  name: string;
  p: number;
  start: number;
  end: number;
}

export interface SourceInfo {
  id: string;
  path: string;
  label: string;
  kind: 'run' | 'onnx' | 'onnx-folder';
  /** run status; null for checkpoints */
  status: 'running' | 'complete' | 'stopped' | 'failed' | 'cancelled' | 'diverged' | null;
  preset: string | null;
  seed: number | null;
  T: number;
  V: number;
  d: number;
  /** weights in one snapshot, and their names and shapes (equal layouts can share a projection) */
  parameterCount: number;
  parameterLayout: string;
  /** the data the analyses use */
  p: number;
  k: number;
  dataOrigin: string;
  steps: number[];
  phases: PhaseInfo[];
  stepsDone: number | null;
  totalSteps: number | null;
  /** flattened configuration (task.T, model.d, phases.0.lr, …) for comparing runs */
  config: Record<string, string | number | boolean | null>;
  /** a few test sequences to start the sequence editor with */
  sampleSequences: number[][];
  /** the moduli the analyses can evaluate on (each phase's p), with a few test sequences of each */
  moduli: { p: number; sampleSequences: number[][] }[];
}

export interface MetricsTable {
  /** step, p, train_loss, train_acc, test_loss, test_acc, heldout_loss, heldout_acc (NaN as null) */
  step: number[];
  p: number[];
  train_loss: (number | null)[];
  train_acc: (number | null)[];
  test_loss: (number | null)[];
  test_acc: (number | null)[];
  heldout_loss: (number | null)[];
  heldout_acc: (number | null)[];
}

/** source.metrics' answer: the rows asked for (all, or those chosen for drawing) and the run's summary. */
export interface MetricsAnswer extends MetricsTable {
  /** rows in metrics.csv, and how many lie between from and to */
  rows: number;
  rowsInRange: number;
  /** the smoothing applied to the loss and accuracy columns (0: none) */
  smoothing: number;
  /** of the full, unsmoothed table */
  summary: CurveSummary;
}

export type { CurveSummary } from '../engine/analysis/curves.js';

/** The engine's (engine/onnx/lossAccuracy.ts, no imports). */
export type { LossAccuracy } from '../engine/onnx/lossAccuracy.js';

export interface ProjectionResult {
  method: 'pca' | 'tsne' | 'umap';
  runs: { id: string; label: string; steps: number[]; markers: { kind: 'start' | 'switch' | 'end'; step: number; index: number }[] }[];
  points: { run: number; step: number; x: number; y: number }[];
  explainedVariance: number[] | null;
}

/** A sweep's run states and per-cell statistics are the engine's (engine/experiment/sweepTypes.ts, no imports). */
export type { RunState as SweepRunState, ScheduleCell as SweepScheduleCell } from '../engine/experiment/sweepTypes.js';

/** A sweep folder as the Sweeps view shows it (sweep.json, the run folders, the SLURM queue). */
export interface SweepInfo {
  path: string;
  label: string;
  scheduler: 'local' | 'slurm';
  threshold: number;
  schedules: string[];
  /** the grid's axes: `path`, or `schedule:path` for an axis only one schedule takes */
  grid: { path: string; values: string[] }[];
  maxSteps: number | null;
  cells: { index: number; label: string; values: Record<string, string>; schedules: SweepScheduleCell[]; pValue: number | null }[];
  runs: { index: number; cells: number[]; schedule: string; seed: number; path: string; state: SweepRunState; stepsDone: number; totalSteps: number | null; message: string | null; finalTestAcc: number | null }[];
  states: Record<SweepRunState, number>;
  queueRead: boolean;
}

/** Jobs are the job manager's (src-main/jobs/events.ts); the contract passes their types on. */
export type { JobEvent, JobInfo, TrainProgressPoint } from '../jobs/events.js';

export interface Responses {
  'workspace.list': { sources: SourceInfo[]; available: { path: string; label: string; kind: 'run' | 'onnx' | 'onnx-folder' }[]; workspaces: string[]; /** the bundled demo runs, opened when nothing else is */ demo: string[] };
  'source.open': SourceInfo;
  'source.close': { closed: boolean };
  'source.metrics': MetricsAnswer;
  'analysis.accuracy': { step: number; train: LossAccuracy; test: LossAccuracy };
  'analysis.attention': { step: number; previousStep: number | null; attention: number[][]; previous: number[][] | null; prediction: number[]; target: number[]; /** the modulus of the targets */ p: number; /** the modulus of the phase the step lies in (null: no phases) */ phaseP: number | null };
  'analysis.attentionOverTraining': {
    steps: number[];
    T: number;
    k: number;
    values: number[][][];
    change: number[][][];
    /** with maxRows: each row's stretch of the step axis */
    spans?: [number, number][];
    /** the snapshots in the range, drawn or not (the steps' count when absent) */
    snapshots?: number;
  };
  'analysis.embeddings': {
    step: number;
    d: number;
    p: number;
    k: number;
    /** label: the sum of the first k tokens; target: the sequence's target in the data */
    points: { x: number; y: number; label: number; target: number; tokens: string }[];
    explainedVariance: number[] | null;
    /** silhouette of z_A grouped by the prefix sum (null with fewer than 2 sums), and how many sums */
    silhouette: number | null;
    classes: number;
    /** the modulus of the phase the step lies in (null: no phases) */
    phaseP: number | null;
  };
  'analysis.interpolate': { rows: { t: number; train_loss: number; train_acc: number; test_loss: number; test_acc: number }[]; a: string; b: string };
  'analysis.project': JobInfo;
  'train.presets': { name: string; description: string; config: unknown }[];
  'train.start': JobInfo;
  /** the same sweep as sweep.start with the fig5 presets, in folders named scratch-s<seed>, curriculum-s<seed> */
  'experiment.start': JobInfo;
  'sweep.start': JobInfo;
  'sweep.list': { path: string; label: string }[];
  'sweep.open': SweepInfo;
  'sweep.summary': SweepInfo;
  'job.cancel': JobInfo;
  'job.list': JobInfo[];
}

export type Response<C extends Channel> = Responses[C];

/** What a call that fails returns: a sentence for the user. */
export interface ApiErrorBody {
  error: string;
  /** 'invalid' (a bad request), 'not-found', 'forbidden', 'failed' */
  kind: 'invalid' | 'not-found' | 'forbidden' | 'failed';
}

export class ApiError extends Error {
  readonly kind: ApiErrorBody['kind'];
  constructor(kind: ApiErrorBody['kind'], message: string) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
  }
}

/** Validates a payload for a channel; throws an ApiError('invalid') naming the first problem. */
export function validate<C extends Channel>(channel: C, payload: unknown): Request<C> {
  const schema = requests[channel];
  if (!schema) throw new ApiError('invalid', `unknown call '${String(channel)}'`);
  return parseRequest(schema as z.ZodType, channel, payload ?? {}) as Request<C>;
}

/** Parses a call's payload with `schema`; a mismatch is an ApiError('invalid') naming the first problem. */
export function parseRequest<T>(schema: z.ZodType<T>, channel: string, payload: unknown): T {
  const r = schema.safeParse(payload);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? `'${issue.path.join('.')}'` : 'the request';
    throw new ApiError('invalid', `${channel}: ${where} ${issueSentence(issue, r.error.issues)}`);
  }
  return r.data;
}

const bound = (n: number | bigint): string => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));

/**
 * The problem of one issue in words: its own bound rather than zod's default text (a number past
 * 2^53 fails zod's integer check, whose bound, 9007199254740991, is not the call's).
 */
function issueSentence(issue: z.core.$ZodIssue, all: z.core.$ZodIssue[]): string {
  const samePath = all.filter((i) => i.code === issue.code && i.path.join('.') === issue.path.join('.'));
  if (issue.code === 'too_big' && (issue.origin === 'number' || issue.origin === 'int')) {
    const max = Math.min(...samePath.map((i) => Number((i as typeof issue).maximum)));
    return max >= Number.MAX_SAFE_INTEGER ? 'is too large' : `must be at most ${bound(max)}`;
  }
  if (issue.code === 'too_small' && (issue.origin === 'number' || issue.origin === 'int')) return `must be at least ${bound(issue.minimum)}`;
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return `is missing (it must be a${/^[aeiou]/.test(issue.expected) ? 'n' : ''} ${issue.expected})`;
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  return issue.message.replace(/^Invalid input: /, '').toLowerCase();
}
