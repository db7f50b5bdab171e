/**
 * The analyses behind every figure, computed on onnxruntime from any source (run folder, ONNX
 * checkpoint or folder of them). Views and commands only format what these return.
 */
import { drawnRows, rowSpans } from './heatmapRows.js';
import { lossAndAccuracy, type LossAccuracy, type TokenFeed } from '../onnx/session.js';
import { alignWeights, SourceError, type AnalysisSource } from './source.js';
import { pca, project, type ProjectionMethod, type ProjectOptions } from './projection.js';
import { targetsFor, type Dataset } from '../task/data.js';
import { silhouette } from './silhouette.js';
import { attentionFromTrajectory } from './attentionKernel.js';

/** Feeds for a source's train and test sets, concatenated into one batch, cached per source. */
const feeds = new WeakMap<AnalysisSource, { both: TokenFeed; nTrain: number }>();
function dataFeed(src: AnalysisSource): { both: TokenFeed; nTrain: number } {
  let f = feeds.get(src);
  if (!f) {
    const { train, test } = src.data;
    const tokens = new Int32Array(train.tokens.length + test.tokens.length);
    tokens.set(train.tokens);
    tokens.set(test.tokens, train.tokens.length);
    f = { both: src.session.tokens(tokens, src.checkpoint.T), nTrain: train.n };
    feeds.set(src, f);
  }
  return f;
}

/** Train and test loss and accuracy at flat weights (the source's layout). */
export async function evaluateWeights(src: AnalysisSource, weights: Float32Array): Promise<{ train: LossAccuracy; test: LossAccuracy }> {
  const { both, nTrain } = dataFeed(src);
  const V = src.checkpoint.V;
  const { logits } = await src.session.run(weights, both, ['logits']);
  const { train, test } = src.data;
  return {
    train: lossAndAccuracy(logits.subarray(0, nTrain * V), train.targets, V),
    test: lossAndAccuracy(logits.subarray(nTrain * V), test.targets, V),
  };
}

export async function accuracy(src: AnalysisSource, step = src.step): Promise<{ step: number; train: LossAccuracy; test: LossAccuracy }> {
  return { step, ...(await evaluateWeights(src, src.weightsAt(step))) };
}

function checkTokens(src: AnalysisSource, tokens: Int32Array): void {
  const { T, V } = src.checkpoint;
  if (tokens.length === 0 || tokens.length % T !== 0) throw new SourceError(`sequences must have length T = ${T}; got ${tokens.length} tokens`);
  const bad = tokens.findIndex((x) => !Number.isInteger(x) || x < 0 || x >= V);
  if (bad >= 0) throw new SourceError(`token ${tokens[bad]} at position ${bad % T} is outside the vocabulary {0..${V - 1}}`);
}

/** The most prefixes (p^k) embedded at once: 4^8 sequences keep one run under a second. */
const MAX_PREFIXES = 65_536;
/** Interpolation resolution and range: beyond |t| = 1,000 the weights leave float32's useful range. */
const MAX_POINTS = 10_001;
const MAX_T = 1_000;

/** Attention [n, T] (and predictions) of given sequences at one step. */
export async function attention(src: AnalysisSource, tokens: Int32Array, step = src.step): Promise<{ step: number; n: number; T: number; attention: Float32Array; prediction: Int32Array }> {
  checkTokens(src, tokens);
  const { T, V } = src.checkpoint;
  const out = await src.session.run(src.weightsAt(step), src.session.tokens(tokens, T), ['logits', 'attention']);
  const n = tokens.length / T;
  const prediction = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (out.logits[i * V + v] > out.logits[i * V + best]) best = v;
    prediction[i] = best;
  }
  return { step, n, T, attention: out.attention, prediction };
}

export interface AttentionOverTraining {
  steps: number[];
  n: number;
  T: number;
  /** float32 [steps, n, T] */
  values: Float32Array;
  /** int8 [steps, n, T]: +1 where attention grew since the previous snapshot, −1 where it shrank, 0 at the first or when equal */
  change: Int8Array;
  /** with maxRows: the stretch of the step axis each row stands for (heatmapRows.ts drawnRows) */
  spans?: [number, number][];
  /** the snapshots in the range, drawn or not */
  snapshots: number;
}

/**
 * The attention of given sequences at every snapshot in [from, to] (every `stride`-th); with
 * `maxRows`, only at the snapshots a heatmap of that many pixel rows draws (and the one before
 * each, for the sign of the change), so a 10,001-snapshot run costs a few hundred.
 */
export async function attentionOverTraining(
  src: AnalysisSource,
  tokens: Int32Array,
  opts: { from?: number; to?: number; stride?: number; maxRows?: number; signal?: AbortSignal } = {},
): Promise<AttentionOverTraining> {
  checkTokens(src, tokens);
  const { T } = src.checkpoint;
  const stride = opts.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) throw new SourceError(`the stride must be a whole number of snapshots ≥ 1, got ${stride}`);
  const inRange = src.steps.filter((s) => s >= (opts.from ?? -Infinity) && s <= (opts.to ?? Infinity)).filter((_, i) => i % stride === 0);
  if (inRange.length === 0) throw new SourceError(`no snapshots between steps ${opts.from ?? 'start'} and ${opts.to ?? 'end'}`);
  const rows = opts.maxRows ? drawnRows(rowSpans(inRange), opts.maxRows) : inRange.map((_, row) => ({ row, from: NaN, to: NaN }));
  // the snapshots computed: each row's and the one before it
  const computed = [...new Set(rows.flatMap(({ row }) => (row > 0 ? [row - 1, row] : [row])))].sort((a, b) => a - b);
  const n = tokens.length / T;
  const width = n * T;
  const all = await attentionAt(src, computed.map((r) => inRange[r]), tokens, n, opts.signal);
  const at = new Map(computed.map((r, i) => [r, i]));
  const values = new Float32Array(rows.length * width);
  const change = new Int8Array(values.length);
  rows.forEach(({ row }, i) => {
    const now = at.get(row)! * width;
    values.set(all.subarray(now, now + width), i * width);
    if (row === 0) return;
    const before = at.get(row - 1)! * width;
    for (let j = 0; j < width; j++) change[i * width + j] = Math.sign(all[now + j] - all[before + j]);
  });
  const steps = rows.map(({ row }) => inRange[row]);
  return { steps, n, T, values, change, snapshots: inRange.length, ...(opts.maxRows ? { spans: rows.map(({ from, to }) => [from, to] as [number, number]) } : {}) };
}

/** float32 [steps, n, T]: the attention of the sequences at each of the steps */
async function attentionAt(src: AnalysisSource, steps: number[], tokens: Int32Array, n: number, signal?: AbortSignal): Promise<Float32Array> {
  const { T } = src.checkpoint;
  const values = new Float32Array(steps.length * n * T);
  const fast = attentionFromTrajectory(src);
  if (fast) {
    fast(steps, tokens, values);
    return values;
  }
  const feed = src.session.tokens(tokens, T);
  for (let i = 0; i < steps.length; i++) {
    if (signal?.aborted) throw new SourceError('cancelled');
    const { attention: a } = await src.session.run(src.weightsAt(steps[i]), feed, ['attention']);
    values.set(a, i * n * T);
  }
  return values;
}

/** All p^k prefixes followed by zeros (the inputs of Fig. 4), in lexicographic order. */
export function prefixSequences(p: number, k: number, T: number): Int32Array {
  const count = Math.pow(p, k);
  if (count > 1 << 20) throw new SourceError(`${p}^${k} = ${count} prefixes are too many; choose a smaller p or k`);
  const out = new Int32Array(count * T);
  for (let c = 0; c < count; c++) {
    let x = c;
    for (let t = k - 1; t >= 0; t--) {
      out[c * T + t] = x % p;
      x = Math.floor(x / p);
    }
  }
  return out;
}

export interface Embeddings {
  step: number;
  n: number;
  d: number;
  /** float32 [n, d]: z_A of each sequence */
  zAttn: Float32Array;
  /** the sum of the first k tokens (not reduced mod p), the colour of Fig. 4 */
  labels: Int32Array;
  /** each sequence's target: the data's, or for prefixes followed by zeros, their sum mod p */
  targets: Int32Array;
  tokens: Int32Array;
  /** 2-D coordinates: z_A itself when d = 2, else its first two principal components */
  xy: Float64Array;
  explainedVariance: number[] | null;
  /** silhouette of z_A grouped by the prefix sum (null when there are fewer than 2 sums) */
  silhouette: number | null;
  /** how many distinct sums */
  classes: number;
}

/** z_A embeddings of all p^k prefixes followed by zeros, or of a dataset split. */
export async function embeddings(src: AnalysisSource, opts: { step?: number; set?: 'prefixes' | 'train' | 'test'; p?: number; k?: number } = {}): Promise<Embeddings> {
  const step = opts.step ?? src.step;
  const { T, d } = src.checkpoint;
  const k = opts.k ?? src.data.k;
  const p = opts.p ?? src.data.p;
  if (!Number.isInteger(k) || k < 1) throw new SourceError(`k must be a whole number ≥ 1, got ${k}`);
  if (!Number.isInteger(p) || p < 2) throw new SourceError(`p must be a whole number ≥ 2, got ${p}`);
  if (k > T) throw new SourceError(`k = ${k} is larger than the sequence length T = ${T}`);
  if (p > src.checkpoint.V) throw new SourceError(`p = ${p} is larger than the vocabulary V = ${src.checkpoint.V}`);
  const set = opts.set ?? 'prefixes';
  if (set === 'prefixes' && p ** k > MAX_PREFIXES) throw new SourceError(`p^k = ${p}^${k} = ${(p ** k).toLocaleString('en-US')} prefixes; the most shown at once is ${MAX_PREFIXES.toLocaleString('en-US')}: lower k or p, or use --set train or test`);
  const ds: Dataset | null = set === 'prefixes' ? null : src.data[set];
  const tokens = ds ? ds.tokens : prefixSequences(p, k, T);
  const n = tokens.length / T;
  const { zAttn } = await src.session.run(src.weightsAt(step), src.session.tokens(tokens, T), ['z_attn']);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) labels[i] += tokens[i * T + t];
  let xy: Float64Array;
  let explainedVariance: number[] | null = null;
  if (d === 2) {
    xy = Float64Array.from(zAttn);
  } else {
    const r = await pca({ data: zAttn, n, width: d }, 2);
    xy = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) for (let j = 0; j < Math.min(2, r.k); j++) xy[i * 2 + j] = r.coords[i * r.k + j];
    explainedVariance = r.explained;
  }
  const clusters = silhouette(zAttn, n, d, labels);
  const targets = ds ? ds.targets : targetsFor(tokens, T, src.data.k, p);
  return { step, n, d, zAttn, labels, targets, tokens, xy, explainedVariance, silhouette: clusters.score, classes: clusters.classes };
}

export interface SilhouetteOverTraining {
  steps: number[];
  /** one per step */
  silhouettes: (number | null)[];
  classes: number;
  p: number;
  k: number;
}

/** The silhouette of z_A by prefix sum at every snapshot in [from, to] (every `stride`-th). */
export async function silhouetteOverTraining(
  src: AnalysisSource,
  opts: { set?: 'prefixes' | 'train' | 'test'; p?: number; k?: number; from?: number; to?: number; stride?: number; signal?: AbortSignal } = {},
): Promise<SilhouetteOverTraining> {
  const stride = opts.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) throw new SourceError(`the stride must be a whole number of snapshots ≥ 1, got ${stride}`);
  const steps = src.steps.filter((s) => s >= (opts.from ?? -Infinity) && s <= (opts.to ?? Infinity)).filter((_, i, all) => i % stride === 0 || i === all.length - 1);
  if (steps.length === 0) throw new SourceError(`no snapshots between steps ${opts.from ?? 'start'} and ${opts.to ?? 'end'}`);
  const silhouettes: (number | null)[] = [];
  let classes = 0;
  for (const step of steps) {
    if (opts.signal?.aborted) throw new SourceError('cancelled');
    const e = await embeddings(src, { step, set: opts.set, p: opts.p, k: opts.k });
    silhouettes.push(e.silhouette);
    classes = e.classes;
  }
  return { steps, silhouettes, classes, p: opts.p ?? src.data.p, k: opts.k ?? src.data.k };
}

export interface InterpolationRow {
  t: number;
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
}

/** Loss and accuracy of (1 − t)·θ_A + t·θ_B, on A's data, for `points` values of t in [from, to]. */
export async function interpolate(a: AnalysisSource, b: AnalysisSource, opts: { points?: number; from?: number; to?: number; signal?: AbortSignal; onProgress?: (f: number) => void } = {}): Promise<InterpolationRow[]> {
  const points = opts.points ?? 101;
  const from = opts.from ?? 0;
  const to = opts.to ?? 1;
  if (!Number.isInteger(points) || points < 2 || points > MAX_POINTS) throw new SourceError(`--points must be a whole number from 2 to ${MAX_POINTS.toLocaleString('en-US')}, got ${points}`);
  if (!Number.isFinite(from) || !Number.isFinite(to) || Math.abs(from) > MAX_T || Math.abs(to) > MAX_T) throw new SourceError(`--from and --to must be numbers between -${MAX_T} and ${MAX_T} (further out the weights overflow float32), got ${from} and ${to}`);
  if (from >= to) throw new SourceError(`--from (${from}) must be smaller than --to (${to})`);
  const wa = a.weightsAt(a.step);
  const wb = alignWeights(a.checkpoint, b.checkpoint, b.weightsAt(b.step));
  const w = new Float32Array(wa.length);
  const rows: InterpolationRow[] = [];
  for (let i = 0; i < points; i++) {
    if (opts.signal?.aborted) throw new SourceError('cancelled');
    // round t to the grid's decimals so that CSV values read as written (0.27, not 0.27000000000000002)
    const t = Number((from + ((to - from) * i) / (points - 1)).toPrecision(12));
    for (let j = 0; j < w.length; j++) w[j] = (1 - t) * wa[j] + t * wb[j];
    const r = await evaluateWeights(a, w);
    rows.push({ t, train_loss: r.train.loss, train_acc: r.train.accuracy, test_loss: r.test.loss, test_acc: r.test.accuracy });
    opts.onProgress?.((i + 1) / points);
  }
  return rows;
}

export interface TrajectoryProjection {
  method: ProjectionMethod;
  runs: { label: string; path: string; steps: number[]; markers: { kind: 'start' | 'switch' | 'end'; step: number; index: number }[] }[];
  /** one row per snapshot, runs one after the other */
  points: { run: number; step: number; x: number; y: number }[];
  explainedVariance: number[] | null;
}

/** Projects the snapshots of one or several runs (same parameter layout) together. */
export async function projectTrajectories(sources: AnalysisSource[], opts: ProjectOptions & { every?: number }): Promise<TrajectoryProjection> {
  if (sources.length === 0) throw new SourceError('no runs to project');
  const first = sources[0];
  const every = Math.max(1, opts.every ?? 1);
  const selected = sources.map((s) => {
    const steps = s.steps.filter((step, i) => i === 0 || i === s.steps.length - 1 || step % every === 0 || s.phases.some((ph) => ph.end === step));
    return { src: s, steps };
  });
  const n = selected.reduce((a, s) => a + s.steps.length, 0);
  const width = first.checkpoint.total;
  const data = new Float32Array(n * width);
  let row = 0;
  for (const { src, steps } of selected) {
    // Rows of a run with the first run's layout are copied straight from its trajectory (the one copy).
    const trajectory = src.trajectory && sameOffsets(first, src) ? src.trajectory : null;
    const index = new Map(trajectory?.steps.map((s, i) => [s, i]));
    for (const step of steps) {
      const i = index.get(step);
      const target = data.subarray(row * width, (row + 1) * width);
      if (trajectory && i !== undefined) target.set(trajectory.data.subarray(i * width, (i + 1) * width));
      if (!trajectory || i === undefined || !allFinite(target)) {
        // the checked path: its errors say which run and step are unusable
        target.set(src === first ? src.weightsAt(step) : alignWeights(first.checkpoint, src.checkpoint, src.weightsAt(step)));
      }
      row++;
    }
  }
  const proj = await project({ data, n, width }, opts);
  const points: TrajectoryProjection['points'] = [];
  const runs: TrajectoryProjection['runs'] = [];
  row = 0;
  selected.forEach(({ src, steps }, r) => {
    const markers: TrajectoryProjection['runs'][number]['markers'] = [{ kind: 'start', step: steps[0], index: row }];
    for (const ph of src.phases.slice(0, -1)) {
      const i = steps.indexOf(ph.end);
      if (i >= 0) markers.push({ kind: 'switch', step: ph.end, index: row + i });
    }
    markers.push({ kind: 'end', step: steps[steps.length - 1], index: row + steps.length - 1 });
    for (const step of steps) {
      points.push({ run: r, step, x: proj.coords[row * proj.dims], y: proj.coords[row * proj.dims + 1] });
      row++;
    }
    runs.push({ label: src.label, path: src.path, steps, markers });
  });
  return { method: opts.method, runs, points, explainedVariance: proj.explainedVariance };
}

function sameOffsets(a: AnalysisSource, b: AnalysisSource): boolean {
  const pa = a.checkpoint.params;
  const pb = b.checkpoint.params;
  return a.checkpoint.total === b.checkpoint.total && pa.length === pb.length && pa.every((p, i) => p.name === pb[i].name && p.offset === pb[i].offset && p.size === pb[i].size);
}

/** Whether no entry is NaN or ±∞: x·0 is 0 for every finite x and NaN otherwise (one branch-free pass). */
function allFinite(w: Float32Array): boolean {
  let zero = 0;
  for (let j = 0; j < w.length; j++) zero += w[j] * 0;
  return zero === 0;
}
