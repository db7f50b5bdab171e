/**
 * A helper thread of t-SNE (worker_threads). Started early, so that its start overlaps the nearest
 * neighbours; sent the shared run once P is known, it then waits for each iteration the calling
 * thread starts, joins it unless the caller has already closed it, takes its share of the forces
 * (TsneForces.run) and reports it finished, until told to exit.
 */
import { parentPort } from 'node:worker_threads';
import { EXIT, FAILED, FINISHED, GENERATION, MODE, TsneForces, joinIteration, type SharedTsne } from './tsne-iteration.js';

parentPort?.once('message', (run: SharedTsne) => {
  const forces = new TsneForces(run);
  const control = forces.control;
  let generation = Atomics.load(control, GENERATION);
  parentPort?.postMessage('ready');
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    generation = Atomics.load(control, GENERATION);
    if (Atomics.load(control, MODE) & EXIT) break;
    if (!joinIteration(control)) continue;
    try {
      forces.run(Atomics.load(control, MODE));
    } catch (e) {
      Atomics.store(control, FAILED, 1);
      parentPort?.postMessage(`failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    Atomics.add(control, FINISHED, 1);
    Atomics.notify(control, FINISHED);
  }
});
