/** Job worker entry for plain Node (`child_process.fork`): the CLI's server and the tests. */
import { runJob } from './run-job.js';
import type { FromWorker, ToWorker } from './protocol.js';

const controller = new AbortController();
const post = (m: FromWorker) => process.send?.(m);

process.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') controller.abort();
  else if (m.type === 'start') void runJob(m.spec, controller.signal, post).then(() => process.disconnect?.());
});
