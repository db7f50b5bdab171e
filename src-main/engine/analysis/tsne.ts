/**
 * t-SNE for trajectory projections (Fig. 7): exact affinities over exact nearest neighbours (knn.ts);
 * the repulsion by FFT-accelerated interpolation while the embedding is small (tsne-fft.ts), else
 * Barnes–Hut through a quadtree (tsne-bh.ts); each iteration's forces shared with helper threads
 * (tsne-pool.ts), with the same result on any number of threads. Reports progress, yields to the
 * event loop and stops when its signal is aborted.
 */
import { checkCancel, tick } from './cancel.js';
import { nearestNeighbours } from './knn.js';
import { FftRepulsion, fftGridSize } from './tsne-fft.js';
import { ATTRACTION, ATTRACTION_BLOCKS, GROUPS, REPULSION, sharedTsne, type TsneForces } from './tsne-iteration.js';
import { TsnePool, tsneThreads } from './tsne-pool.js';

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number) => void;
  /** threads that share each iteration, the caller's included (default tsneThreads(n)); the result is the same for any number */
  threads?: number;
  /** filled in as the run goes: how many iterations ran, and in how many a helper thread took part */
  report?: { iterations: number; shared: number };
}

/** Iterations of early exaggeration (factor 12), then of the plain gradient, by default. */
export const TSNE_EXAGGERATION_ITERATIONS = 250;
export const TSNE_ITERATIONS = 500;
/**
 * Early exaggeration ends sooner once it has done its work (as opt-SNE, Belkina et al. 2019, ends it
 * by the KL divergence): after at least 125 iterations, when the gradient's norm changed by less than
 * 2 % over the last 25. On the fig5 pair the norm settles by iteration 100 (within 2 % of it at 125),
 * so 125 exaggerated iterations instead of 250; the 250 plain ones follow as before. Final KL of the
 * CLI's layout of that pair: 0.274 (0.277 with at least 150 exaggerated iterations, 0.302 with 100);
 * trustworthiness (15 neighbours, PCA-50) 0.9985 (0.9983, 0.9974). The exaggerated Barnes–Hut
 * iterations are the dearest (a compact embedding, ~1.6× a plain one's repulsion), so 25 fewer save ~0.15 s.
 */
const EXAGGERATION_MIN = 125;
const EXAGGERATION_CHECK = 25;
const EXAGGERATION_SETTLED = 0.02;
/**
 * The repulsion is interpolated on an FFT grid of side s when s² ≤ 6n cells, else Barnes–Hut: the
 * FFT's cost is the grid's, (6 × the embedding's width)², Barnes–Hut's grows as n log n. Measured on
 * the fig5 pair (n = 2,182, grouped Barnes–Hut): FFT 1.4 ms against 4.6 ms on a 64 grid, 5 against 4.5
 * on 128, 20 against 4.4 on 256; so here only the first ~50 iterations use it, a run of 20,000
 * snapshots uses it up to 256 (an embedding 42 wide).
 */
export const TSNE_FFT_CELLS_PER_POINT = 6;

/**
 * t-SNE (van der Maaten 2014) as openTSNE runs it by default: perplexity 30 over the
 * 3·perplexity nearest neighbours, early exaggeration 12 for up to 250 iterations (fewer once its
 * gradient has settled), then 250 more,
 * learning rate n/12 (Belkina et al. 2019: with it, 500 iterations converge where sklearn's n/48
 * needs 1,000), momentum 0.5 then 0.8, per-parameter gains, PCA initialisation (std 1e-4).
 * The hot loops live in plain functions: V8 optimises those, not loops in a long async function.
 */
export async function tsne(points: Float64Array, n: number, dim: number, init: Float64Array, opts: TsneOptions): Promise<Float64Array> {
  const perplexity = Math.min(opts.perplexity ?? 30, (n - 1) / 3);
  const iterations = opts.iterations ?? TSNE_ITERATIONS;
  const exaggerated = Math.min(TSNE_EXAGGERATION_ITERATIONS, Math.floor(iterations / 2));
  const kNeighbors = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const pool = new TsnePool(opts.threads ?? tsneThreads(n));
  try {
    const knn = await nearestNeighbours(points, n, dim, kNeighbors, opts.signal, (f) => opts.onProgress?.('t-SNE neighbours', 0.05 * f));
    const nbr = knn.index;
    const pval = new Float64Array(n * kNeighbors);
    for (let i = 0, beta = 1; i < n; i++) beta = rowAffinities(knn.sqDist, i, kNeighbors, perplexity, pval, beta);
    opts.onProgress?.('t-SNE affinities', 0.1);
    await tick();
    checkCancel(opts.signal);
    const { rowStart, pairJ, pairP } = symmetrise(n, kNeighbors, nbr, pval);
    const forces = pool.join(sharedTsne(n, init, rowStart, pairJ, pairP));
    checkCancel(opts.signal);
    const state: GradientState = {
      forces,
      pool,
      update: new Float64Array(n * 2),
      gains: new Float64Array(n * 2).fill(1),
      grad: new Float64Array(n * 2),
      lr: Math.max(n / 12, 50),
      fft: new FftRepulsion(n),
      n,
    };
    // a chunk of iterations between checks of the signal: a few milliseconds of work
    const chunk = 5;
    let total = iterations; // less the exaggerated iterations skipped
    let exaggerationEnd = exaggerated;
    let lastNorm = Infinity;
    for (let iter = 0; iter < total; iter += chunk) {
      checkCancel(opts.signal);
      for (let it = iter; it < Math.min(total, iter + chunk); it++) {
        const exaggerating = it < exaggerationEnd;
        const joined = gradientStep(state, exaggerating ? 12 : 1, exaggerating ? 0.5 : 0.8);
        if (opts.report) {
          opts.report.iterations++;
          if (joined > 0) opts.report.shared++;
        }
        if (exaggerating && (it + 1) % EXAGGERATION_CHECK === 0) {
          const norm = gradientNorm(state.grad);
          if (it + 1 >= EXAGGERATION_MIN && Math.abs(lastNorm - norm) < EXAGGERATION_SETTLED * lastNorm) {
            total -= exaggerationEnd - (it + 1);
            exaggerationEnd = it + 1;
          }
          lastNorm = norm;
        }
      }
      if (iter % 10 === 0) opts.onProgress?.('t-SNE', 0.1 + (0.9 * iter) / total);
      await tick();
    }
    checkCancel(opts.signal);
    return Float64Array.from(forces.y);
  } finally {
    await pool.stop();
  }
}

/**
 * The conditional probabilities p(j|i) of point i's k neighbours at the perplexity, by bisection on
 * the precision β, starting from `beta` (the previous row's: consecutive snapshots of a trajectory
 * have neighbourhoods of about the same width, so the search starts near its answer). The entropy
 * is log S + β Σ p d / S, one exp per neighbour and no log (as scikit-learn computes it). Returns β.
 */
export function rowAffinities(sqDist: Float64Array, i: number, k: number, perplexity: number, pval: Float64Array, beta: number): number {
  const row = i * k;
  const nearestD = sqDist[row]; // ascending
  let lo = 0;
  let hi = Infinity;
  const target = Math.log(perplexity);
  let sum = 0;
  for (let iter = 0; iter < 100; iter++) {
    sum = 0;
    let weighted = 0;
    for (let u = 0; u < k; u++) {
      const d = sqDist[row + u] - nearestD;
      const p = Math.exp(-d * beta);
      pval[row + u] = p;
      sum += p;
      weighted += d * p;
    }
    const h = Math.log(sum) + (beta * weighted) / sum;
    if (Math.abs(h - target) < 1e-5) break;
    if (h > target) {
      lo = beta;
      beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
  for (let u = 0; u < k; u++) pval[row + u] /= sum;
  return beta;
}

/**
 * P = (P + Pᵀ) / 2n as pairs i < j, sorted by i and then j, with where each i's pairs start: each
 * directed entry is bucketed under its smaller end in typed arrays, each bucket insertion-sorted by
 * the other end (stable, so a pair's two halves add in the order of their rows), duplicates merged.
 */
function symmetrise(n: number, k: number, nbr: Int32Array, pval: Float64Array): { rowStart: Int32Array; pairJ: Int32Array; pairP: Float64Array } {
  const bucketStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) bucketStart[Math.min(i, nbr[i * k + t]) + 1]++;
  for (let i = 0; i < n; i++) bucketStart[i + 1] += bucketStart[i];
  const fill = bucketStart.slice(0, n);
  const otherEnd = new Int32Array(n * k);
  const value = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = nbr[i * k + t];
      const at = fill[Math.min(i, j)]++;
      otherEnd[at] = Math.max(i, j);
      value[at] = pval[i * k + t] / (2 * n);
    }
  }
  const rowStart = new Int32Array(n + 1);
  let pairs = 0;
  for (let a = 0; a < n; a++) {
    const lo = bucketStart[a];
    const hi = bucketStart[a + 1];
    for (let t = lo + 1; t < hi; t++) {
      const j = otherEnd[t];
      const v = value[t];
      let at = t;
      while (at > lo && otherEnd[at - 1] > j) {
        otherEnd[at] = otherEnd[at - 1];
        value[at] = value[at - 1];
        at--;
      }
      otherEnd[at] = j;
      value[at] = v;
    }
    // merged in place: the pairs so far never overtake the bucket being read
    for (let t = lo; t < hi; t++) {
      if (t > lo && otherEnd[t] === otherEnd[pairs - 1]) {
        value[pairs - 1] = 0 + value[pairs - 1] + value[t];
      } else {
        otherEnd[pairs] = otherEnd[t];
        value[pairs] = 0 + value[t];
        pairs++;
      }
    }
    rowStart[a + 1] = pairs;
  }
  return { rowStart, pairJ: otherEnd.slice(0, pairs), pairP: value.slice(0, pairs) };
}

function gradientNorm(grad: Float64Array): number {
  let s = 0;
  for (let c = 0; c < grad.length; c++) s += grad[c] * grad[c];
  return Math.sqrt(s);
}

/** The side of the bounding square of the embedding. */
function span(y: Float64Array, n: number): number {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = y[2 * i];
    const b = y[2 * i + 1];
    if (a < minX) minX = a;
    if (a > maxX) maxX = a;
    if (b < minY) minY = b;
    if (b > maxY) maxY = b;
  }
  return Math.max(maxX - minX, maxY - minY);
}

interface GradientState {
  forces: TsneForces;
  pool: TsnePool;
  fft: FftRepulsion;
  update: Float64Array;
  gains: Float64Array;
  grad: Float64Array;
  lr: number;
  n: number;
}

/**
 * One iteration: the repulsion (by FFT on this thread while the embedding is small, else Barnes–Hut
 * groups shared with the helpers) and the attraction (blocks of pairs, shared), then gains and momentum.
 */
function gradientStep(s: GradientState, exaggeration: number, momentum: number): number {
  const { forces, update, gains, grad, lr, n } = s;
  const { y, repulsion, attraction, groupZ } = forces;
  repulsion.fill(0);
  forces.exaggeration[0] = exaggeration;
  // repulsion: −Σ_j num_ij² (y_i − y_j), z = Σ_{i≠j} num_ij; by FFT-accelerated interpolation
  // while the embedding is small for n, else Barnes–Hut (θ = 0.5)
  const size = fftGridSize(span(y, n));
  const byFft = size * size <= TSNE_FFT_CELLS_PER_POINT * n;
  let z = 0;
  let joined: number;
  if (byFft) {
    // the helpers start on the attraction while this thread interpolates the repulsion
    joined = s.pool.step(ATTRACTION, () => {
      z = s.fft.repulsion(y, n, repulsion, size);
    });
  } else {
    joined = s.pool.step(REPULSION | ATTRACTION);
    // the groups of whichever thread built its tree first (all build the same): this thread may not
    // have built one if the helpers took every group first
    const groups = Atomics.load(forces.control, GROUPS);
    for (let g = 0; g < groups; g++) z += groupZ[g];
  }
  const invZ = 1 / z;
  const stride = 2 * n;
  for (let c = 0; c < stride; c++) {
    // the blocks' attractions added in their order: the same sum whatever thread computed which
    let a = 0;
    for (let b = 0; b < ATTRACTION_BLOCKS; b++) a += attraction[b * stride + c];
    grad[c] = repulsion[c] * invZ + a;
    const g = 4 * grad[c];
    gains[c] = Math.sign(g) !== Math.sign(update[c]) ? gains[c] + 0.2 : Math.max(gains[c] * 0.8, 0.01);
    update[c] = momentum * update[c] - lr * gains[c] * g;
    y[c] += update[c];
  }
  return joined;
}
