/**
 * UMAP of a trajectory's PCA-50 coordinates: the fuzzy graph of exact nearest neighbours
 * (knn.ts, umap-graph.ts) and the layout's stochastic gradient descent as umap-learn and umap-js
 * run it (moving both ends of an edge, five negative samples per sample, clipped gradients), on
 * typed arrays. As umap-learn with init='pca', the layout starts from the first two principal
 * components scaled to ±10.
 */
import { checkCancel, tick } from './cancel.js';
import { nearestNeighbours } from './knn.js';
import { fuzzyGraph } from './umap-graph.js';
import { Rng } from '../task/rng.js';

/** Optimisation epochs: umap-learn's and uwot's default for large data sets (umap-js runs 500 below 2,500 points). */
export const UMAP_EPOCHS = 200;

/** umap-learn's curve 1 / (1 + a d^2b) for min_dist 0.1 and spread 1 (its find_ab_params). */
export const UMAP_A = 1.5769434603113077;
export const UMAP_B = 0.8950608781227859;
const NEGATIVE_SAMPLE_RATE = 5;

export interface UmapOptions {
  neighbors?: number;
  seed?: number;
  epochs?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number) => void;
}

/** 2-D UMAP coordinates of points [n, dim] (principal components, largest first), float64 [n, 2]. */
export async function umapLayout(points: Float64Array, n: number, dim: number, opts: UmapOptions): Promise<Float64Array> {
  const rng = new Rng(opts.seed ?? 0);
  const nNeighbors = Math.min(opts.neighbors ?? 15, n - 1);
  const epochs = opts.epochs ?? UMAP_EPOCHS;
  // umap-learn's n_neighbors counts the point itself: nNeighbors − 1 others
  const knn = await nearestNeighbours(points, n, dim, nNeighbors - 1, opts.signal, (f) => opts.onProgress?.('UMAP neighbours', 0.1 * f));
  checkCancel(opts.signal);
  const graph = fuzzyGraph(knn, n, epochs);
  await tick();
  checkCancel(opts.signal);

  const y = new Float64Array(n * 2);
  let scale = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < Math.min(dim, 2); c++) scale = Math.max(scale, Math.abs(points[i * dim + c]));
  for (let i = 0; i < n; i++) for (let c = 0; c < Math.min(dim, 2); c++) y[i * 2 + c] = (10 * points[i * dim + c]) / (scale || 1) + 1e-4 * (rng.uniform() - 0.5);

  const perSample = graph.epochsPerSample;
  const perNegative = Float64Array.from(perSample, (e) => e / NEGATIVE_SAMPLE_RATE);
  const layout: Layout = {
    y,
    head: graph.head,
    tail: graph.tail,
    perSample,
    perNegative,
    nextSample: Float64Array.from(perSample),
    nextNegative: Float64Array.from(perNegative),
    edges: perSample.length,
    n,
    a: UMAP_A,
    b: UMAP_B,
    gamma: 1,
    random: Int32Array.of(rng.nextUint32() | 1),
  };
  for (let e = 0; e < epochs; e += 5) {
    checkCancel(opts.signal);
    for (let epoch = e; epoch < Math.min(epochs, e + 5); epoch++) {
      // umap-js's schedule: epoch 0 at the initial rate 1, epoch m at 1 − (m − 1)/epochs
      const alpha = epoch === 0 ? 1 : 1 - (epoch - 1) / epochs;
      layoutEpoch(layout, epoch, alpha);
    }
    opts.onProgress?.('UMAP', 0.1 + (0.9 * e) / epochs);
    await tick();
  }
  checkCancel(opts.signal);
  return y;
}

interface Layout {
  y: Float64Array;
  head: Int32Array;
  tail: Int32Array;
  perSample: Float64Array;
  perNegative: Float64Array;
  nextSample: Float64Array;
  nextNegative: Float64Array;
  edges: number;
  n: number;
  a: number;
  b: number;
  gamma: number;
  /** the state of the xorshift32 generator that picks negative samples */
  random: Int32Array;
}

const clip = (x: number): number => (x > 4 ? 4 : x < -4 ? -4 : x);

/** One epoch of umap-js's optimizeLayoutStep (2-D, moving both ends of an edge). */
function layoutEpoch(s: Layout, epoch: number, alpha: number): void {
  const { y, head, tail, perSample, perNegative, nextSample, nextNegative, a, b, gamma, n } = s;
  let state = s.random[0];
  for (let i = 0; i < s.edges; i++) {
    if (nextSample[i] > epoch) continue;
    const j = head[i];
    const k = tail[i];
    let dx = y[2 * j] - y[2 * k];
    let dy = y[2 * j + 1] - y[2 * k + 1];
    const d2 = dx * dx + dy * dy;
    let coeff = 0;
    if (d2 > 0) {
      const pb = Math.exp(b * Math.log(d2));
      coeff = (-2 * a * b * (pb / d2)) / (a * pb + 1);
    }
    let gx = clip(coeff * dx);
    let gy = clip(coeff * dy);
    y[2 * j] += gx * alpha;
    y[2 * j + 1] += gy * alpha;
    y[2 * k] -= gx * alpha;
    y[2 * k + 1] -= gy * alpha;
    nextSample[i] += perSample[i];
    const negatives = Math.floor((epoch - nextNegative[i]) / perNegative[i]);
    for (let p = 0; p < negatives; p++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const m = (state >>> 0) % n;
      dx = y[2 * j] - y[2 * m];
      dy = y[2 * j + 1] - y[2 * m + 1];
      const e2 = dx * dx + dy * dy;
      let c = 0;
      if (e2 > 0) c = (2 * gamma * b) / ((0.001 + e2) * (a * Math.exp(b * Math.log(e2)) + 1));
      else if (j === m) continue;
      gx = c > 0 ? clip(c * dx) : 4;
      gy = c > 0 ? clip(c * dy) : 4;
      y[2 * j] += gx * alpha;
      y[2 * j + 1] += gy * alpha;
    }
    nextNegative[i] += negatives * perNegative[i];
  }
  s.random[0] = state;
}
