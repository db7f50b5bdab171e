/** Job worker entry for plain Node (`child_process.fork`): `serve`'s jobs, each run of a CLI experiment, and the tests. */
import { nodeRunLauncher } from './launchers.js';
import { runJob } from './run-job.js';
import type { FromWorker, ToWorker } from './protocol.js';

const controller = new AbortController();
let finished = false;

/**
 * A worker ends with the process that started it: a training run left behind would keep a core
 * busy and its folder 'running' with nobody to report to. The IPC channel closes when the parent
 * exits, however it exits; the parent-pid check covers a channel that never reports closing.
 */
const PARENT_ENDED = 'its parent process (the server, app or experiment that started it) ended';
const parentPid = process.ppid;
const stopWithParent = (): void => {
  if (finished) return;
  if (!controller.signal.aborted) controller.abort(PARENT_ENDED);
};
const post = (m: FromWorker): void => {
  if (!process.connected) return;
  try {
    // with a callback, a send that fails because the parent is gone (EPIPE) is reported here
    // instead of as an 'error' event that would end the worker before it saves
    process.send?.(m, undefined, {}, (err) => err && stopWithParent());
  } catch {
    stopWithParent();
  }
};

process.on('disconnect', stopWithParent);
process.on('error', stopWithParent);
const parentWatch = setInterval(() => {
  if (process.ppid !== parentPid) stopWithParent();
}, 1_000);
parentWatch.unref();

process.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') controller.abort(m.reason);
  else if (m.type === 'start') {
    void runJob(m.spec, controller.signal, post, nodeRunLauncher).then(() => {
      finished = true;
      clearInterval(parentWatch);
      if (process.connected) process.disconnect();
    });
  }
});
