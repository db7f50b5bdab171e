/**
 * t-SNE's iterations shared between threads: the same embedding bit for bit whatever the number
 * of threads, a helper that cannot start is left out without changing the result, and a cancelled
 * run stops its helpers.
 */
import { describe, expect, it, vi } from 'vitest';
import { tsne } from '../../../src-main/engine/analysis/tsne.js';
import { ATTRACTION, GROUPS, REPULSION, sharedTsne } from '../../../src-main/engine/analysis/tsne-iteration.js';
import { TsnePool } from '../../../src-main/engine/analysis/tsne-pool.js';
import { CancelledError } from '../../../src-main/engine/analysis/cancel.js';
import { Rng } from '../../../src-main/engine/task/rng.js';

/** Three noisy clusters in 10 dimensions, and a PCA-like start (the first two coordinates, tiny). */
function clusters(n: number, dim = 10): { points: Float64Array; init: Float64Array } {
  const rng = new Rng(11);
  const points = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) points[i * dim + c] = (c === i % 3 ? 6 : 0) + rng.normal();
  const init = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    init[2 * i] = points[i * dim] * 1e-4;
    init[2 * i + 1] = points[i * dim + 1] * 1e-4;
  }
  return { points, init };
}

function width(y: Float64Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < y.length; i += 2) {
    lo = Math.min(lo, y[i]);
    hi = Math.max(hi, y[i]);
  }
  return hi - lo;
}

describe('t-SNE on several threads', () => {
  it('gives the same embedding bit for bit on 1, 2 and 3 threads', async () => {
    // long enough that the helpers, which load in a few tenths of a second here (through tsx), join
    const n = 1500;
    const { points, init } = clusters(n);
    const runs = [];
    const reports = [];
    const warn = vi.spyOn(console, 'warn');
    for (const threads of [1, 2, 3]) {
      const report = { iterations: 0, shared: 0 };
      runs.push(await tsne(points, n, 10, init, { threads, report }));
      reports.push(report);
    }
    // helpers ended by the run itself are not reported as lost
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(reports[0].shared).toBe(0);
    expect(reports[1].shared).toBeGreaterThan(0);
    expect(reports[2].shared).toBeGreaterThan(0);
    // the run went past the FFT's small embeddings into Barnes–Hut (a square of side > 5 here)
    expect(width(runs[0])).toBeGreaterThan(5);
    expect(Array.from(runs[1])).toEqual(Array.from(runs[0]));
    expect(Array.from(runs[2])).toEqual(Array.from(runs[0]));
  }, 120_000);

  it('computes the same forces on one thread, on two, and when a helper thread cannot start', async () => {
    // enough points that an iteration outlasts a helper's wake-up, so that it joins some
    const n = 3000;
    const { init } = clusters(n);
    // a ring of pairs (i, i + 1) as P
    const rowStart = Int32Array.from({ length: n + 1 }, (_, i) => Math.min(i, n - 1));
    const pairJ = Int32Array.from({ length: n - 1 }, (_, i) => i + 1);
    const pairP = new Float64Array(n - 1).fill(1 / (n - 1));
    const spread = Float64Array.from(init, (v, c) => v * 1e5 + (c % 2 ? 0 : c / 40));
    const forces = [];
    const threads = [];
    const joins = [];
    for (const pool of [new TsnePool(1), new TsnePool(2), new TsnePool(2, 'no-such-thread')]) {
      const f = pool.join(sharedTsne(n, spread, rowStart, pairJ, pairP));
      threads.push(await pool.started());
      f.exaggeration[0] = 1;
      // the same iteration 20 times over: a ready helper joins some of them
      let joined = 0;
      for (let round = 0; round < 20; round++) {
        f.repulsion.fill(0);
        joined += pool.step(REPULSION | ATTRACTION);
      }
      joins.push(joined > 0);
      forces.push({ repulsion: Array.from(f.repulsion), attraction: Array.from(f.attraction), z: Array.from(f.groupZ.subarray(0, Atomics.load(f.control, GROUPS))) });
      await pool.stop();
    }
    expect(threads).toEqual([1, 2, 1]);
    expect(joins).toEqual([false, true, false]);
    expect(forces[1]).toEqual(forces[0]);
    expect(forces[2]).toEqual(forces[0]);
    expect(forces[0].repulsion.some((v) => v !== 0)).toBe(true);
    expect(forces[0].attraction.some((v) => v !== 0)).toBe(true);
    expect(forces[0].z.length).toBeGreaterThan(1);
  }, 30_000);

  it('stops when cancelled during the iterations on two threads', async () => {
    const n = 1200;
    const { points, init } = clusters(n);
    const controller = new AbortController();
    let iterating = false;
    const run = tsne(points, n, 10, init, {
      threads: 2,
      signal: controller.signal,
      onProgress: (stage) => {
        if (stage === 't-SNE' && !iterating) {
          iterating = true;
          setTimeout(() => controller.abort(), 20);
        }
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(iterating).toBe(true);
  }, 60_000);
});
