/**
 * The Barnes–Hut repulsion of t-SNE (van der Maaten 2014) in 2-D, through a quadtree.
 */

/** The most points that share one interaction list. */
const GROUP = 32;

/**
 * A quadtree over 2-D points for Barnes–Hut t-SNE: far cells act as one point at their centre
 * of mass when cell width / distance < θ. Stored in typed arrays and rebuilt every iteration.
 */
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

export class QuadTree {
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
  private walk: Int32Array;
  private readonly members: Int32Array;
  /** the next point at the same position as a leaf's point, or −1 */
  private readonly next: Int32Array;
  private far: Float64Array;
  private near: Int32Array;

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
    this.walk = new Int32Array(this.cap);
    this.members = new Int32Array(n);
    this.next = new Int32Array(n).fill(-1);
    this.far = new Float64Array(3 * this.cap);
    this.near = new Int32Array(n);
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
    this.walk = new Int32Array(cap);
    this.far = new Float64Array(3 * cap);
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

  /** Inserts point i; mx, my sum the coordinates under each node (divided by the counts once all are in). */
  private insert(y: Float64Array, i: number): void {
    let k = 0;
    const px = y[2 * i];
    const py = y[2 * i + 1];
    this.next[i] = -1;
    for (let depth = 0; ; depth++) {
      const c = this.count[k];
      this.mx[k] += px;
      this.my[k] += py;
      this.count[k] = c + 1;
      if (c === 0) {
        this.point[k] = i;
        return;
      }
      if (depth > 40) {
        // coincident points share the leaf: a chain from its point
        this.next[i] = this.next[this.point[k]];
        this.next[this.point[k]] = i;
        return;
      }
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

  /**
   * Subtracts the repulsive forces from grad and returns Z. Barnes's grouped traversal (1990): the
   * points of each small subtree share one interaction list, found with the distance from a cell's
   * centre of mass to the group's bounding box, so each point's far cells satisfy the opening
   * criterion w < θ·d at least as strictly as in a walk of its own, and the work per point is a tight
   * loop over arrays instead of a walk down the tree.
   */
  repulsion(y: Float64Array, n: number, grad: Float64Array, theta = 0.5): number {
    const { cx, cy, span } = boundingSquare(y, n);
    this.size = 0;
    this.node(cx, cy, span / 2 + 1e-9);
    for (let i = 0; i < n; i++) this.insert(y, i);
    for (let k = 0; k < this.size; k++) {
      if (this.count[k] === 0) continue;
      this.mx[k] /= this.count[k];
      this.my[k] /= this.count[k];
    }
    const { count, point, child, stack } = this;
    let z = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const k = stack[--top];
      if (count[k] === 0) continue;
      if (count[k] <= GROUP || point[k] >= 0) {
        z += this.group(k, y, grad, theta * theta);
        continue;
      }
      for (let q = 0; q < 4; q++) if (child[4 * k + q] >= 0) stack[top++] = child[4 * k + q];
    }
    return z;
  }

  /** The repulsion on the points under node g; returns their part of Z. */
  private group(g: number, y: Float64Array, grad: Float64Array, theta2: number): number {
    const { count, point, next, mx, my, half, child, members, far, near } = this;
    const walk = this.walk;
    // the group's points and their bounding box
    let size = 0;
    let top = 0;
    walk[top++] = g;
    while (top > 0) {
      const k = walk[--top];
      for (let i = point[k]; i >= 0; i = next[i]) members[size++] = i;
      for (let q = 0; q < 4; q++) if (child[4 * k + q] >= 0) walk[top++] = child[4 * k + q];
    }
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let t = 0; t < size; t++) {
      const i = members[t];
      x0 = Math.min(x0, y[2 * i]);
      x1 = Math.max(x1, y[2 * i]);
      y0 = Math.min(y0, y[2 * i + 1]);
      y1 = Math.max(y1, y[2 * i + 1]);
    }
    // the interaction list: far cells (centre of mass, count) and near points
    let farSize = 0;
    let nearSize = 0;
    walk[top++] = 0;
    while (top > 0) {
      const k = walk[--top];
      const c = count[k];
      if (c === 0) continue;
      const leaf = point[k];
      if (leaf >= 0) {
        for (let i = leaf; i >= 0; i = next[i]) near[nearSize++] = i;
        continue;
      }
      const dx = Math.max(x0 - mx[k], 0, mx[k] - x1);
      const dy = Math.max(y0 - my[k], 0, my[k] - y1);
      const w = 2 * half[k];
      let open = false;
      for (let q = 0; q < 4; q++) if (child[4 * k + q] >= 0) open = true;
      if (!open || w * w < theta2 * (dx * dx + dy * dy)) {
        // a far cell, or a cell of coincident points too deep to split
        far[3 * farSize] = mx[k];
        far[3 * farSize + 1] = my[k];
        far[3 * farSize + 2] = c;
        farSize++;
      } else {
        for (let q = 0; q < 4; q++) if (child[4 * k + q] >= 0) walk[top++] = child[4 * k + q];
      }
    }
    let z = 0;
    for (let t = 0; t < size; t++) {
      const i = members[t];
      const px = y[2 * i];
      const py = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      for (let f = 0; f < farSize; f++) {
        const dx = px - far[3 * f];
        const dy = py - far[3 * f + 1];
        const c = far[3 * f + 2];
        const num = 1 / (1 + dx * dx + dy * dy);
        z += c * num;
        const s = c * num * num;
        fx += s * dx;
        fy += s * dy;
      }
      for (let e = 0; e < nearSize; e++) {
        const j = near[e];
        if (j === i) continue;
        const dx = px - y[2 * j];
        const dy = py - y[2 * j + 1];
        const num = 1 / (1 + dx * dx + dy * dy);
        z += num;
        const s = num * num;
        fx += s * dx;
        fy += s * dy;
      }
      grad[2 * i] -= fx;
      grad[2 * i + 1] -= fy;
    }
    return z;
  }
}
