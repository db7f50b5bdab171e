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
  const approx = new Float64Array(n);
  const work = new Float64Array(n);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    checkCancel(signal);
    const rows = Math.min(BLOCK, n - i0);
    const gram = await matmul(x32.subarray(i0 * dim, (i0 + rows) * dim), xt, rows, dim, n);
    for (let r = 0; r < rows; r++) selectRow(points, n, dim, i0 + r, gram, r * n, sq, k, m, cand, candD, approx, work, index, sqDist);
    onProgress?.((i0 + rows) / n);
    await tick();
  }
  return { k, index, sqDist };
}

/** Candidates for row i by the float32 distances, then the k best by exact float64 distances. */
function selectRow(points: Float64Array, n: number, dim: number, i: number, gram: Float32Array, g0: number, sq: Float64Array, k: number, m: number, cand: Int32Array, candD: Float64Array, approx: Float64Array, work: Float64Array, index: Int32Array, sqDist: Float64Array): void {
  // the m smallest float32 distances: a threshold by quickselect, then one pass (O(n), whatever the order)
  const sqi = sq[i];
  for (let j = 0; j < n; j++) approx[j] = j === i ? Infinity : sqi + sq[j] - 2 * gram[g0 + j];
  work.set(approx);
  const threshold = kthSmallest(work, n, m - 1);
  let size = 0;
  for (let j = 0; j < n && size < m; j++) if (approx[j] < threshold) cand[size++] = j;
  for (let j = 0; j < n && size < m; j++) if (approx[j] === threshold) cand[size++] = j;
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

/** The r-th smallest (0-based) of a[0..n) by quickselect (Hoare partition); reorders a. */
export function kthSmallest(a: Float64Array, n: number, r: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i] = a[j];
        a[j] = x;
        i++;
        j--;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return a[r];
  }
  return a[r];
}
