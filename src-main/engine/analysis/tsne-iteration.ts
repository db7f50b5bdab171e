/**
 * The forces of one t-SNE iteration, shared out between the calling thread and helper threads
 * (tsne-thread.ts) over shared memory. Every thread builds the same quadtree from the shared
 * embedding, then the threads take Barnes–Hut groups and blocks of attraction rows from shared
 * counters until none is left. Each group's repulsion, each group's part of Z and each block's
 * attraction is written to its own place and summed by the caller in a fixed order, so the result
 * is the same bit for bit whatever the number of threads and however the work fell between them.
 */
import { QuadTree } from './tsne-bh.js';

/** Slots of the control words (Int32). */
export const GENERATION = 0; // bumped by the caller to start an iteration
export const MODE = 1; // what this iteration computes (REPULSION | ATTRACTION, or EXIT)
export const FINISHED = 2; // helpers that finished this iteration
export const NEXT_GROUP = 3; // the next Barnes–Hut group to take
export const NEXT_BLOCK = 4; // the next block of attraction rows to take
export const FAILED = 5; // a helper threw
export const JOINED = 6; // helpers that joined this iteration, | CLOSED once the caller has finished its share
export const GROUPS = 7; // the caller's count of Barnes–Hut groups this iteration (0 until it has built its tree)
const CONTROL_WORDS = 8;
/** The bit of JOINED that says no more helpers may join. */
export const CLOSED = 1 << 30;

export const REPULSION = 1;
export const ATTRACTION = 2;
export const EXIT = 4;

/**
 * Blocks of attraction rows, each summed into its own buffer: the pair (i, j) is computed once, for
 * i's row, and its force on j written to the same block's buffer. A fixed number, whatever the
 * threads, so that the blocks' sums, added in order, do not depend on how many threads there are.
 */
export const ATTRACTION_BLOCKS = 8;

/** The shared memory of a t-SNE run: what a helper thread is sent once. */
export interface SharedTsne {
  n: number;
  control: SharedArrayBuffer; // Int32 [CONTROL_WORDS]
  exaggeration: SharedArrayBuffer; // Float64 [1]
  y: SharedArrayBuffer; // Float64 [2n], the embedding
  repulsion: SharedArrayBuffer; // Float64 [2n], −Σ_j num² (y_i − y_j); zeroed before each iteration
  groupZ: SharedArrayBuffer; // Float64 [n], each group's part of Z
  attraction: SharedArrayBuffer; // Float64 [ATTRACTION_BLOCKS · 2n]
  blockStart: Int32Array; // [ATTRACTION_BLOCKS + 1], the blocks' first rows
  rowStart: SharedArrayBuffer; // Int32 [n + 1], the pairs (i, j > i) of P, by i
  pairJ: SharedArrayBuffer; // Int32
  pairP: SharedArrayBuffer; // Float64
}

/** A shared buffer of `bytes` holding a copy of `from` (as make's elements). */
function shared(make: new (b: SharedArrayBuffer) => Int32Array | Float64Array, bytes: number, from: ArrayLike<number>): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes);
  new make(buffer).set(from);
  return buffer;
}

/** Shared buffers for n points and the symmetric pairs of P, with attraction blocks of about equal numbers of pairs. */
export function sharedTsne(n: number, y: Float64Array, rowStart: Int32Array, pairJ: Int32Array, pairP: Float64Array): SharedTsne {
  const blockStart = new Int32Array(ATTRACTION_BLOCKS + 1);
  const pairs = rowStart[n];
  for (let b = 1, i = 0; b < ATTRACTION_BLOCKS; b++) {
    while (i < n && rowStart[i] < (pairs * b) / ATTRACTION_BLOCKS) i++;
    blockStart[b] = i;
  }
  blockStart[ATTRACTION_BLOCKS] = n;
  return {
    n,
    control: new SharedArrayBuffer(4 * CONTROL_WORDS),
    exaggeration: new SharedArrayBuffer(8),
    y: shared(Float64Array, 16 * n, y),
    repulsion: new SharedArrayBuffer(16 * n),
    groupZ: new SharedArrayBuffer(8 * Math.max(n, 1)),
    attraction: new SharedArrayBuffer(16 * n * ATTRACTION_BLOCKS),
    blockStart,
    rowStart: shared(Int32Array, 4 * (n + 1), rowStart),
    pairJ: shared(Int32Array, 4 * Math.max(pairJ.length, 1), pairJ),
    pairP: shared(Float64Array, 8 * Math.max(pairP.length, 1), pairP),
  };
}

/**
 * Joins the current iteration as a helper, unless the caller has already finished its share and
 * closed it: a helper that wakes late is then not waited for.
 */
export function joinIteration(control: Int32Array): boolean {
  for (;;) {
    const joined = Atomics.load(control, JOINED);
    if (joined & CLOSED) return false;
    if (Atomics.compareExchange(control, JOINED, joined, joined + 1) === joined) return true;
  }
}

/** One thread's view of the shared run, and its own quadtree. */
export class TsneForces {
  readonly n: number;
  readonly control: Int32Array;
  readonly exaggeration: Float64Array;
  readonly y: Float64Array;
  readonly repulsion: Float64Array;
  readonly groupZ: Float64Array;
  readonly attraction: Float64Array;
  private readonly blockStart: Int32Array;
  private readonly rowStart: Int32Array;
  private readonly pairJ: Int32Array;
  private readonly pairP: Float64Array;
  readonly tree: QuadTree;

  constructor(s: SharedTsne) {
    this.n = s.n;
    this.control = new Int32Array(s.control);
    this.exaggeration = new Float64Array(s.exaggeration);
    this.y = new Float64Array(s.y);
    this.repulsion = new Float64Array(s.repulsion);
    this.groupZ = new Float64Array(s.groupZ);
    this.attraction = new Float64Array(s.attraction);
    this.blockStart = s.blockStart;
    this.rowStart = new Int32Array(s.rowStart);
    this.pairJ = new Int32Array(s.pairJ);
    this.pairP = new Float64Array(s.pairP);
    this.tree = new QuadTree(s.n);
  }

  /** This thread's share of an iteration: groups of the repulsion (mode & REPULSION), then blocks of the attraction. */
  run(mode: number): void {
    const { control, n } = this;
    // a helper that joins late, once every group is taken, does not build its tree for nothing
    const groupsLeft = (): boolean => {
      const published = Atomics.load(control, GROUPS);
      return published === 0 || Atomics.load(control, NEXT_GROUP) < published;
    };
    if (mode & REPULSION && groupsLeft()) {
      this.tree.prepare(this.y, n);
      Atomics.store(control, GROUPS, this.tree.groupCount);
      for (;;) {
        const g = Atomics.add(control, NEXT_GROUP, 1);
        if (g >= this.tree.groupCount) break;
        this.groupZ[g] = this.tree.groupRepulsion(g, this.repulsion);
      }
    }
    if (mode & ATTRACTION) {
      const exaggeration = this.exaggeration[0];
      for (;;) {
        const b = Atomics.add(control, NEXT_BLOCK, 1);
        if (b >= ATTRACTION_BLOCKS) break;
        const out = this.attraction.subarray(2 * n * b, 2 * n * (b + 1));
        out.fill(0);
        attractRows(this.y, this.blockStart[b], this.blockStart[b + 1], this.rowStart, this.pairJ, this.pairP, exaggeration, out);
      }
    }
  }
}

/**
 * Adds the attraction exaggeration · p_ij (y_i − y_j) / (1 + |y_i − y_j|²) of the pairs (i, j > i)
 * of rows [r0, r1) to out: + at i, − at j (the gradient's signs).
 */
function attractRows(y: Float64Array, r0: number, r1: number, rowStart: Int32Array, pairJ: Int32Array, pairP: Float64Array, exaggeration: number, out: Float64Array): void {
  for (let i = r0; i < r1; i++) {
    // i's share summed in registers, j's written as they come
    const xi = y[2 * i];
    const yi = y[2 * i + 1];
    let gx = 0;
    let gy = 0;
    for (let e = rowStart[i], end = rowStart[i + 1]; e < end; e++) {
      const j = pairJ[e];
      const d0 = xi - y[2 * j];
      const d1 = yi - y[2 * j + 1];
      const w = (exaggeration * pairP[e]) / (1 + d0 * d0 + d1 * d1);
      gx += w * d0;
      gy += w * d1;
      out[2 * j] -= w * d0;
      out[2 * j + 1] -= w * d1;
    }
    out[2 * i] += gx;
    out[2 * i + 1] += gy;
  }
}
