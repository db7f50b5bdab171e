/**
 * UMAP's fuzzy simplicial set (McInnes, Healy & Melville 2018) from exact nearest neighbours,
 * on typed arrays, as umap-learn's fuzzy_simplicial_set computes it (local connectivity 1,
 * bandwidth 1, set_op_mix_ratio 1), with its pruning of edges below max / epochs and its
 * epochs-per-sample schedule. umap-js computes the same through a Map-backed sparse matrix, and
 * builds a search graph for transforms besides; that took a second of a two-second UMAP.
 */
import type { Neighbours } from './knn.js';

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** The graph's edges in row-major order (each undirected edge as both (i, j) and (j, i)). */
export interface FuzzyGraph {
  /** the end moved by the edge's attraction and its negative samples */
  head: Int32Array;
  tail: Int32Array;
  /** epochs between two samples of the edge (1 for the strongest edge) */
  epochsPerSample: Float64Array;
}

/**
 * ρ (distance to the nearest neighbour) and σ (so that Σ exp(−(d − ρ)/σ) = log2 k) of each point;
 * `knn` holds the k − 1 nearest other points of each, the point itself (distance 0) counting as the k-th.
 */
export function smoothKnnDist(dist: Float64Array, n: number, kOthers: number): { sigma: Float64Array; rho: Float64Array } {
  const k = kOthers + 1;
  const target = Math.log2(k);
  const sigma = new Float64Array(n);
  const rho = new Float64Array(n);
  let meanAll = 0;
  for (let e = 0; e < n * kOthers; e++) meanAll += dist[e];
  meanAll /= n * k;
  for (let i = 0; i < n; i++) {
    const row = i * kOthers;
    let r = 0;
    let sumRow = 0;
    for (let t = 0; t < kOthers; t++) {
      sumRow += dist[row + t];
      if (r === 0 && dist[row + t] > 0) r = dist[row + t];
    }
    rho[i] = r;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let iter = 0; iter < 64; iter++) {
      let psum = 0;
      for (let t = 0; t < kOthers; t++) {
        const d = dist[row + t] - r;
        psum += d > 0 ? Math.exp(-d / mid) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_K_DIST_SCALE * (r > 0 ? sumRow / k : meanAll);
    sigma[i] = Math.max(mid, floor);
  }
  return { sigma, rho };
}

/**
 * The symmetrised membership strengths A + Aᵀ − A∘Aᵀ of the k-nearest-neighbour graph (distances,
 * not squared), pruned and turned into edges with their sampling schedule for `epochs` epochs.
 */
export function fuzzyGraph(knn: Neighbours, n: number, epochs: number): FuzzyGraph {
  const k = knn.k;
  const dist = Float64Array.from(knn.sqDist, Math.sqrt);
  const { sigma, rho } = smoothKnnDist(dist, n, k);
  // A as rows of k (i → its neighbours), then each row's entries sorted by column
  const strength = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const d = dist[i * k + t] - rho[i];
      strength[i * k + t] = d <= 0 ? 1 : Math.exp(-d / sigma[i]);
    }
  }
  // Aᵀ in CSR: for each j, the rows i that have j as a neighbour
  const inCount = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) inCount[knn.index[e] + 1]++;
  for (let j = 0; j < n; j++) inCount[j + 1] += inCount[j];
  const inFrom = new Int32Array(n * k);
  const inStrength = new Float64Array(n * k);
  const fill = inCount.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = knn.index[i * k + t];
      inFrom[fill[j]] = i;
      inStrength[fill[j]++] = strength[i * k + t];
    }
  }
  // row i of the union: its own neighbours and the points that have i as a neighbour, merged by column
  const cols: number[] = [];
  const vals: number[] = [];
  const rowStart = new Int32Array(n + 1);
  const merged = new Map<number, number>();
  let max = 0;
  for (let i = 0; i < n; i++) {
    merged.clear();
    for (let t = 0; t < k; t++) merged.set(knn.index[i * k + t], strength[i * k + t]);
    const own = new Map(merged);
    for (let e = inCount[i]; e < inCount[i + 1]; e++) {
      const j = inFrom[e];
      const aji = inStrength[e];
      const aij = own.get(j) ?? 0;
      merged.set(j, aij + aji - aij * aji);
    }
    const row = [...merged.keys()].sort((a, b) => a - b);
    for (const j of row) {
      const v = merged.get(j)!;
      cols.push(j);
      vals.push(v);
      if (v > max) max = v;
    }
    rowStart[i + 1] = cols.length;
  }
  // umap-learn drops the edges too weak to be sampled once in `epochs` epochs
  const keep = max / epochs;
  let edges = 0;
  for (const v of vals) if (v >= keep && v > 0) edges++;
  const head = new Int32Array(edges);
  const tail = new Int32Array(edges);
  const epochsPerSample = new Float64Array(edges);
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let at = rowStart[i]; at < rowStart[i + 1]; at++) {
      const v = vals[at];
      if (!(v >= keep && v > 0)) continue;
      tail[e] = i;
      head[e] = cols[at];
      epochsPerSample[e] = max / v;
      e++;
    }
  }
  return { head, tail, epochsPerSample };
}
