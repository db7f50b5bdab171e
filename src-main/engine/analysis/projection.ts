/**
 * Projections of parameter trajectories (Fig. 7): PCA by randomised SVD of the centred
 * snapshots, with explained variance; t-SNE and UMAP on the
 * PCA-50 coordinates. Parameter vectors are never unit-normalised. Long work reports progress,
 * yields to the event loop and stops when its signal is aborted.
 */
import { matmul, orthonormalize, symmetricEigen } from './linalg.js';
import { checkCancel, tick } from './cancel.js';
import { tsne } from './tsne.js';
import { umapLayout } from './umap.js';

export { CancelledError } from './cancel.js';

export type ProjectionMethod = 'pca' | 'tsne' | 'umap';

export interface ProjectionInput {
  /** snapshot-major float32 [n, width] */
  data: Float32Array;
  n: number;
  width: number;
}

export interface ProjectOptions {
  method: ProjectionMethod;
  dims?: number;
  seed?: number;
  perplexity?: number;
  iterations?: number;
  neighbors?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number) => void;
}

export interface Projection {
  method: ProjectionMethod;
  /** float64 [n, dims] */
  coords: Float64Array;
  dims: number;
  /** PCA only: fraction of the total variance along each component */
  explainedVariance: number[] | null;
}

/**
 * PCA scores of the centred rows by randomised SVD (Halko, Martinsson & Tropp 2011): only the
 * `k` components asked for, from products of the trajectory with thin matrices, so the cost is
 * O(n·width·(k + 10)) per pass instead of the O(n²·width) of a Gram matrix. The trajectory is
 * never copied: centring enters each product as a rank-one correction.
 */
export async function pca(
  input: ProjectionInput,
  k: number,
  opts: Pick<ProjectOptions, 'signal' | 'onProgress'> & { powerIterations?: number } = {},
): Promise<{ coords: Float64Array; explained: number[]; k: number }> {
  const { data, n, width } = input;
  if (n < 2) throw new RangeError('a projection needs at least two snapshots');
  opts.onProgress?.('centring', 0);
  const { mean, total } = centre(data, n, width);
  checkCancel(opts.signal);
  k = Math.min(k, n - 1);
  const l = Math.min(n, width, k + 10);
  // (X − 1μᵀ) M for M [width, l]
  const timesRight = async (m: Float32Array): Promise<Float64Array> => subtractShift(await matmul(data, m, n, width, l), mean, m, n, width, l);
  // Yᵀ (X − 1μᵀ) for Y [n, l], as [l, width]
  const leftTimes = async (y: Float64Array): Promise<Float64Array> => {
    const { yt, colSum } = transposeWithSums(y, n, l);
    return subtractOuter(await matmul(yt, data, l, n, width), colSum, mean, l, width);
  };
  const step = async (stage: string, fraction: number) => {
    checkCancel(opts.signal);
    opts.onProgress?.(stage, fraction);
    await tick();
    checkCancel(opts.signal);
  };
  const rand = xorshift(1);
  const omega = new Float32Array(width * l);
  for (let c = 0; c < omega.length; c++) omega[c] = rand(); // a loop: Float32Array.from over { length } took ~90 ms here
  let y = await timesRight(omega);
  const passes = opts.powerIterations ?? 4;
  for (let pass = 0; pass < passes; pass++) {
    await step('power iteration', 0.1 + (0.7 * pass) / passes);
    orthonormalize(y, n, l, 1); // a power iteration needs a well-conditioned basis, not an exact one
    const z = await leftTimes(y);
    await step('power iteration', 0.1 + (0.7 * (pass + 0.5)) / passes);
    y = await timesRight(transposeToFloat32(z, l, width));
  }
  await step('eigenvectors', 0.85);
  orthonormalize(y, n, l);
  const b = await leftTimes(y); // B = Qᵀ Xc [l, width]; Xc ≈ Q B
  const { values, vectors } = symmetricEigen(rowGram(b, l, width), l); // B Bᵀ = U S² Uᵀ; scores = Q U S
  const coords = scores(y, vectors, values, n, l, k);
  opts.onProgress?.('done', 1);
  return { coords, explained: Array.from(values.slice(0, k), (v) => (total > 0 ? Math.max(v, 0) / total : 0)), k };
}

/**
 * Column means and the total squared deviation from them, in one pass over the data (sums and sums
 * of squares in float64; a plain function: V8 optimises its loops, not those of the long async pca).
 */
function centre(data: Float32Array, n: number, width: number): { mean: Float64Array; total: number } {
  const mean = new Float64Array(width);
  const squares = new Float64Array(width);
  // four rows at a time: a quarter of the read-modify-writes of the sums
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = i * width;
    const r1 = r0 + width;
    const r2 = r1 + width;
    const r3 = r2 + width;
    for (let j = 0; j < width; j++) {
      const a = data[r0 + j];
      const b = data[r1 + j];
      const c = data[r2 + j];
      const d = data[r3 + j];
      mean[j] += a + b + c + d;
      squares[j] += a * a + b * b + c * c + d * d;
    }
  }
  for (; i < n; i++) {
    const row = i * width;
    for (let j = 0; j < width; j++) {
      const x = data[row + j];
      mean[j] += x;
      squares[j] += x * x;
    }
  }
  let total = 0;
  for (let j = 0; j < width; j++) {
    mean[j] /= n;
    total += Math.max(squares[j] - n * mean[j] * mean[j], 0);
  }
  return { mean, total };
}

// The loops of pca in plain functions: V8 optimises those, not loops in a long async function.

/** out − 1 (μᵀ m), out = X m as float32 [n, l], to float64. */
function subtractShift(product: Float32Array, mean: Float64Array, m: Float32Array, n: number, width: number, l: number): Float64Array {
  const shift = new Float64Array(l);
  for (let r = 0; r < width; r++) {
    const mr = mean[r];
    for (let c = 0; c < l; c++) shift[c] += mr * m[r * l + c];
  }
  const out = new Float64Array(n * l);
  for (let i = 0; i < n; i++) for (let c = 0; c < l; c++) out[i * l + c] = product[i * l + c] - shift[c];
  return out;
}

/** yᵀ as float32 [l, n], and the column sums of y [n, l]. */
function transposeWithSums(y: Float64Array, n: number, l: number): { yt: Float32Array; colSum: Float64Array } {
  const yt = new Float32Array(l * n);
  const colSum = new Float64Array(l);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < l; c++) {
      const v = y[i * l + c];
      yt[c * n + i] = v;
      colSum[c] += v;
    }
  }
  return { yt, colSum };
}

/** product − colSum μᵀ, product [l, width] float32, to float64. */
function subtractOuter(product: Float32Array, colSum: Float64Array, mean: Float64Array, l: number, width: number): Float64Array {
  const out = new Float64Array(l * width);
  for (let c = 0; c < l; c++) {
    const s = colSum[c];
    const row = c * width;
    for (let j = 0; j < width; j++) out[row + j] = product[row + j] - s * mean[j];
  }
  return out;
}

function transposeToFloat32(a: Float64Array, m: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/** B Bᵀ for B [l, width]. */
function rowGram(b: Float64Array, l: number, width: number): Float64Array {
  const h = new Float64Array(l * l);
  for (let a = 0; a < l; a++) {
    for (let c = a; c < l; c++) {
      let s = 0;
      for (let j = 0; j < width; j++) s += b[a * width + j] * b[c * width + j];
      h[a * l + c] = s;
      h[c * l + a] = s;
    }
  }
  return h;
}

/** The scores Q U S of the first k components, each signed so that the first snapshot's is ≤ 0. */
function scores(q: Float64Array, vectors: Float64Array, values: Float64Array, n: number, l: number, k: number): Float64Array {
  const coords = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let c = 0; c < l; c++) s += q[i * l + c] * vectors[c * l + j];
      coords[i * k + j] = s * Math.sqrt(Math.max(values[j], 0));
    }
  }
  for (let j = 0; j < k; j++) {
    // a deterministic sign: the first snapshot has a non-positive coordinate
    if (coords[j] > 0) for (let i = 0; i < n; i++) coords[i * k + j] = -coords[i * k + j];
  }
  return coords;
}

function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
}

/** Projects snapshots (rows) to `dims` coordinates. */
export async function project(input: ProjectionInput, opts: ProjectOptions): Promise<Projection> {
  const dims = opts.dims ?? 2;
  if (opts.method === 'pca') {
    // two power iterations: on the fig5 pair the first two components then agree with eight's to 1e-6
    const r = await pca(input, Math.max(dims, 10), { ...opts, powerIterations: 2 });
    const coords = new Float64Array(input.n * dims);
    for (let i = 0; i < input.n; i++) for (let j = 0; j < dims; j++) coords[i * dims + j] = j < r.k ? r.coords[i * r.k + j] : 0;
    return { method: 'pca', coords, dims, explainedVariance: r.explained };
  }
  if (dims !== 2) throw new RangeError(`${opts.method} projects to 2 dimensions here`);
  const stage = (name: string, a: number, b: number) => (s: string, f: number) => opts.onProgress?.(s === 'done' ? name : s, a + (b - a) * f);
  // The 50-D reduction only feeds neighbourhoods to t-SNE/UMAP: a looser subspace suffices (one
  // power iteration: on the fig5 pair 99.98 % of the 15 nearest neighbours are those after six).
  const reduced = await pca(input, 50, { signal: opts.signal, onProgress: stage('PCA-50', 0, 0.2), powerIterations: 1 });
  const n = input.n;
  const k = reduced.k;
  const points = reduced.coords;
  if (opts.method === 'tsne') {
    const std = Math.sqrt(points.reduce((a, _, i) => (i % k === 0 ? a + points[i] ** 2 : a), 0) / n) || 1;
    const init = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      init[2 * i] = (points[i * k] / std) * 1e-4;
      init[2 * i + 1] = k > 1 ? (points[i * k + 1] / std) * 1e-4 : 0;
    }
    const coords = await tsne(points, n, k, init, { ...opts, onProgress: stage('t-SNE', 0.2, 1) });
    return { method: 'tsne', coords, dims: 2, explainedVariance: null };
  }
  const coords = await umapLayout(points, n, k, { neighbors: opts.neighbors, seed: opts.seed, signal: opts.signal, onProgress: stage('UMAP', 0.2, 1) });
  return { method: 'umap', coords, dims: 2, explainedVariance: null };
}
