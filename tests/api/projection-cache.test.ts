/**
 * A second request for the same projection of unchanged runs is answered from the cache (a job
 * that is done at once, with the same result); a run whose files change is projected again.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import { inProcessLauncher } from '../../src-main/jobs/in-process.js';
import type { JobEvent, JobInfo } from '../../src-main/api/contract.js';
import { tempDir } from '../helpers.js';

const root = tempDir();
const run = join(root, 'scratch-s4');
cpSync(fileURLToPath(new URL('../../resources/demo/scratch-s4', import.meta.url)), run, { recursive: true });
const jobs = new JobManager(
  inProcessLauncher(() => Promise.reject(new Error('no training here'))),
  { concurrency: 1 },
);
const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([root])), jobs, workspaces: [root] });

/** Starts a projection and waits for its end: the job as answered, its result and how long it took. */
async function project(id: string): Promise<{ answered: JobInfo; result: unknown; ms: number }> {
  const t = performance.now();
  const ended = new Promise<JobEvent>((resolve) => {
    const off = jobs.onEvent((e) => {
      if (e.type !== 'progress' && e.job.jobId === answered?.jobId) {
        off();
        resolve(e);
      }
    });
  });
  const answered = (await dispatch(handlers, 'analysis.project', { ids: [id], method: 'pca' })) as JobInfo;
  const e = await ended;
  expect(e.type).toBe('done');
  return { answered, result: e.type === 'done' ? e.result : null, ms: performance.now() - t };
}

describe('the projection cache', () => {
  it('answers the same projection of unchanged runs at once, and recomputes once a run changes', async () => {
    const { id } = (await dispatch(handlers, 'source.open', { path: run })) as { id: string };
    const first = await project(id);
    expect(first.answered.state).toBe('running');
    const second = await project(id);
    expect(second.answered.state).toBe('done'); // served from the cache: no job ran
    expect(second.result).toEqual(first.result);
    expect(second.ms).toBeLessThan(first.ms);
    // the run changes (a run in progress grows its trajectory): computed again
    const later = new Date(Date.now() + 5000);
    utimesSync(join(run, 'trajectory.npy'), later, later);
    const third = await project(id);
    expect(third.answered.state).toBe('running');
    expect(third.result).toEqual(first.result);
    expect(jobs.list().filter((j) => j.kind === 'project')).toHaveLength(3);
  });
});
