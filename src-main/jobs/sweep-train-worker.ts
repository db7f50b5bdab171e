/** The forked worker of forkRunLauncher: trains one run and reports over IPC. */
import { train } from '../engine/train/trainer.js';
import { readManifest } from '../engine/runs/runFolder.js';
import type { TrainJob } from '../engine/experiment/localScheduler.js';

const controller = new AbortController();
const send = (m: unknown) => process.send?.(m);

process.on('message', (m: { type: 'start'; job: TrainJob } | { type: 'cancel' }) => {
  if (m.type === 'cancel') controller.abort();
  else {
    const { job } = m;
    train({ runDir: job.runDir, config: job.config, resume: job.resume, maxSteps: job.maxSteps, signal: controller.signal, onProgress: (p) => send({ type: 'progress', step: p.step, totalSteps: p.totalSteps, testAcc: p.testAcc }) })
      .then((r) => send({ type: 'result', status: r.status, message: readManifest(job.runDir).message }))
      .catch((err: Error) => send({ type: 'result', status: 'failed', message: err.message }))
      .finally(() => process.disconnect?.());
  }
});
