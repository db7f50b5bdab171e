/**
 * The one contract between the workbench's views and its engine: every call's request and
 * response, validated at runtime with zod. The Electron IPC bridge, the HTTP server and the
 * tests all go through the same handler table (handlers.ts); nothing else computes science.
 */
import { z } from 'zod';
import { RUN_NAME_PATTERN, RUN_NAME_RULE } from './runName.js';

const id = z.string().min(1).max(200);
const step = z.number().int().min(0);
const token = z.number().int().min(0).max(1_000);
const sequences = z.array(z.array(token).min(1).max(64)).min(1).max(512);
const smallInt = z.number().int().min(0).max(1_000_000);

/** Request schemas, one per call. */
export const requests = {
  'workspace.list': z.object({}).strict(),
  'source.open': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'source.close': z.object({ id }).strict(),
  'source.metrics': z.object({ id }).strict(),
  'analysis.accuracy': z.object({ id, step: step.optional() }).strict(),
  'analysis.attention': z.object({ id, step, tokens: sequences, p: z.number().int().min(2).max(64).optional() }).strict(),
  'analysis.attentionOverTraining': z.object({ id, tokens: sequences.max(16), from: step.optional(), to: step.optional(), stride: z.number().int().min(1).max(10_000).optional() }).strict(),
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
      seed: smallInt.optional(),
      /** path=value overrides, as on the command line (model.d, phases.0.steps, …) */
      overrides: z.record(z.string().max(64), z.union([z.number().finite(), z.string().max(64), z.boolean()])).optional(),
      maxSteps: z.number().int().min(1).max(10_000_000).optional(),
      /** a name for the run folder (created under the first workspace) */
      name: z.string().regex(RUN_NAME_PATTERN, RUN_NAME_RULE).optional(),
    })
    .strict(),
  'experiment.start': z.object({ experiment: z.enum(['fig5']), seeds: z.string().regex(/^[\d,\s-]{1,64}$/), maxSteps: z.number().int().min(1).max(10_000_000).optional(), name: z.string().regex(RUN_NAME_PATTERN, RUN_NAME_RULE).optional() }).strict(),
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
  status: 'running' | 'complete' | 'failed' | 'cancelled' | null;
  preset: string | null;
  seed: number | null;
  T: number;
  V: number;
  d: number;
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

export interface LossAccuracy {
  loss: number;
  accuracy: number;
}

export interface JobInfo {
  jobId: string;
  kind: 'train' | 'experiment' | 'project';
  label: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** 0..1 */
  fraction: number;
  stage: string;
  /** where a training or experiment writes */
  outDir: string | null;
  message: string | null;
}

export interface TrainProgressPoint {
  step: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
}

export interface ProjectionResult {
  method: 'pca' | 'tsne' | 'umap';
  runs: { id: string; label: string; steps: number[]; markers: { kind: 'start' | 'switch' | 'end'; step: number; index: number }[] }[];
  points: { run: number; step: number; x: number; y: number }[];
  explainedVariance: number[] | null;
}

/** Events pushed to the views while jobs run. */
export type JobEvent =
  | { type: 'progress'; job: JobInfo; point?: TrainProgressPoint }
  | { type: 'done'; job: JobInfo; result?: unknown }
  | { type: 'failed'; job: JobInfo }
  | { type: 'cancelled'; job: JobInfo };

export interface Responses {
  'workspace.list': { sources: SourceInfo[]; available: { path: string; label: string; kind: 'run' | 'onnx' | 'onnx-folder' }[]; workspaces: string[]; /** the bundled demo runs, opened when nothing else is */ demo: string[] };
  'source.open': SourceInfo;
  'source.close': { closed: boolean };
  'source.metrics': MetricsTable;
  'analysis.accuracy': { step: number; train: LossAccuracy; test: LossAccuracy };
  'analysis.attention': { step: number; previousStep: number | null; attention: number[][]; previous: number[][] | null; prediction: number[]; target: number[]; /** the modulus of the targets */ p: number; /** the modulus of the phase the step lies in (null: no phases) */ phaseP: number | null };
  'analysis.attentionOverTraining': { steps: number[]; T: number; k: number; values: number[][][]; change: number[][][] };
  'analysis.embeddings': { step: number; d: number; p: number; k: number; points: { x: number; y: number; label: number; tokens: string }[]; explainedVariance: number[] | null; /** the modulus of the phase the step lies in (null: no phases) */ phaseP: number | null };
  'analysis.interpolate': { rows: { t: number; train_loss: number; train_acc: number; test_loss: number; test_acc: number }[]; a: string; b: string };
  'analysis.project': JobInfo;
  'train.presets': { name: string; description: string; config: unknown }[];
  'train.start': JobInfo;
  'experiment.start': JobInfo;
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
  const r = schema.safeParse(payload ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? `'${issue.path.join('.')}'` : 'the request';
    throw new ApiError('invalid', `${channel}: ${where} ${issue.message.replace(/^Invalid input: /, '').toLowerCase()}`);
  }
  return r.data as Request<C>;
}

/** The interface the renderer depends on: one method per call, plus job events. */
export type WorkbenchCalls = { [C in Channel]: (req: Request<C>) => Promise<Response<C>> };
