/**
 * The Barnes–Hut repulsion of t-SNE (van der Maaten 2014) in 2-D, through a quadtree.
 */

/** The most points that share one interaction list. */
const GROUP = 32;
/** Levels of the tree: points are placed on a 2¹⁶ × 2¹⁶ grid; points in one finest cell share a leaf. */
const LEVELS = 16;

/** The centre of the points' bounding box and its larger side (the square that the tree and the FFT grid cover). */
export function boundingSquare(y: Float64Array, n: number): { cx: number; cy: number; span: number } {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, y[2 * i]);
    maxX = Math.max(maxX, y[2 * i]);
    minY = Math.min(minY, y[2 * i + 1]);
    maxY = Math.max(maxY, y[2 * i + 1]);
  }
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, span: Math.max(maxX - minX, maxY - minY) };
}

/** Spreads the low 16 bits of v to the even bits of a 32-bit word. */
function spread(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/**
 * A quadtree over 2-D points for Barnes–Hut t-SNE: far cells act as one point at their centre of
 * mass when cell width / distance < θ. Rebuilt every iteration without inserting point by point:
 * the points are sorted by Morton code (a radix sort), so every cell is a contiguous range of the
 * sorted points, its children are found by one scan of that range, and its centre of mass comes
 * from prefix sums. All in typed arrays kept across iterations.
 */
export class QuadTree {
  private readonly code: Uint32Array; // Morton code of each point (x on the even bits)
  private readonly codeTmp: Uint32Array;
  private readonly order: Int32Array; // the points sorted by code
  private readonly orderTmp: Int32Array;
  private readonly buckets = new Int32Array(256);
  private readonly sx: Float64Array; // coordinates in sorted order
  private readonly sy: Float64Array;
  private readonly sumX: Float64Array; // prefix sums of sx, sy
  private readonly sumY: Float64Array;
  private readonly widths = new Float64Array(LEVELS + 1); // cell width by level
  /** the groups of the last prepare: nodes whose points share one interaction list */
  private readonly groups: Int32Array;
  groupCount = 0;
  // nodes: the range [lo, hi) of sorted points, the level, the centre of mass, the children
  // (childCount consecutive nodes from firstChild)
  private lo: Int32Array;
  private hi: Int32Array;
  private level: Int32Array;
  private mx: Float64Array;
  private my: Float64Array;
  private firstChild: Int32Array;
  private childCount: Int32Array;
  private size = 0;
  /** depth-first stacks: each pop pushes at most 4, so at most 3 per level plus one */
  private readonly stack = new Int32Array(3 * LEVELS + 8);
  private readonly walk = new Int32Array(3 * LEVELS + 8);
  private far: Float64Array;
  private readonly nearLo: Int32Array;
  private readonly nearHi: Int32Array;

  constructor(n: number) {
    this.code = new Uint32Array(n);
    this.codeTmp = new Uint32Array(n);
    this.order = new Int32Array(n);
    this.orderTmp = new Int32Array(n);
    this.sx = new Float64Array(n);
    this.sy = new Float64Array(n);
    this.sumX = new Float64Array(n + 1);
    this.sumY = new Float64Array(n + 1);
    this.groups = new Int32Array(Math.max(n, 1));
    this.nearLo = new Int32Array(n);
    this.nearHi = new Int32Array(n);
    const cap = 2 * n + 64;
    this.lo = new Int32Array(cap);
    this.hi = new Int32Array(cap);
    this.level = new Int32Array(cap);
    this.mx = new Float64Array(cap);
    this.my = new Float64Array(cap);
    this.firstChild = new Int32Array(cap);
    this.childCount = new Int32Array(cap);
    this.far = new Float64Array(3 * cap);
  }

  private grow(): void {
    const cap = this.lo.length * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.lo = g32(this.lo);
    this.hi = g32(this.hi);
    this.level = g32(this.level);
    this.mx = g64(this.mx);
    this.my = g64(this.my);
    this.firstChild = g32(this.firstChild);
    this.childCount = g32(this.childCount);
    this.far = new Float64Array(3 * cap);
  }

  private node(lo: number, hi: number, level: number): number {
    if (this.size >= this.lo.length) this.grow();
    const k = this.size++;
    this.lo[k] = lo;
    this.hi[k] = hi;
    this.level[k] = level;
    const c = hi - lo;
    this.mx[k] = (this.sumX[hi] - this.sumX[lo]) / c;
    this.my[k] = (this.sumY[hi] - this.sumY[lo]) / c;
    this.childCount[k] = 0;
    return k;
  }

  /** Sorts the points by Morton code on the grid over the bounding square (LSD radix sort, 4 × 8 bits). */
  private sort(y: Float64Array, n: number, x0: number, y0: number, span: number): void {
    const scale = span > 0 ? (1 << LEVELS) / span : 0;
    const top = (1 << LEVELS) - 1;
    let { code, codeTmp, order, orderTmp } = this;
    for (let i = 0; i < n; i++) {
      const gx = Math.max(0, Math.min(top, Math.floor((y[2 * i] - x0) * scale)));
      const gy = Math.max(0, Math.min(top, Math.floor((y[2 * i + 1] - y0) * scale)));
      code[i] = (spread(gx) | (spread(gy) << 1)) >>> 0;
      order[i] = i;
    }
    const buckets = this.buckets;
    for (let shift = 0; shift < 32; shift += 8) {
      buckets.fill(0);
      for (let i = 0; i < n; i++) buckets[(code[i] >>> shift) & 255]++;
      for (let b = 0, at = 0; b < 256; b++) {
        const c = buckets[b];
        buckets[b] = at;
        at += c;
      }
      for (let i = 0; i < n; i++) {
        const at = buckets[(code[i] >>> shift) & 255]++;
        codeTmp[at] = code[i];
        orderTmp[at] = order[i];
      }
      [code, codeTmp] = [codeTmp, code];
      [order, orderTmp] = [orderTmp, order];
    }
    // four passes: the sorted data is back in this.code and this.order
  }

  /** Builds the tree: each node's children are the nonempty quarters of its range, found by the code's bits at the next level. */
  private build(y: Float64Array, n: number): void {
    const { code, order, sx, sy, sumX, sumY } = this;
    sumX[0] = 0;
    sumY[0] = 0;
    for (let t = 0; t < n; t++) {
      const i = order[t];
      sx[t] = y[2 * i];
      sy[t] = y[2 * i + 1];
      sumX[t + 1] = sumX[t] + sx[t];
      sumY[t + 1] = sumY[t] + sy[t];
    }
    this.size = 0;
    this.node(0, n, 0);
    // nodes are created in breadth-first order, so a scan over them visits parents before children
    for (let k = 0; k < this.size; k++) {
      const lo = this.lo[k];
      const hi = this.hi[k];
      const level = this.level[k];
      if (hi - lo <= 1 || level >= LEVELS) continue;
      const shift = 2 * (LEVELS - 1 - level);
      this.firstChild[k] = this.size;
      let start = lo;
      let quarter = (code[lo] >>> shift) & 3;
      for (let t = lo + 1; t < hi; t++) {
        const q = (code[t] >>> shift) & 3;
        if (q !== quarter) {
          this.node(start, t, level + 1);
          start = t;
          quarter = q;
        }
      }
      this.node(start, hi, level + 1);
      this.childCount[k] = this.size - this.firstChild[k];
    }
  }

  /**
   * Sorts the points, builds the tree and lists its groups: Barnes's grouped traversal (1990), where
   * the points of each small subtree share one interaction list, found with the distance from a
   * cell's centre of mass to the group's bounding box, so each point's far cells satisfy the opening
   * criterion w < θ·d at least as strictly as in a walk of its own, and the work per point is a tight
   * loop over arrays instead of a walk down the tree. The groups are then independent: threads that
   * prepared the same points may share them out (groupRepulsion).
   */
  prepare(y: Float64Array, n: number): void {
    const { cx, cy, span } = boundingSquare(y, n);
    this.sort(y, n, cx - span / 2, cy - span / 2, span);
    this.build(y, n);
    const { lo, hi, firstChild, childCount, widths, groups } = this;
    for (let l = 0; l <= LEVELS; l++) widths[l] = span / 2 ** l;
    let count = 0;
    const stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const k = stack[--top];
      if (hi[k] - lo[k] <= GROUP || childCount[k] === 0) {
        groups[count++] = k;
        continue;
      }
      for (let c = firstChild[k]; c < firstChild[k] + childCount[k]; c++) stack[top++] = c;
    }
    this.groupCount = count;
  }

  /**
   * Subtracts the repulsion Σ_j (1 + |y_i − y_j|²)⁻² (y_i − y_j) on the points of group g (of the
   * last prepare) from out, at 2i and 2i + 1, and returns their part of Z = Σ_{i≠j} (1 + |y_i − y_j|²)⁻¹.
   */
  groupRepulsion(g: number, out: Float64Array, theta = 0.5): number {
    const k = this.groups[g];
    return this.group(this.lo[k], this.hi[k], out, theta * theta);
  }

  /** Subtracts the repulsive forces from grad and returns Z: prepare, then every group in turn. */
  repulsion(y: Float64Array, n: number, grad: Float64Array, theta = 0.5): number {
    this.prepare(y, n);
    let z = 0;
    for (let g = 0; g < this.groupCount; g++) z += this.groupRepulsion(g, grad, theta);
    return z;
  }

  /** The repulsion on the sorted points [g0, g1) (one cell's), subtracted from out; returns their part of Z. */
  private group(g0: number, g1: number, out: Float64Array, theta2: number): number {
    const { lo, hi, level, mx, my, firstChild, childCount, sx, sy, order, widths, far, nearLo, nearHi } = this;
    const walk = this.walk;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let t = g0; t < g1; t++) {
      x0 = Math.min(x0, sx[t]);
      x1 = Math.max(x1, sx[t]);
      y0 = Math.min(y0, sy[t]);
      y1 = Math.max(y1, sy[t]);
    }
    // the interaction list: far cells (centre of mass, count) and ranges of near points
    let farSize = 0;
    let nearSize = 0;
    let top = 0;
    walk[top++] = 0;
    while (top > 0) {
      const k = walk[--top];
      const c = hi[k] - lo[k];
      if (childCount[k] === 0) {
        // leaves come in sorted order (children are pushed last first): adjacent ones join one range
        if (nearSize > 0 && nearHi[nearSize - 1] === lo[k]) nearHi[nearSize - 1] = hi[k];
        else {
          nearLo[nearSize] = lo[k];
          nearHi[nearSize++] = hi[k];
        }
        continue;
      }
      const dx = Math.max(x0 - mx[k], 0, mx[k] - x1);
      const dy = Math.max(y0 - my[k], 0, my[k] - y1);
      const w = widths[level[k]];
      if (w * w < theta2 * (dx * dx + dy * dy)) {
        far[3 * farSize] = mx[k];
        far[3 * farSize + 1] = my[k];
        far[3 * farSize + 2] = c;
        farSize++;
      } else {
        for (let ch = firstChild[k] + childCount[k] - 1; ch >= firstChild[k]; ch--) walk[top++] = ch;
      }
    }
    let z = 0;
    for (let t = g0; t < g1; t++) {
      const px = sx[t];
      const py = sy[t];
      let gx = 0;
      let gy = 0;
      for (let f = 0; f < farSize; f++) {
        const dx = px - far[3 * f];
        const dy = py - far[3 * f + 1];
        const c = far[3 * f + 2];
        const num = 1 / (1 + dx * dx + dy * dy);
        z += c * num;
        const s = c * num * num;
        gx += s * dx;
        gy += s * dy;
      }
      for (let e = 0; e < nearSize; e++) {
        for (let j = nearLo[e]; j < nearHi[e]; j++) {
          if (j === t) continue;
          const dx = px - sx[j];
          const dy = py - sy[j];
          const num = 1 / (1 + dx * dx + dy * dy);
          z += num;
          const s = num * num;
          gx += s * dx;
          gy += s * dy;
        }
      }
      const i = order[t];
      out[2 * i] -= gx;
      out[2 * i + 1] -= gy;
    }
    return z;
  }
}
