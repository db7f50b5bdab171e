/**
 * Exact nearest neighbours of a few thousand points in ~50 dimensions (the PCA-50 of a
 * trajectory), for t-SNE's affinities and UMAP's graph. Squared distances of a block of rows to
 * all rows come from one product on onnxruntime (‖x‖² + ‖y‖² − 2 x·y in float32), which picks
 * k + 8 candidates; their distances are then recomputed exactly in float64 and sorted, so
 * cancellation in the float32 form cannot reorder near neighbours.
 */
import { checkCancel, tick } from './cancel.js';
import { matmul } from './linalg.js';

export interface Neighbours {
  k: number;
  /** [n, k]: the k nearest other points of each point, nearest first */
  index: Int32Array;
  /** [n, k]: their squared Euclidean distances (float64) */
  sqDist: Float64Array;
}

const BLOCK = 256;
const SPARE = 8;

export async function nearestNeighbours(points: Float64Array, n: number, dim: number, k: number, signal?: AbortSignal, onProgress?: (fraction: number) => void): Promise<Neighbours> {
  k = Math.min(k, n - 1);
  const m = Math.min(n - 1, k + SPARE);
  const x32 = Float32Array.from(points);
  const xt = new Float32Array(dim * n);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < dim; c++) {
      xt[c * n + i] = points[i * dim + c];
      s += x32[i * dim + c] * x32[i * dim + c];
    }
    sq[i] = s;
  }
  const index = new Int32Array(n * k);
  const sqDist = new Float64Array(n * k);
  const cand = new Int32Array(m);
  const candD = new Float64Array(m);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    checkCancel(signal);
    const rows = Math.min(BLOCK, n - i0);
    const gram = await matmul(x32.subarray(i0 * dim, (i0 + rows) * dim), xt, rows, dim, n);
    for (let r = 0; r < rows; r++) selectRow(points, n, dim, i0 + r, gram, r * n, sq, k, m, cand, candD, index, sqDist);
    onProgress?.((i0 + rows) / n);
    await tick();
  }
  return { k, index, sqDist };
}

/** Candidates for row i by the float32 distances, then the k best by exact float64 distances. */
function selectRow(points: Float64Array, n: number, dim: number, i: number, gram: Float32Array, g0: number, sq: Float64Array, k: number, m: number, cand: Int32Array, candD: Float64Array, index: Int32Array, sqDist: Float64Array): void {
  // the m smallest float32 distances in one pass: a max-heap of m candidates (candD holds their
  // distances), which most points fail to enter at a single comparison with its top; the pass
  // starts at the m points around i, since a trajectory's neighbours are mostly its adjacent
  // snapshots, so the heap's top is near its final value early and few points enter it
  const sqi = sq[i];
  const from = Math.max(0, Math.min(i - (m >> 1), n - m - 1));
  let size = 0;
  let t = from;
  for (; size < m; t++) {
    const j = t < n ? t : t - n;
    if (j !== i) heapPush(cand, candD, size++, j, sqi + sq[j] - 2 * gram[g0 + j]);
  }
  // the rest against the top, kept in a local
  let top = candD[0];
  for (const end = from + n; t < end; t++) {
    const j = t < n ? t : t - n;
    const d = sqi + sq[j] - 2 * gram[g0 + j];
    if (d < top && j !== i) {
      heapReplaceTop(cand, candD, m, j, d);
      top = candD[0];
    }
  }
  exactSorted(points, dim, i, k, size, cand, candD, index, sqDist);
}

/** The candidates' exact float64 distances, sorted (ties by index), the k best written to row i. */
function exactSorted(points: Float64Array, dim: number, i: number, k: number, size: number, cand: Int32Array, candD: Float64Array, index: Int32Array, sqDist: Float64Array): void {
  // exact distances of the candidates, then insertion-sorted (ties by index)
  for (let t = 0; t < size; t++) {
    const j = cand[t];
    let s = 0;
    for (let c = 0; c < dim; c++) {
      const d = points[i * dim + c] - points[j * dim + c];
      s += d * d;
    }
    candD[t] = s;
  }
  for (let t = 1; t < size; t++) {
    const j = cand[t];
    const d = candD[t];
    let at = t;
    while (at > 0 && (candD[at - 1] > d || (candD[at - 1] === d && cand[at - 1] > j))) {
      candD[at] = candD[at - 1];
      cand[at] = cand[at - 1];
      at--;
    }
    candD[at] = d;
    cand[at] = j;
  }
  for (let t = 0; t < k; t++) {
    index[i * k + t] = cand[t];
    sqDist[i * k + t] = candD[t];
  }
}

/** Adds (j, d) to the max-heap of `size` entries keyed by d. */
function heapPush(idx: Int32Array, key: Float64Array, size: number, j: number, d: number): void {
  let at = size;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (key[parent] >= d) break;
    idx[at] = idx[parent];
    key[at] = key[parent];
    at = parent;
  }
  idx[at] = j;
  key[at] = d;
}

/** Replaces the largest entry of the max-heap of `size` entries by (j, d). */
function heapReplaceTop(idx: Int32Array, key: Float64Array, size: number, j: number, d: number): void {
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) break;
    const right = left + 1;
    const big = right < size && key[right] > key[left] ? right : left;
    if (key[big] <= d) break;
    idx[at] = idx[big];
    key[at] = key[big];
    at = big;
  }
  idx[at] = j;
  key[at] = d;
}
