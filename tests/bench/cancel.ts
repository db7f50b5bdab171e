/**
 * Cancel latency of a projection through the app's real path: the api's handler table starts a
 * t-SNE job on a JobManager (a forked job worker, as `serve` does), `job.cancel` asks it to stop,
 * and the time until the job reports 'cancelled' is printed. The job is cancelled at several
 * moments: while its worker loads, in the PCA, and in the t-SNE iterations.
 *
 *   CW_BENCH_RUNS=runA:runB node --import tsx tests/bench/cancel.ts
 */
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import type { JobEvent, JobInfo } from '../../src-main/jobs/events.js';

const runs = (process.env['CW_BENCH_RUNS'] ?? '').split(':').filter(Boolean);
if (runs.length === 0) {
  console.log('cancel: set CW_BENCH_RUNS=runA[:runB] (run folders to project) to measure it');
  process.exit(0);
}
const jobs = new JobManager(undefined, { concurrency: 1 });
const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy(null)), jobs, workspaces: [] });
const call = (channel: string, req: unknown) => dispatch(handlers, channel as never, req as never);
const ids: string[] = [];
for (const r of runs) ids.push(((await call('source.open', { path: r })) as { id: string }).id);
const method = (process.env['CW_BENCH_METHOD'] ?? 'tsne') as 'tsne' | 'umap';

/** Starts a projection, cancels it `when` (a stage its progress reports, or ms after the start), times the cancel. */
async function cancelOnce(when: { stage: string } | { afterMs: number }, seed: number): Promise<string> {
  const started = performance.now();
  let cancelledAt = 0;
  let lastStage = 'starting';
  return new Promise((resolve) => {
    let job: JobInfo | null = null;
    const cancel = () => {
      if (cancelledAt || !job) return;
      cancelledAt = performance.now();
      void call('job.cancel', { jobId: job.jobId });
    };
    const off = jobs.onEvent((e: JobEvent) => {
      if (!job || e.job.jobId !== job.jobId) return;
      if (e.type === 'progress') {
        lastStage = e.job.stage;
        if ('stage' in when && e.job.stage === when.stage) cancel();
      } else {
        off();
        const reported = performance.now();
        const at = cancelledAt ? `${((reported - cancelledAt) / 1000).toFixed(3)} s after the cancel` : 'before any cancel';
        // and when its worker has ended (its core is free again)
        const gone = setInterval(() => {
          if (jobs.load().running > 0) return;
          clearInterval(gone);
          resolve(`${e.type} ${at}, worker gone ${((performance.now() - cancelledAt) / 1000).toFixed(3)} s after (cancelled at ${((cancelledAt - started) / 1000).toFixed(2)} s, in '${lastStage}')`);
        }, 1);
      }
    });
    void (call('analysis.project', { ids, method, seed }) as Promise<JobInfo>).then((info) => {
      job = info;
      if ('afterMs' in when) setTimeout(cancel, when.afterMs);
    });
  });
}

const moments: ({ stage: string } | { afterMs: number })[] = [{ afterMs: 300 }, { afterMs: 1500 }, { stage: 'centring' }, { stage: 'power iteration' }, { stage: `${method === 'tsne' ? 't-SNE' : 'UMAP'} neighbours` }, { stage: 't-SNE affinities' }, { stage: 't-SNE' }, { stage: 'UMAP' }];
let seed = 1;
for (const when of moments) {
  const label = 'stage' in when ? `at the first progress '${when.stage}'` : `${when.afterMs} ms after the start`;
  // a stage the method never reports would never cancel: skip those
  if ('stage' in when && when.stage.startsWith(method === 'tsne' ? 'UMAP' : 't-SNE')) continue;
  console.log(`cancel ${method} ${label.padEnd(34)}: ${await cancelOnce(when, seed++)}`);
}
await jobs.shutdown();
