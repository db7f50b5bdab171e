/**
 * Projections of parameter trajectories (Fig. 7): exact PCA through the Gram matrix of the
 * centred snapshots (snapshots ≪ parameters), with explained variance; t-SNE and UMAP on the
 * PCA-50 coordinates. Parameter vectors are never unit-normalised. Long work reports progress,
 * yields to the event loop and stops when its signal is aborted.
 */
import { UMAP } from 'umap-js';
import { matmul, topEigen, transpose } from './linalg.js';
import { checkCancel, tick } from './cancel.js';
import { tsne } from './tsne.js';
import { Rng } from '../task/rng.js';

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

/** PCA scores of the centred rows, through the n×n Gram matrix. */
export async function pca(
  input: ProjectionInput,
  k: number,
  opts: Pick<ProjectOptions, 'signal' | 'onProgress'> & { tol?: number; maxIter?: number } = {},
): Promise<{ coords: Float64Array; explained: number[]; k: number }> {
  const { data, n, width } = input;
  if (n < 2) throw new RangeError('a projection needs at least two snapshots');
  opts.onProgress?.('centring', 0);
  const mean = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) mean[j] += data[i * width + j];
  for (let j = 0; j < width; j++) mean[j] /= n;
  const centred = new Float32Array(n * width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) centred[i * width + j] = data[i * width + j] - mean[j];
  checkCancel(opts.signal);
  opts.onProgress?.('gram matrix', 0.2);
  await tick();
  const gram = await matmul(centred, transpose(centred, n, width), n, width, n);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += gram[i * n + i];
  checkCancel(opts.signal);
  opts.onProgress?.('eigenvectors', 0.6);
  await tick();
  k = Math.min(k, n - 1);
  const { values, vectors } = await topEigen(gram, n, k, { tol: opts.tol, maxIter: opts.maxIter });
  const coords = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    const scale = Math.sqrt(Math.max(values[j], 0));
    // a deterministic sign: the first snapshot has a non-positive coordinate
    const sign = vectors[j] > 0 ? -1 : 1;
    for (let i = 0; i < n; i++) coords[i * k + j] = sign * scale * vectors[i * k + j];
  }
  opts.onProgress?.('done', 1);
  return { coords, explained: Array.from(values, (v) => (trace > 0 ? Math.max(v, 0) / trace : 0)), k };
}

/** Projects snapshots (rows) to `dims` coordinates. */
export async function project(input: ProjectionInput, opts: ProjectOptions): Promise<Projection> {
  const dims = opts.dims ?? 2;
  if (opts.method === 'pca') {
    const r = await pca(input, Math.max(dims, 10), opts);
    const coords = new Float64Array(input.n * dims);
    for (let i = 0; i < input.n; i++) for (let j = 0; j < dims; j++) coords[i * dims + j] = j < r.k ? r.coords[i * r.k + j] : 0;
    return { method: 'pca', coords, dims, explainedVariance: r.explained };
  }
  if (dims !== 2) throw new RangeError(`${opts.method} projects to 2 dimensions here`);
  const stage = (name: string, a: number, b: number) => (s: string, f: number) => opts.onProgress?.(s === 'done' ? name : s, a + (b - a) * f);
  // The 50-D reduction only feeds neighbourhoods to t-SNE/UMAP: a looser subspace suffices.
  const reduced = await pca(input, 50, { signal: opts.signal, onProgress: stage('PCA-50', 0, 0.2), tol: 1e-4, maxIter: 12 });
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
  const rng = new Rng(opts.seed ?? 0);
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(opts.neighbors ?? 15, n - 1), minDist: 0.1, random: () => rng.uniform() });
  const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * k, (i + 1) * k)));
  const epochs = umap.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) {
      checkCancel(opts.signal);
      opts.onProgress?.('UMAP', 0.2 + (0.8 * e) / epochs);
      await tick();
    }
  }
  const emb = umap.getEmbedding();
  return { method: 'umap', coords: Float64Array.from(emb.flat()), dims: 2, explainedVariance: null };
}
