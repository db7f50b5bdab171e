/** Job worker entry for plain Node (`child_process.fork`): `serve`'s jobs, each run of a CLI experiment, and the tests. */
import { nodeRunLauncher } from './launchers.js';
import { runJob } from './run-job.js';
import type { FromWorker, ToWorker } from './protocol.js';

const controller = new AbortController();
const post = (m: FromWorker) => process.send?.(m);

process.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') controller.abort();
  else if (m.type === 'start') void runJob(m.spec, controller.signal, post, nodeRunLauncher).then(() => process.disconnect?.());
});
