/** The sweep spec: grids, cells, run folders, sweep.json, and bad input refused with a sentence. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arrayRanges, parseGridArg, planSweep, readSweep, runConfig, type SweepSpec } from '../../../src-main/engine/experiment/sweepSpec.js';
import { openSweep } from '../../../src-main/engine/experiment/sweep.js';
import { tempDir } from '../../helpers.js';

const root = tempDir();
const spec = (over: Partial<SweepSpec> = {}): SweepSpec => ({
  schedules: [{ name: 'fig5-scratch', preset: 'fig5-scratch' }, { name: 'fig5-curriculum', preset: 'fig5-curriculum' }],
  seeds: [0, 1, 2],
  grid: [],
  set: [],
  maxSteps: null,
  ...over,
});

describe('sweep spec', () => {
  it('expands schedules × seeds × the cartesian product of the grid, in a fixed order', () => {
    const { cells, runs } = planSweep(spec({ grid: [parseGridArg('phases.0.steps=500,1000,3000'), parseGridArg('lr=1e-3,3e-3')] }));
    expect(cells).toHaveLength(6);
    expect(cells[1]).toMatchObject({ values: { 'phases.0.steps': '500', lr: '3e-3' }, dir: 'phases.0.steps=500_lr=3e-3' });
    expect(runs).toHaveLength(6 * 2 * 3);
    expect(runs[4]).toMatchObject({ index: 4, cell: 0, schedule: 'fig5-curriculum', seed: 1, dir: join('phases.0.steps=500_lr=1e-3', 'fig5-curriculum-s1') });
    const c = runConfig(runs[4]);
    expect(c.seed).toBe(1);
    expect(c.phases.map((p) => [p.steps, p.lr])).toEqual([[500, 1e-3], [7000, 1e-3]]);
    // `lr` sets every phase, like train --lr
    expect(runConfig(runs.find((r) => r.cell === 1 && r.schedule === 'fig5-curriculum')!).phases.map((p) => p.lr)).toEqual([3e-3, 3e-3]);
  });

  it('an axis for one schedule varies only that schedule; the others run once per seed, shared by every cell', () => {
    const seeds = Array.from({ length: 100 }, (_, i) => i);
    const { cells, runs } = planSweep(spec({ seeds, grid: [parseGridArg('fig5-curriculum:phases.0.steps=1000,3000,5000')] }));
    expect(cells.map((c) => c.label)).toEqual(['fig5-curriculum:phases.0.steps=1000', 'fig5-curriculum:phases.0.steps=3000', 'fig5-curriculum:phases.0.steps=5000']);
    // 100 scratch runs + 3 × 100 curriculum runs, not 600
    expect(runs).toHaveLength(400);
    const scratch = runs.filter((r) => r.schedule === 'fig5-scratch');
    expect(scratch).toHaveLength(100);
    expect(scratch[7]).toMatchObject({ dir: 'fig5-scratch-s7', cells: [0, 1, 2], overrides: [] });
    const late = runs.find((r) => r.schedule === 'fig5-curriculum' && r.cell === 2 && r.seed === 7)!;
    expect(late).toMatchObject({ dir: join('phases.0.steps=5000', 'fig5-curriculum-s7'), cells: [2] });
    expect(runConfig(late).phases.map((p) => p.steps)).toEqual([5000, 7000]);
    expect(() => planSweep(spec({ grid: [parseGridArg('curriculum:phases.0.steps=1,2')] }))).toThrow(/names the schedule 'curriculum', which is not one of the --preset schedules/);
  });

  it('without a grid, runs sit directly in the sweep folder', () => {
    const { cells, runs } = planSweep(spec());
    expect(cells).toEqual([{ index: 0, values: {}, dir: '', label: 'all runs' }]);
    expect(runs.map((r) => r.dir)).toEqual(['fig5-scratch-s0', 'fig5-scratch-s1', 'fig5-scratch-s2', 'fig5-curriculum-s0', 'fig5-curriculum-s1', 'fig5-curriculum-s2']);
  });

  it('refuses bad grids and settings with a sentence naming the problem', () => {
    expect(() => parseGridArg('phases.0.steps')).toThrow(/a grid must look like path=v1,v2/);
    expect(() => parseGridArg('lr=1e-3,,2e-3')).toThrow(/a grid must look like/);
    expect(() => parseGridArg('lr=1,1')).toThrow(/repeats a value/);
    expect(() => planSweep(spec({ grid: [parseGridArg('phases.1.steps=100,200')] }))).toThrow(/fig5-scratch in phases\.1\.steps=100: unknown setting 'phases\.1'/);
    expect(() => planSweep(spec({ grid: [parseGridArg('model.d=big')] }))).toThrow(/takes a number/);
    expect(() => planSweep(spec({ schedules: [] }))).toThrow(/at least one --preset/);
    expect(() => planSweep(spec({ maxSteps: 0 }))).toThrow(/--max-steps must be a positive integer/);
  });

  it('array ranges compress run indices for sbatch --array', () => {
    expect(arrayRanges([0, 1, 2, 3])).toBe('0-3');
    expect(arrayRanges([7, 0, 1, 9, 10, 11, 3])).toBe('0-1,3,7,9-11');
  });

  it('reopens its own sweep (with another --max-steps) and refuses a different one in the same folder', () => {
    const dir = join(root, 'reopen');
    const first = openSweep(dir, spec(), 'local');
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify(first));
    expect(openSweep(dir, spec({ maxSteps: 10 }), 'local').spec.maxSteps).toBe(10);
    expect(() => openSweep(dir, spec({ seeds: [0, 1] }), 'local')).toThrow(/holds a different sweep/);
  });

  it('reads sweep.json as untrusted input', () => {
    const dir = join(root, 'bad');
    mkdirSync(dir);
    expect(() => readSweep(dir)).toThrow(/is not a sweep folder: it has no sweep\.json/);
    writeFileSync(join(dir, 'sweep.json'), '{not json');
    expect(() => readSweep(dir)).toThrow(/is not valid JSON/);
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ format: 'circuit-workbench-sweep', version: 1, spec: {}, cells: [], runs: [{ dir: '../../etc' }], scheduler: { submissions: [] } }));
    expect(() => readSweep(dir)).toThrow(/outside the sweep folder/);
  });
});
