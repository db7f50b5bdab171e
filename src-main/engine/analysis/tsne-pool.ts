/**
 * The helper threads of a t-SNE run (tsne-thread.ts) and the iteration they share with the calling
 * thread: start them early, hand them the shared run once P is known, start each iteration, wait
 * for their shares, and stop them however the run ends.
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { startThread } from '../io/packageRoot.js';
import { CLOSED, EXIT, FAILED, FINISHED, GENERATION, GROUPS, JOINED, MODE, NEXT_BLOCK, NEXT_GROUP, TsneForces, type SharedTsne } from './tsne-iteration.js';

/**
 * Below this many points a thread's start (~50 ms) and the hand-over at every iteration (~0.1 ms)
 * cost more than half an iteration saves; from about here up they pay (an iteration of 1,000 points
 * takes ~1.5 ms here).
 */
export const TSNE_PARALLEL_MIN_POINTS = 1000;
/** The most threads, the caller's included: the work of an iteration is too small to share wider. */
const MAX_THREADS = 4;
/** How long to wait for a helper's share before calling it lost. */
const HELPER_TIMEOUT_MS = 60_000;

/** The threads for n points when the caller does not say: the cores, up to MAX_THREADS, from TSNE_PARALLEL_MIN_POINTS points. */
export function tsneThreads(n: number): number {
  return n < TSNE_PARALLEL_MIN_POINTS ? 1 : Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}

interface Helper {
  worker: Worker;
  /** true once it holds the run and waits for iterations; false if it could not start */
  ready: Promise<boolean>;
  error?: string;
}

export class TsnePool {
  private readonly helpers: Helper[];
  /** helpers not known to have failed: while any is, each iteration is announced to them */
  private alive: number;
  private forces: TsneForces | null = null;
  /** set by stop: the helpers' exits from then on are expected */
  private stopping = false;

  /** Starts threads − 1 helpers running `module` (the tests name one that does not exist); they load while the caller finds neighbours. */
  constructor(threads: number, module = 'tsne-thread') {
    this.helpers = [];
    for (let h = 1; h < threads; h++) {
      let worker: Worker;
      try {
        worker = startThread(module, import.meta.url);
      } catch (e) {
        console.warn(`t-SNE: no helper thread (${e instanceof Error ? e.message : String(e)}); going on with the threads there are, with the same result`);
        continue;
      }
      worker.unref();
      const helper: Helper = { worker, ready: Promise.resolve(false) };
      helper.ready = new Promise<boolean>((resolve) => {
        const lost = (why: string) => {
          if (helper.error === undefined && !this.stopping) {
            helper.error = why;
            this.alive--;
            console.warn(`t-SNE: a helper thread stopped (${why}); the others go on, with the same result`);
          }
          resolve(false);
        };
        worker.on('message', (m: unknown) => (m === 'ready' ? resolve(true) : lost(String(m))));
        worker.on('error', (e) => lost(e.message));
        worker.on('exit', () => lost('it exited'));
      });
      this.helpers.push(helper);
    }
    this.alive = this.helpers.length;
  }

  /**
   * Hands the run to the helpers and returns the caller's forces. The iterations start at once: a
   * helper joins them when it is ready, and one that cannot start never does; the result does not
   * depend on how many threads share the work.
   */
  join(run: SharedTsne): TsneForces {
    for (const h of this.helpers) h.worker.postMessage(run);
    this.forces = new TsneForces(run);
    return this.forces;
  }

  /** The threads that got ready to share the iterations, the caller's included. */
  async started(): Promise<number> {
    return 1 + (await Promise.all(this.helpers.map((h) => h.ready))).filter(Boolean).length;
  }

  /**
   * One iteration's forces (mode: REPULSION | ATTRACTION bits), shared with the helpers; returns
   * when all are written. `first` runs on this thread once the helpers have been started. Returns
   * how many helpers joined.
   */
  step(mode: number, first?: () => void): number {
    const forces = this.forces!;
    const control = forces.control;
    Atomics.store(control, NEXT_GROUP, 0);
    Atomics.store(control, NEXT_BLOCK, 0);
    Atomics.store(control, GROUPS, 0);
    Atomics.store(control, FINISHED, 0);
    Atomics.store(control, MODE, mode);
    // everything is set before helpers may join: one that wakes from the last iteration and joins
    // now does this iteration's work
    Atomics.store(control, JOINED, this.alive > 0 ? 0 : CLOSED);
    if (this.alive > 0) {
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    }
    first?.();
    forces.run(mode);
    // close the iteration: only the helpers that joined before are waited for (under load a helper
    // may not have woken yet, and there is nothing left for it to do)
    const joined = Atomics.or(control, JOINED, CLOSED) & ~CLOSED;
    const since = Date.now();
    for (;;) {
      const finished = Atomics.load(control, FINISHED);
      if (finished >= joined) break;
      if (Date.now() - since > HELPER_TIMEOUT_MS) throw new Error(`a t-SNE helper thread did not finish its share of an iteration in ${HELPER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(control, FINISHED, finished, 100);
    }
    if (Atomics.load(control, FAILED)) {
      const error = this.helpers.find((h) => h.error)?.error ?? 'failed';
      throw new Error(`a t-SNE helper thread ${error}`);
    }
    return joined;
  }

  /** Tells the helpers to exit and ends them. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.forces && this.alive > 0) {
      Atomics.store(this.forces.control, MODE, EXIT);
      Atomics.add(this.forces.control, GENERATION, 1);
      Atomics.notify(this.forces.control, GENERATION);
    }
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
  }
}
