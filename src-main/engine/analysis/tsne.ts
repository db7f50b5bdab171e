/**
 * t-SNE for trajectory projections (Fig. 7): exact affinities over exact nearest neighbours (knn.ts), and
 * Barnes–Hut forces through a quadtree. Reports progress, yields to the event loop and stops
 * when its signal is aborted.
 */
import { checkCancel, tick } from './cancel.js';
import { nearestNeighbours } from './knn.js';

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number) => void;
}

/** Iterations of early exaggeration (factor 12), then of the plain gradient, by default. */
export const TSNE_EXAGGERATION_ITERATIONS = 250;
export const TSNE_ITERATIONS = 500;

/**
 * t-SNE (van der Maaten 2014) as openTSNE runs it by default: perplexity 30 over the
 * 3·perplexity nearest neighbours, early exaggeration 12 for 250 iterations, then 250 more,
 * learning rate n/12 (Belkina et al. 2019: with it, 500 iterations converge where sklearn's n/48
 * needs 1,000), momentum 0.5 then 0.8, per-parameter gains, PCA initialisation (std 1e-4).
 * The hot loops live in plain functions: V8 optimises those, not loops in a long async function.
 */
export async function tsne(points: Float64Array, n: number, dim: number, init: Float64Array, opts: TsneOptions): Promise<Float64Array> {
  const perplexity = Math.min(opts.perplexity ?? 30, (n - 1) / 3);
  const iterations = opts.iterations ?? TSNE_ITERATIONS;
  const exaggerated = Math.min(TSNE_EXAGGERATION_ITERATIONS, Math.floor(iterations / 2));
  const kNeighbors = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const knn = await nearestNeighbours(points, n, dim, kNeighbors, opts.signal, (f) => opts.onProgress?.('t-SNE neighbours', 0.05 * f));
  const nbr = knn.index;
  const pval = new Float64Array(n * kNeighbors);
  for (let i = 0; i < n; i++) rowAffinities(knn.sqDist, i, kNeighbors, perplexity, pval);
  opts.onProgress?.('t-SNE affinities', 0.1);
  await tick();
  checkCancel(opts.signal);
  const { pairI, pairJ, pairP } = symmetrise(n, kNeighbors, nbr, pval);

  const state = {
    y: Float64Array.from(init),
    update: new Float64Array(n * 2),
    gains: new Float64Array(n * 2).fill(1),
    grad: new Float64Array(n * 2),
    lr: Math.max(n / 12, 50),
    tree: new QuadTree(n),
    pairI,
    pairJ,
    pairP,
    n,
  };
  // a chunk of iterations between checks of the signal: a few milliseconds of work
  const chunk = 5;
  for (let iter = 0; iter < iterations; iter += chunk) {
    checkCancel(opts.signal);
    for (let it = iter; it < Math.min(iterations, iter + chunk); it++) gradientStep(state, it < exaggerated ? 12 : 1, it < exaggerated ? 0.5 : 0.8);
    if (iter % 10 === 0) opts.onProgress?.('t-SNE', 0.1 + (0.9 * iter) / iterations);
    await tick();
  }
  checkCancel(opts.signal);
  return state.y;
}

/** The conditional probabilities p(j|i) of point i's k neighbours at the perplexity, by binary search on the precision. */
function rowAffinities(sqDist: Float64Array, i: number, k: number, perplexity: number, pval: Float64Array): void {
  const row = i * k;
  const nearestD = sqDist[row]; // ascending
  let lo = 0;
  let hi = Infinity;
  let beta = 1;
  const target = Math.log(perplexity);
  for (let iter = 0; iter < 100; iter++) {
    let sum = 0;
    for (let u = 0; u < k; u++) {
      const p = Math.exp(-(sqDist[row + u] - nearestD) * beta);
      pval[row + u] = p;
      sum += p;
    }
    let h = 0;
    for (let u = 0; u < k; u++) {
      const p = pval[row + u] / sum;
      pval[row + u] = p;
      if (p > 1e-300) h -= p * Math.log(p);
    }
    if (Math.abs(h - target) < 1e-5) break;
    if (h > target) {
      lo = beta;
      beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
}

/** P = (P + Pᵀ) / 2n as a list of pairs i < j. */
function symmetrise(n: number, k: number, nbr: Int32Array, pval: Float64Array): { pairI: Int32Array; pairJ: Int32Array; pairP: Float64Array } {
  const sym = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = nbr[i * k + t];
      const key = i < j ? i * n + j : j * n + i;
      sym.set(key, (sym.get(key) ?? 0) + pval[i * k + t] / (2 * n));
    }
  }
  const pairI = new Int32Array(sym.size);
  const pairJ = new Int32Array(sym.size);
  const pairP = new Float64Array(sym.size);
  let idx = 0;
  for (const [key, p] of sym) {
    pairI[idx] = Math.floor(key / n);
    pairJ[idx] = key % n;
    pairP[idx] = p;
    idx++;
  }
  return { pairI, pairJ, pairP };
}

interface GradientState {
  y: Float64Array;
  update: Float64Array;
  gains: Float64Array;
  grad: Float64Array;
  lr: number;
  tree: QuadTree;
  pairI: Int32Array;
  pairJ: Int32Array;
  pairP: Float64Array;
  n: number;
}

/** One iteration: Barnes–Hut repulsion, exact attraction over the pairs, gains and momentum. */
function gradientStep(s: GradientState, exaggeration: number, momentum: number): void {
  const { y, update, gains, grad, lr, pairI, pairJ, pairP } = s;
  grad.fill(0);
  // repulsion, Barnes–Hut (θ = 0.5): grad_i −= Σ_j num_ij² (y_i − y_j), z = Σ_{i≠j} num_ij
  const z = s.tree.repulsion(y, s.n, grad);
  // grad now holds −Σ_j num² (y_i − y_j); scale by 1/Z, then add the attraction
  const invZ = 1 / z;
  for (let c = 0; c < grad.length; c++) grad[c] *= invZ;
  for (let e = 0; e < pairP.length; e++) {
    const i = pairI[e];
    const j = pairJ[e];
    const d0 = y[2 * i] - y[2 * j];
    const d1 = y[2 * i + 1] - y[2 * j + 1];
    const w = (exaggeration * pairP[e]) / (1 + d0 * d0 + d1 * d1);
    grad[2 * i] += w * d0;
    grad[2 * i + 1] += w * d1;
    grad[2 * j] -= w * d0;
    grad[2 * j + 1] -= w * d1;
  }
  for (let c = 0; c < y.length; c++) {
    const g = 4 * grad[c];
    gains[c] = Math.sign(g) !== Math.sign(update[c]) ? gains[c] + 0.2 : Math.max(gains[c] * 0.8, 0.01);
    update[c] = momentum * update[c] - lr * gains[c] * g;
    y[c] += update[c];
  }
}

/**
 * A quadtree over 2-D points for Barnes–Hut t-SNE: far cells act as one point at their centre
 * of mass when cell width / distance < θ. Stored in typed arrays and rebuilt every iteration.
 */
class QuadTree {
  private readonly cap: number;
  private cx: Float64Array; // cell centre
  private cy: Float64Array;
  private half: Float64Array; // half width
  private mx: Float64Array; // centre of mass
  private my: Float64Array;
  private count: Int32Array;
  private child: Int32Array; // 4 per node, −1 if none
  private point: Int32Array; // the point of a leaf holding one point, else −1
  private size = 0;
  private readonly stack: Int32Array;

  constructor(n: number) {
    this.cap = 4 * n + 64;
    this.cx = new Float64Array(this.cap);
    this.cy = new Float64Array(this.cap);
    this.half = new Float64Array(this.cap);
    this.mx = new Float64Array(this.cap);
    this.my = new Float64Array(this.cap);
    this.count = new Int32Array(this.cap);
    this.child = new Int32Array(this.cap * 4);
    this.point = new Int32Array(this.cap);
    this.stack = new Int32Array(this.cap);
  }

  private grow(): void {
    const cap = this.cx.length * 2;
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array, m = 1) => {
      const b = new Int32Array(cap * m);
      b.set(a);
      return b;
    };
    this.cx = g64(this.cx);
    this.cy = g64(this.cy);
    this.half = g64(this.half);
    this.mx = g64(this.mx);
    this.my = g64(this.my);
    this.count = g32(this.count);
    this.child = g32(this.child, 4);
    this.point = g32(this.point);
  }

  private node(cx: number, cy: number, half: number): number {
    if (this.size >= this.cx.length) this.grow();
    const k = this.size++;
    this.cx[k] = cx;
    this.cy[k] = cy;
    this.half[k] = half;
    this.mx[k] = 0;
    this.my[k] = 0;
    this.count[k] = 0;
    this.point[k] = -1;
    this.child.fill(-1, 4 * k, 4 * k + 4);
    return k;
  }

  private insert(y: Float64Array, i: number): void {
    let k = 0;
    const px = y[2 * i];
    const py = y[2 * i + 1];
    for (let depth = 0; ; depth++) {
      const c = this.count[k];
      this.mx[k] = (this.mx[k] * c + px) / (c + 1);
      this.my[k] = (this.my[k] * c + py) / (c + 1);
      this.count[k] = c + 1;
      if (c === 0) {
        this.point[k] = i;
        return;
      }
      if (depth > 40) return; // coincident points: the centre of mass already counts them
      const moving = this.point[k];
      if (moving >= 0) {
        // split a single-point leaf: push its point one level down
        this.point[k] = -1;
        const q = this.quadrant(k, y[2 * moving], y[2 * moving + 1]);
        const ch = this.ensureChild(k, q);
        this.mx[ch] = y[2 * moving];
        this.my[ch] = y[2 * moving + 1];
        this.count[ch] = 1;
        this.point[ch] = moving;
      }
      k = this.ensureChild(k, this.quadrant(k, px, py));
    }
  }

  private quadrant(k: number, x: number, y: number): number {
    return (x >= this.cx[k] ? 1 : 0) + (y >= this.cy[k] ? 2 : 0);
  }

  private ensureChild(k: number, q: number): number {
    let ch = this.child[4 * k + q];
    if (ch < 0) {
      const h = this.half[k] / 2;
      ch = this.node(this.cx[k] + (q & 1 ? h : -h), this.cy[k] + (q & 2 ? h : -h), h);
      this.child[4 * k + q] = ch;
    }
    return ch;
  }

  /** Subtracts the repulsive forces from grad and returns Z. */
  repulsion(y: Float64Array, n: number, grad: Float64Array, theta = 0.5): number {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]);
      maxX = Math.max(maxX, y[2 * i]);
      minY = Math.min(minY, y[2 * i + 1]);
      maxY = Math.max(maxY, y[2 * i + 1]);
    }
    this.size = 0;
    this.node((minX + maxX) / 2, (minY + maxY) / 2, Math.max(maxX - minX, maxY - minY) / 2 + 1e-9);
    for (let i = 0; i < n; i++) this.insert(y, i);
    const theta2 = theta * theta;
    // the arrays in locals: the loop below is the hot spot of t-SNE
    const { count, point, mx, my, half, child, stack } = this;
    let z = 0;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i];
      const py = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const k = stack[--top];
        const c = count[k];
        const leaf = point[k];
        if (c === 0 || leaf === i) continue;
        const dx = px - mx[k];
        const dy = py - my[k];
        const d2 = dx * dx + dy * dy;
        const w = 2 * half[k];
        if (leaf >= 0 || w * w < theta2 * d2) {
          const num = 1 / (1 + d2);
          z += c * num;
          const f = c * num * num;
          fx += f * dx;
          fy += f * dy;
        } else {
          const base = 4 * k;
          for (let q = 0; q < 4; q++) {
            const ch = child[base + q];
            if (ch >= 0) stack[top++] = ch;
          }
        }
      }
      grad[2 * i] -= fx;
      grad[2 * i + 1] -= fy;
    }
    return z;
  }
}
