/**
 * Training curves (Fig. 5) of a run's metrics: smoothing, the summary a comparison table shows,
 * and the rows to draw. A plot is a thousand or so pixels wide and a long run has 100,000 rows,
 * so the rows drawn are chosen per pixel column (M4: Jugel et al., VLDB 2014): in each bucket of
 * steps the first and last row and the rows of every column's minimum and maximum, which draws
 * the same lines at a fraction of the points. Every row kept is a row of the file, never an
 * average; the full table is there for tooltips and CSV. No imports: the renderer uses the
 * smoothing and the summary too, and the api contract their types.
 */

/** The columns that are smoothed and drawn (every number column of metrics.csv but the step and p). */
export const CURVE_COLUMNS = ['train_loss', 'train_acc', 'test_loss', 'test_acc', 'heldout_loss', 'heldout_acc'] as const;
export type CurveColumn = (typeof CURVE_COLUMNS)[number];

/** A run's metrics as columns (runs/runFolder.ts readMetricColumns), NaN for a missing value. */
export type MetricColumnsLike = { rows: number; step: ArrayLike<number>; p: ArrayLike<number> } & Record<CurveColumn, ArrayLike<number>>;
export const MAX_SMOOTHING = 0.99;

/**
 * Exponential moving average, y_i = s·y_{i-1} + (1−s)·x_i, starting at the first value. Missing
 * values (null, NaN) stay missing and do not reset the average. s is clamped to [0, 0.99].
 */
export function ema(values: ArrayLike<number | null>, smoothing: number): (number | null)[] {
  const y = emaColumn(values, smoothing);
  // without smoothing every value is kept as it is; with it, a missing one is null
  const raw = !(smoothing > 0);
  return Array.from(y, (v, i) => (Number.isNaN(v) ? (raw ? values[i] ?? null : null) : v));
}

/** ema of the first `length` values into a Float64Array, NaN where a value is missing. */
export function emaColumn(values: ArrayLike<number | null>, smoothing: number, length = values.length): Float64Array {
  const s = Math.min(MAX_SMOOTHING, Math.max(0, Number.isFinite(smoothing) ? smoothing : 0));
  const out = new Float64Array(length);
  let y = NaN;
  for (let i = 0; i < length; i++) {
    const x = values[i];
    if (x === null || !Number.isFinite(x)) out[i] = NaN;
    else out[i] = y = s === 0 || Number.isNaN(y) ? x : s * y + (1 - s) * x;
  }
  return out;
}

export interface CurveSummary {
  lastStep: number | null;
  finalTrainAcc: number | null;
  finalTestAcc: number | null;
  finalHeldoutAcc: number | null;
  /** first logged step on the final p whose test accuracy is ≥ the threshold (null: never) */
  firstStepAbove: number | null;
}

const present = (x: number | null | undefined): x is number => x !== null && x !== undefined && !Number.isNaN(x);
const lastValue = (xs: ArrayLike<number | null>): number | null => {
  for (let i = xs.length - 1; i >= 0; i--) if (present(xs[i])) return xs[i];
  return null;
};

/**
 * Final accuracies and when the test accuracy first reached `threshold` (the paper's success:
 * 0.99) on the final task: rows logged on an easier modulus (the curriculum's p = 2 phase) do not
 * count, or a curriculum would "succeed" before it has seen p = 4.
 */
export function summarizeCurves(m: { step: ArrayLike<number>; p: ArrayLike<number>; train_acc: ArrayLike<number | null>; test_acc: ArrayLike<number | null>; heldout_acc: ArrayLike<number | null> }, threshold = 0.99): CurveSummary {
  const n = m.step.length;
  const finalP = m.p[n - 1];
  let first: number | null = null;
  for (let j = 0; j < n && first === null; j++) {
    const x = m.test_acc[j];
    if (present(x) && x >= threshold && m.p[j] === finalP) first = m.step[j];
  }
  return { lastStep: n ? m.step[n - 1] : null, finalTrainAcc: lastValue(m.train_acc), finalTestAcc: lastValue(m.test_acc), finalHeldoutAcc: lastValue(m.heldout_acc), firstStepAbove: first };
}

/** How many rows a bucket may keep: its first and last, and a minimum and a maximum per column. */
export const rowsPerBucket = (columns: number): number => 2 + 2 * columns;

/**
 * The rows (ascending indices into `step`) to draw rows `from`…`to − 1` with at most `maxPoints`
 * points: all of them when they fit, else per bucket of equal width in steps (in log steps with
 * `logSteps`) the first, the last and each column's minimum and maximum (missing values are
 * skipped). The first and last row of the range are always kept.
 */
export function downsampleRows(step: ArrayLike<number>, columns: ArrayLike<number>[], maxPoints: number, opts: { logSteps?: boolean; from?: number; to?: number } = {}): Int32Array {
  const from = opts.from ?? 0;
  const to = opts.to ?? step.length;
  const count = Math.max(0, to - from);
  if (count <= maxPoints) return Int32Array.from({ length: count }, (_, i) => from + i);
  const used = columns.filter((c) => {
    for (let i = from; i < to; i++) if (!Number.isNaN(c[i])) return true;
    return false;
  });
  const buckets = Math.max(1, Math.floor(maxPoints / rowsPerBucket(used.length)));
  const x = (i: number) => (opts.logSteps ? Math.log(Math.max(step[i], 1)) : step[i]);
  const x0 = x(from);
  const span = x(to - 1) - x0 || 1;
  const keep = new Uint8Array(count);
  const low = new Int32Array(used.length);
  const high = new Int32Array(used.length);
  let start = from;
  while (start < to) {
    // rows are in step order: a bucket is a run of consecutive rows
    const b = Math.min(buckets - 1, Math.floor(((x(start) - x0) / span) * buckets));
    let end = start + 1;
    while (end < to && Math.min(buckets - 1, Math.floor(((x(end) - x0) / span) * buckets)) <= b) end++;
    keep[start - from] = 1;
    keep[end - 1 - from] = 1;
    low.fill(-1);
    high.fill(-1);
    for (let i = start; i < end; i++) {
      for (let c = 0; c < used.length; c++) {
        const v = used[c][i];
        if (Number.isNaN(v)) continue;
        if (low[c] < 0 || v < used[c][low[c]]) low[c] = i;
        if (high[c] < 0 || v > used[c][high[c]]) high[c] = i;
      }
    }
    for (let c = 0; c < used.length; c++) {
      if (low[c] >= 0) keep[low[c] - from] = 1;
      if (high[c] >= 0) keep[high[c] - from] = 1;
    }
    start = end;
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (keep[i]) out.push(from + i);
  return Int32Array.from(out);
}

export interface CurvesRequest {
  /** at most this many rows (all of them when omitted) */
  maxPoints?: number;
  /** exponential smoothing of the loss and accuracy columns, 0 … 0.99, applied to the full table */
  smoothing?: number;
  /** buckets of equal width on a log step axis */
  logSteps?: boolean;
  /** the columns drawn, whose extremes each bucket keeps (default: all) */
  drawn?: readonly CurveColumn[];
  /** only the rows with from ≤ step ≤ to */
  from?: number;
  to?: number;
}

export interface CurvesTable {
  /** the rows chosen, as columns; a missing value is null */
  step: number[];
  p: number[];
  columns: Record<CurveColumn, (number | null)[]>;
  /** rows in the file, and how many of them lie in the requested range */
  rows: number;
  rowsInRange: number;
  smoothing: number;
  /** of the unsmoothed full table */
  summary: CurveSummary;
}

/** The rows of a run's curves to draw or export, smoothed over the whole run and downsampled. */
export function curvesTable(m: MetricColumnsLike, req: CurvesRequest = {}): CurvesTable {
  const smoothing = Math.min(MAX_SMOOTHING, Math.max(0, req.smoothing ?? 0));
  // rows are in step order (training appends them so; a resume truncates before it appends)
  let from = 0;
  while (from < m.rows && req.from !== undefined && m.step[from] < req.from) from++;
  let to = m.rows;
  while (to > from && req.to !== undefined && m.step[to - 1] > req.to) to--;
  // a row's average depends on the rows before it only: the rows past the range are not smoothed
  const smoothed = CURVE_COLUMNS.map((c) => (smoothing > 0 ? emaColumn(m[c], smoothing, to) : m[c]));
  const extremes = req.drawn ? smoothed.filter((_, j) => req.drawn!.includes(CURVE_COLUMNS[j])) : smoothed;
  const rows = downsampleRows(m.step, extremes, req.maxPoints ?? Infinity, { logSteps: req.logSteps, from, to });
  const pick = (col: ArrayLike<number>) => Array.from(rows, (i) => (Number.isFinite(col[i]) ? col[i] : null));
  return {
    step: Array.from(rows, (i) => m.step[i]),
    p: Array.from(rows, (i) => m.p[i]),
    columns: Object.fromEntries(CURVE_COLUMNS.map((c, j) => [c, pick(smoothed[j])])) as CurvesTable['columns'],
    rows: m.rows,
    rowsInRange: to - from,
    smoothing,
    summary: summarizeCurves(m),
  };
}
