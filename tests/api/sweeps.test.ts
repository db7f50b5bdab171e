/** sweep.list / sweep.open through the real handler table: found in workspaces, confined to them. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry, discover } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import { openSweep } from '../../src-main/engine/experiment/sweep.js';
import { writeSweep } from '../../src-main/engine/experiment/sweepSpec.js';
import { ApiError, type SweepInfo } from '../../src-main/api/contract.js';
import { tempDir } from '../helpers.js';

const root = tempDir();
const workspace = join(root, 'ws');
const outside = join(root, 'outside');
for (const dir of [join(workspace, 'studies'), outside]) mkdirSync(dir, { recursive: true });
const spec = { schedules: [{ name: 'scratch', preset: 'fig5-scratch' }, { name: 'curriculum', preset: 'fig5-curriculum' }], seeds: [0, 1], grid: [{ path: 'lr', values: ['1e-3', '3e-3'] }], set: [], maxSteps: 50 };
for (const dir of [join(workspace, 'studies', 'lr-sweep'), join(outside, 'other')]) writeSweep(dir, openSweep(dir, spec, 'local'));
const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([workspace])), jobs: new JobManager(() => ({ send() {}, kill() {} })), workspaces: [workspace] });
const call = (channel: string, payload: unknown) => dispatch(handlers, channel, payload);

describe('the sweep calls', () => {
  it('lists the sweeps in the workspaces, and keeps their runs out of the run list', async () => {
    expect(await call('sweep.list', {})).toEqual([{ path: join(workspace, 'studies', 'lr-sweep'), label: 'lr-sweep' }]);
    expect(discover([workspace])).toEqual([]);
  });

  it('does not list a sweep reached through a link that leaves the workspace', async () => {
    const link = join(workspace, 'linked');
    symlinkSync(join(outside, 'other'), link);
    try {
      expect(await call('sweep.list', {})).toEqual([{ path: join(workspace, 'studies', 'lr-sweep'), label: 'lr-sweep' }]);
    } finally {
      rmSync(link);
    }
  });

  it('opens a sweep: cells, schedules, intervals and run states, before any run has started', async () => {
    const info = (await call('sweep.open', { path: join(workspace, 'studies', 'lr-sweep') })) as SweepInfo;
    expect(info).toMatchObject({ label: 'lr-sweep', scheduler: 'local', schedules: ['scratch', 'curriculum'], maxSteps: 50, states: { pending: 8, done: 0 } });
    expect(info.cells.map((c) => c.label)).toEqual(['lr=1e-3', 'lr=3e-3']);
    expect(info.cells[0].schedules[0]).toMatchObject({ planned: 2, total: 0, rate: null, ci95: [0, 1] });
    expect(info.cells[0].pValue).toBeNull();
    expect(info.runs[0].path).toBe(join(workspace, 'studies', 'lr-sweep', 'lr=1e-3', 'scratch-s0'));
  });

  it('refuses paths outside the workspaces and folders that are not sweeps, with a sentence', async () => {
    await expect(call('sweep.open', { path: join(outside, 'other') })).rejects.toMatchObject({ kind: 'forbidden' });
    const notSweep = call('sweep.summary', { path: join(workspace, 'studies') });
    await expect(notSweep).rejects.toBeInstanceOf(ApiError);
    await expect(notSweep).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/is not a sweep folder: it has no sweep\.json/) });
    await expect(call('sweep.open', {})).rejects.toMatchObject({ kind: 'invalid' });
  });
});
