/**
 * Starting a local sweep over HTTP (sweep.start) against a real `serve` on 127.0.0.1: hostile
 * requests get a 400 and one sentence and leave nothing behind; a small real sweep runs as a job
 * (each run in a forked worker) and the Sweeps view's call reads its rates; a cancelled sweep
 * leaves its run resumable and the same request resumes it to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type RunningServer } from '../../src-main/serve/server.js';
import { readManifest } from '../../src-main/engine/runs/runFolder.js';
import { runConfig } from '../../src-main/engine/experiment/sweepSpec.js';
import type { JobInfo, SweepInfo } from '../../src-main/api/contract.js';
import { tempDir } from '../helpers.js';

const TOKEN = 'sweep-start-token-0123456789';
const root = tempDir('cw-sweep-start-');
const workspace = join(root, 'workspace');
let server: RunningServer;
let base: string;

/** Every run this small: seconds per run on a busy 2-core machine. */
const TINY = { 'task.T': 6, 'task.k': 3, 'task.nTrain': 64, 'task.nTest': 32, 'task.nHeldout': 16, 'model.d': 8, 'model.h': 16, 'snapshots.every': 10 };

async function call<T = Record<string, unknown>>(channel: string, body: unknown): Promise<{ status: number; body: T & { error?: string } }> {
  const res = await fetch(`${base}/api/${channel}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T & { error?: string } };
}

async function waitForJob(jobId: string, until: (j: JobInfo) => boolean, timeout = 240_000): Promise<JobInfo> {
  const end = Date.now() + timeout;
  for (;;) {
    const job = (await call<JobInfo[]>('job.list', {})).body.find((j) => j.jobId === jobId);
    if (job && until(job)) return job;
    if (Date.now() > end) throw new Error(`job ${jobId} did not get there in time: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  mkdirSync(workspace);
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>Circuit Workbench</title>');
  mkdirSync(join(workspace, 'not-a-sweep'));
  server = await serve({ workspaces: [workspace], rendererDir: join(root, 'renderer'), token: TOKEN, maxJobs: 2 });
  base = server.url.replace(/\/\?token=.*$/, '');
});
afterAll(async () => {
  await server?.close();
});

describe('sweep.start over HTTP', () => {
  const ok = { presets: ['fig5-scratch', 'fig5-curriculum'], seeds: '0-1' };
  const hostile: [string, unknown, RegExp][] = [
    ['no presets', { ...ok, presets: [] }, /'presets' too small/],
    ['a preset twice', { ...ok, presets: ['fig5-scratch', 'fig5-scratch'] }, /'presets' names a preset twice/],
    ['an unknown preset', { ...ok, presets: ['fig99'] }, /unknown preset 'fig99'/],
    ['ten billion seeds', { ...ok, seeds: '0-10000000000' }, /'seeds' asks for 10000000001 seeds; an experiment runs at most 1000/],
    ['seeds that are not a list', { ...ok, seeds: '1e20' }, /'seeds' must be a range like 0-4/],
    ['three grid parameters', { ...ok, grid: [{ path: 'lr', values: ['1'] }, { path: 'task.nTrain', values: ['64'] }, { path: 'model.d', values: ['8'] }] }, /'grid' too big/],
    ['a grid path that is code', { ...ok, grid: [{ path: '__proto__.x', values: ['1'] }] }, /'grid.0.path' must be a setting path/],
    ['a grid value with a slash', { ...ok, grid: [{ path: 'lr', values: ['../../etc'] }] }, /'grid.0.values.0' must be a number or a short word/],
    ['an unknown setting', { ...ok, grid: [{ path: 'model.colour', values: ['1'] }] }, /unknown setting 'model.colour'/],
    ['a grid for a schedule not in the sweep', { ...ok, grid: [{ path: 'lr', schedule: 'fig2', values: ['1e-3'] }] }, /names the schedule 'fig2', which is not one of/],
    ['a setting of the wrong type', { ...ok, set: { 'task.nTrain': 'many' } }, /setting 'task.nTrain' takes a number/],
    ['an impossible setting', { ...ok, set: { 'model.d': -3 } }, /d must be a positive integer, got -3/],
    ['too many runs', { ...ok, seeds: '0-999', grid: [{ path: 'lr', values: ['1e-3', '3e-3'] }] }, /the request plans 4000 runs .* at most 2000/],
    ['max steps 0', { ...ok, maxSteps: 0 }, /'maxSteps' must be at least 1$/],
    ['a folder name with a slash', { ...ok, name: '../outside' }, /'name' a name is 1–80 letters/],
    ['the parent folder', { ...ok, name: '..' }, /'\.\.' cannot name a folder/],
    ['a folder that is not a sweep', { ...ok, name: 'not-a-sweep' }, /a folder named 'not-a-sweep' already exists .* and is not a sweep; choose another name/],
    ['an extra field', { ...ok, jobs: 64 }, /unrecognized key/],
  ];
  it.each(hostile)('refuses %s with a 400 and one sentence, and writes nothing', async (_name, body, message) => {
    const before = readdirSync(workspace).sort();
    const r = await call('sweep.start', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
    expect(r.body.error).not.toMatch(/\n|\bat \S+:\d+/);
    expect(readdirSync(workspace).sort()).toEqual(before);
  });

  it('runs a small sweep as a job: its runs are the configured ones, and sweep.summary reads their rates', async () => {
    const request = { presets: ['fig5-scratch', 'fig5-curriculum'], seeds: '0', set: TINY, grid: [{ path: 'lr', values: ['1e-2', '3e-2'] }], maxSteps: 20, name: 'small' };
    const started = await call<JobInfo>('sweep.start', request);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ kind: 'sweep', state: 'running', outDir: join(workspace, 'small') });
    // the folder is a sweep from the start: the Sweeps view lists it while it runs
    expect((await call('sweep.list', {})).body).toEqual([{ path: join(workspace, 'small'), label: 'small' }]);
    // one sweep at a time in a folder
    expect((await call('sweep.start', request)).body.error).toMatch(/the sweep 'small' is already running/);
    const done = await waitForJob(started.body.jobId, (j) => j.state !== 'running');
    expect(done).toMatchObject({ state: 'done', fraction: 1 });

    const info = (await call<SweepInfo>('sweep.summary', { path: join(workspace, 'small') })).body;
    expect(info.states).toMatchObject({ done: 4, failed: 0 });
    expect(info.grid).toEqual([{ path: 'lr', values: ['1e-2', '3e-2'] }]);
    expect(info.cells.map((c) => c.schedules.map((s) => s.total))).toEqual([[1, 1], [1, 1]]);
    for (const c of info.cells) for (const s of c.schedules) expect(s.rate === 0 || s.rate === 1).toBe(true);
    expect(readFileSync(join(workspace, 'small', 'summary.csv'), 'utf8').split('\n')[0]).toMatch(/^lr,schedule,total,succeeded,rate,ci95_lo,ci95_hi/);
    // each run trained the preset, its seed, the settings and its cell's value, as the CLI's sweep does
    const run = readManifest(join(workspace, 'small', 'lr=3e-2', 'fig5-curriculum-s0'));
    expect(run).toMatchObject({ status: 'stopped', stepsDone: 20 });
    const overrides = [...Object.entries(TINY).map(([k, v]) => `${k}=${v}`), 'lr=3e-2'];
    expect(run.config).toEqual(runConfig({ preset: 'fig5-curriculum', seed: 0, overrides }));
  }, 300_000);

  it('a cancelled sweep leaves its run resumable, and the same request resumes it to the end', async () => {
    const request = { presets: ['fig5-scratch'], seeds: '5', set: { ...TINY, 'phases.0.steps': 1500 }, name: 'cancelled' };
    const started = (await call<JobInfo>('sweep.start', request)).body;
    await waitForJob(started.jobId, (j) => j.fraction > 0.02);
    expect((await call('job.cancel', { jobId: started.jobId })).status).toBe(200);
    await waitForJob(started.jobId, (j) => j.state === 'cancelled', 60_000);
    const runDir = join(workspace, 'cancelled', 'fig5-scratch-s5');
    const stopped = readManifest(runDir);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.resume?.step).toBe(stopped.stepsDone);
    expect(stopped.stepsDone).toBeGreaterThan(0);
    expect(existsSync(join(workspace, 'cancelled', 'local'))).toBe(false);
    const info = (await call<SweepInfo>('sweep.summary', { path: join(workspace, 'cancelled') })).body;
    expect(info.runs[0]).toMatchObject({ state: 'interrupted' });

    const again = (await call<JobInfo>('sweep.start', request)).body;
    expect(again.outDir).toBe(join(workspace, 'cancelled'));
    expect(await waitForJob(again.jobId, (j) => j.state !== 'running')).toMatchObject({ state: 'done' });
    const finished = readManifest(runDir);
    expect(finished).toMatchObject({ status: 'complete', stepsDone: 1500 });
    // continued in the same run, not started over
    expect(finished.createdAt).toBe(stopped.createdAt);
  }, 300_000);
});
