/**
 * The renderer's stores against the real handler table (an in-process door onto the engine, the
 * same table IPC and HTTP use) and a real run folder.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { join } from 'node:path';
import { useWorkspace } from '../../src-renderer/src/stores/workspace';
import { useJobs } from '../../src-renderer/src/stores/jobs';
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import { ApiError, type JobEvent } from '../../src-main/api/contract.js';
import type { WorkbenchApi } from '../../src-renderer/src/api/types';
import { train } from '../../src-main/engine/train/trainer.js';
import { tempDir, tinyConfig } from '../helpers.js';

const root = tempDir();
const runA = join(root, 'a');
const runB = join(root, 'b');
const jobs = new JobManager();

/** A WorkbenchApi that calls the handler table in process. */
function inProcessApi(): WorkbenchApi {
  const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([root])), jobs, workspaces: [root] });
  const recent: string[] = [];
  return {
    kind: 'http',
    call: async (channel, req) => {
      try {
        return (await dispatch(handlers, channel, req)) as never;
      } catch (err) {
        // the renderer sees the sentence, as over IPC and HTTP
        throw new Error((err as ApiError).message, { cause: err });
      }
    },
    onJobEvent: (l: (e: JobEvent) => void) => jobs.onEvent(l),
    openDialog: null,
    pathForFile: null,
    recent: async () => [...recent],
    remember: (p) => {
      recent.splice(0, recent.length, p, ...recent.filter((x) => x !== p));
    },
    saveFile: async () => true,
  };
}

beforeAll(async () => {
  const c = tinyConfig('fig5-curriculum', { steps: 10, task: { nHeldout: 0 }, snapshots: { denseUntil: 4, every: 4 } });
  await train({ runDir: runA, config: c, backend: 'wasm' });
  await train({ runDir: runB, config: { ...c, seed: 1 }, backend: 'wasm' });
});

describe('the workspace store', () => {
  it('opens runs, selects them, and puts the cursor on the primary run’s last snapshot', async () => {
    setActivePinia(createPinia());
    const ws = useWorkspace();
    ws.bind(inProcessApi());
    await ws.refresh();
    expect(ws.available.map((a) => a.label)).toEqual(['a', 'b']);
    const a = await ws.open(runA);
    expect(a?.steps).toEqual([0, 1, 2, 3, 4, 8, 10, 12, 16, 20]);
    expect(ws.primaryId).toBe(a!.id);
    expect(ws.cursor).toBe(20);
    const b = await ws.open(runB);
    expect(ws.selected).toEqual([a!.id, b!.id]);
    expect(ws.primaryId).toBe(a!.id); // the first stays primary
    expect(ws.recent).toEqual([runB, runA]);
    // reopening refreshes in place
    await ws.open(runA);
    expect(ws.sources).toHaveLength(2);
  });

  it('snaps the cursor to the nearest snapshot and steps through snapshots', async () => {
    setActivePinia(createPinia());
    const ws = useWorkspace();
    ws.bind(inProcessApi());
    await ws.open(runA);
    ws.setCursor(7);
    expect(ws.cursor).toBe(8);
    ws.setCursor(13);
    expect(ws.cursor).toBe(12);
    ws.stepCursor(-1);
    expect(ws.cursor).toBe(10);
    ws.stepCursor(100);
    expect(ws.cursor).toBe(20);
    ws.stepCursor(-Infinity);
    expect(ws.cursor).toBe(0);
  });

  it('shows the engine’s sentence when a path cannot be opened, and moves the primary on close', async () => {
    setActivePinia(createPinia());
    const ws = useWorkspace();
    ws.bind(inProcessApi());
    expect(await ws.open(join(root, 'missing'))).toBeNull();
    expect(ws.error).toMatch(/missing does not exist/);
    expect(await ws.open('/etc')).toBeNull();
    expect(ws.error).toMatch(/outside the workspace/);
    const a = await ws.open(runA);
    const b = await ws.open(runB);
    expect(ws.error).toBeNull();
    expect(ws.comparedRuns.map((s) => s.id)).toEqual([a!.id, b!.id]); // the order that gives each run its colour
    ws.toggleSelected(b!.id);
    expect(ws.selected).toEqual([a!.id]);
    expect(ws.comparedRuns.map((s) => s.id)).toEqual([a!.id]);
    await ws.close(a!.id);
    expect(ws.primaryId).toBe(b!.id);
    expect(ws.cursor).toBe(20);
  });
});

describe('the jobs store', () => {
  it('follows a job’s events to its result', async () => {
    setActivePinia(createPinia());
    const api = inProcessApi();
    const ws = useWorkspace();
    const js = useJobs();
    ws.bind(api);
    js.bind(api);
    const a = await ws.open(runA);
    const job = await api.call('analysis.project', { ids: [a!.id], method: 'pca' });
    js.track(job);
    await new Promise<void>((resolve) => {
      const stop = js.subscribe((e) => {
        if (e.job.jobId === job.jobId && e.type !== 'progress') {
          stop();
          resolve();
        }
      });
    });
    expect(js.jobs[job.jobId].state).toBe('done');
    const result = js.results[job.jobId] as { points: unknown[]; runs: { id: string }[] };
    expect(result.points).toHaveLength(10);
    expect(result.runs[0].id).toBe(a!.id);
  });
});
