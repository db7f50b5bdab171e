/**
 * UMAP of a trajectory's PCA-50 coordinates. umap-js builds the fuzzy graph (from exact nearest
 * neighbours, knn.ts) and its edge sampling schedule; the layout's stochastic gradient descent,
 * umap-js's optimizeLayoutStep step for step, runs here on typed arrays, because umap-js's own
 * loop on arrays of arrays took most of the time. As umap-learn with init='pca', the layout
 * starts from the first two principal components scaled to ±10 (umap-js starts from noise).
 */
import { checkCancel, tick } from './cancel.js';
import { nearestNeighbours } from './knn.js';
import { Rng } from '../task/rng.js';

/** Optimisation epochs: umap-learn's and uwot's default for large data sets (umap-js runs 500 below 2,500 points). */
export const UMAP_EPOCHS = 200;

export interface UmapOptions {
  neighbors?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number) => void;
}

/** The umap-js optimisation state this file reads (a private field of umap-js's UMAP). */
interface LayoutState {
  head: number[];
  tail: number[];
  epochsPerSample: number[];
  a: number;
  b: number;
  gamma: number;
  initialAlpha: number;
  nEpochs: number;
}

/** 2-D UMAP coordinates of points [n, dim] (principal components, largest first), float64 [n, 2]. */
export async function umapLayout(points: Float64Array, n: number, dim: number, opts: UmapOptions): Promise<Float64Array> {
  const rng = new Rng(opts.seed ?? 0);
  const { UMAP } = await import('umap-js'); // loaded only for UMAP
  const nNeighbors = Math.min(opts.neighbors ?? 15, n - 1);
  const umap = new UMAP({ nComponents: 2, nNeighbors, minDist: 0.1, nEpochs: UMAP_EPOCHS, random: () => rng.uniform() });
  // exact neighbours in umap-learn's form: each list led by the point itself at distance 0
  const knn = await nearestNeighbours(points, n, dim, nNeighbors - 1, opts.signal, (f) => opts.onProgress?.('UMAP neighbours', 0.1 * f));
  const list = (i: number, self: number, of: (e: number) => number) => [self, ...Array.from({ length: knn.k }, (_, t) => of(i * knn.k + t))];
  umap.setPrecomputedKNN(
    Array.from({ length: n }, (_, i) => list(i, i, (e) => knn.index[e])),
    Array.from({ length: n }, (_, i) => list(i, 0, (e) => Math.sqrt(knn.sqDist[e]))),
  );
  checkCancel(opts.signal);
  const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
  umap.initializeFit(rows);
  await tick();
  checkCancel(opts.signal);
  const state = (umap as unknown as { optimizationState: LayoutState }).optimizationState;

  const y = new Float64Array(n * 2);
  let scale = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < Math.min(dim, 2); c++) scale = Math.max(scale, Math.abs(points[i * dim + c]));
  for (let i = 0; i < n; i++) for (let c = 0; c < Math.min(dim, 2); c++) y[i * 2 + c] = (10 * points[i * dim + c]) / (scale || 1) + 1e-4 * (rng.uniform() - 0.5);

  const edges = state.head.length;
  const head = Int32Array.from(state.head);
  const tail = Int32Array.from(state.tail);
  const perSample = Float64Array.from(state.epochsPerSample);
  const perNegative = Float64Array.from(perSample, (e) => e / 5); // umap-js's negativeSampleRate
  const layout = { y, head, tail, perSample, perNegative, nextSample: Float64Array.from(perSample), nextNegative: Float64Array.from(perNegative), edges, n, a: state.a, b: state.b, gamma: state.gamma, random: () => rng.uniform() };
  const epochs = state.nEpochs;
  for (let e = 0; e < epochs; e += 5) {
    checkCancel(opts.signal);
    for (let epoch = e; epoch < Math.min(epochs, e + 5); epoch++) {
      // umap-js's schedule: epoch 0 at the initial rate, epoch m at initialAlpha·(1 − (m − 1)/nEpochs)
      const alpha = epoch === 0 ? state.initialAlpha : state.initialAlpha * (1 - (epoch - 1) / epochs);
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
  random: () => number;
}

const clip = (x: number): number => (x > 4 ? 4 : x < -4 ? -4 : x);

/** One epoch of umap-js's optimizeLayoutStep (2-D, moving both ends of an edge). */
function layoutEpoch(s: Layout, epoch: number, alpha: number): void {
  const { y, head, tail, perSample, perNegative, nextSample, nextNegative, a, b, gamma, n } = s;
  for (let i = 0; i < s.edges; i++) {
    if (nextSample[i] > epoch) continue;
    const j = head[i];
    const k = tail[i];
    let dx = y[2 * j] - y[2 * k];
    let dy = y[2 * j + 1] - y[2 * k + 1];
    const d2 = dx * dx + dy * dy;
    let coeff = 0;
    if (d2 > 0) {
      const pb = Math.pow(d2, b);
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
      const m = Math.floor(s.random() * n);
      dx = y[2 * j] - y[2 * m];
      dy = y[2 * j + 1] - y[2 * m + 1];
      const e2 = dx * dx + dy * dy;
      let c = 0;
      if (e2 > 0) c = (2 * gamma * b) / ((0.001 + e2) * (a * Math.pow(e2, b) + 1));
      else if (j === m) continue;
      gx = c > 0 ? clip(c * dx) : 4;
      gy = c > 0 ? clip(c * dy) : 4;
      y[2 * j] += gx * alpha;
      y[2 * j + 1] += gy * alpha;
    }
    nextNegative[i] += negatives * perNegative[i];
  }
}
