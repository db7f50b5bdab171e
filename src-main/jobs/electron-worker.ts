/**
 * Job worker entry for an Electron utility process (`utilityProcess.fork`, see
 * src-main/app/utility-process-launcher.ts): messages arrive on `process.parentPort` as MessageEvents (`e.data`) and
 * go back with `process.parentPort.postMessage`. Does not import electron: the parent port is a
 * property Electron puts on `process` in utility processes.
 */
import { runJob } from './run-job.js';
import type { FromWorker, ToWorker } from './protocol.js';

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!port) throw new Error('the job worker runs in an Electron utility process (process.parentPort is missing)');

const controller = new AbortController();
let started = false;
const post = (m: FromWorker) => port.postMessage(m);

port.on('message', (e) => {
  const m = e.data as ToWorker | undefined;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'cancel') controller.abort(m.reason);
  else if (m.type === 'start' && !started) {
    started = true;
    void runJob(m.spec, controller.signal, post).finally(() => {
      // the parent stops the worker once it has the outcome; exit by ourselves if it does not
      setTimeout(() => process.exit(0), 5_000).unref();
    });
  }
});
