/**
 * Cancelling a projection through the api's handler table, on the real job worker (a forked
 * Node process, as `serve` runs it): a projection writes nothing, so its worker is ended at once
 * instead of being asked to stop at its next check (which, while the worker still loads or
 * inside a long product, came seconds later). A training job is still asked, so that it saves.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import { nodeWorkerLauncher } from '../../src-main/jobs/launchers.js';
import type { JobEvent, JobInfo } from '../../src-main/jobs/events.js';
import type { WorkerLauncher } from '../../src-main/jobs/protocol.js';
import { selectBackend } from '../../src-main/engine/backend.js';
import { train } from '../../src-main/engine/train/trainer.js';
import { tempDir, tinyConfig } from '../helpers.js';

const root = tempDir();
const runDir = join(root, 'run');

beforeAll(async () => {
  await selectBackend('wasm');
  await train({ runDir, config: tinyConfig('fig5-curriculum', { steps: 20 }), backend: 'wasm' });
});

describe('cancelling a projection', () => {
  it('ends its worker at once and reports the job cancelled, whatever the worker is doing', async () => {
    // the real launcher, watched: what ended each worker and what it said
    const exits: (number | null)[] = [];
    const said: string[] = [];
    const watched: WorkerLauncher = (onMessage, onExit) =>
      nodeWorkerLauncher(
        (m) => {
          said.push(m.type);
          onMessage(m);
        },
        (code) => {
          exits.push(code);
          onExit(code);
        },
      );
    const jobs = new JobManager(watched);
    const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([root])), jobs, workspaces: [root] });
    const call = (channel: string, req: unknown) => dispatch(handlers, channel as never, req as never);
    const events: JobEvent[] = [];
    jobs.onEvent((e) => events.push(e));
    const { id } = (await call('source.open', { path: runDir })) as { id: string };

    const job = (await call('analysis.project', { ids: [id], method: 'tsne' })) as JobInfo;
    const answer = (await call('job.cancel', { jobId: job.jobId })) as JobInfo;
    // cancelled when job.cancel answers: nothing waits for the worker to notice
    expect(answer.state).toBe('cancelled');
    expect(events.filter((e) => e.job.jobId === job.jobId).map((e) => e.type)).toEqual(['cancelled']);
    await expect.poll(() => exits.length, { timeout: 30_000 }).toBe(1);
    // killed by a signal (no exit code), before it said anything
    expect(exits).toEqual([null]);
    expect(said).toEqual([]);
    expect(jobs.list().find((j) => j.jobId === job.jobId)?.state).toBe('cancelled');
    expect(jobs.load()).toEqual({ running: 0, queued: 0 });

    // a projection left to finish still delivers its result
    const done = (await call('analysis.project', { ids: [id], method: 'pca' })) as JobInfo;
    await expect.poll(() => events.find((e) => e.job.jobId === done.jobId && e.type !== 'progress')?.type, { timeout: 60_000 }).toBe('done');
    await jobs.shutdown();
  });
});
