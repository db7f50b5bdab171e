/** The Sweeps figure: rates with Wilson error bars against the grid parameter, CSV, and SVG export. */
import { describe, expect, it } from 'vitest';
import type { SweepInfo } from '../../../src-main/api/contract.js';
import { pairedSeeds, progressLine, sweepAxis, sweepCsv, sweepOption } from '../../../src-renderer/src/figures/sweeps.js';
import { toCsv } from '../../../src-renderer/src/figures/export.js';
import { svgOf } from '../../../src-renderer/src/figures/svg.js';

const states = (o: Partial<SweepInfo['states']> = {}) => ({ pending: 0, queued: 0, running: 0, done: 0, failed: 0, interrupted: 0, ...o });
const cellSchedule = (schedule: string, succeeded: number, total: number, ci95: [number, number]) => ({
  schedule, planned: total, total, succeeded, rate: total ? succeeded / total : null, ci95, medianFirstStep: null, medianFinalTrainAcc: 1, medianFinalTestAcc: 0.5, medianFinalHeldoutAcc: 0.5, states: states({ done: total }),
});

function info(): SweepInfo {
  return {
    path: '/w/s', label: 's', scheduler: 'local', threshold: 0.99, schedules: ['scratch', 'curriculum'], maxSteps: null, queueRead: true,
    grid: [{ path: 'phases.0.steps', values: ['500', '3000'] }],
    cells: [
      { index: 0, label: 'phases.0.steps=500', values: { 'phases.0.steps': '500' }, pValue: 0.5, schedules: [cellSchedule('scratch', 1, 10, [0.018, 0.404]), cellSchedule('curriculum', 4, 10, [0.168, 0.687])] },
      { index: 1, label: 'phases.0.steps=3000', values: { 'phases.0.steps': '3000' }, pValue: 0.00001, schedules: [cellSchedule('scratch', 0, 10, [0, 0.278]), cellSchedule('curriculum', 9, 10, [0.596, 0.982])] },
    ],
    runs: [
      { index: 0, cells: [1], schedule: 'scratch', seed: 3, path: '/w/s/a', state: 'done', stepsDone: 10, totalSteps: 10, message: null, finalTestAcc: 0.3 },
      { index: 1, cells: [1], schedule: 'curriculum', seed: 3, path: '/w/s/b', state: 'done', stepsDone: 10, totalSteps: 10, message: null, finalTestAcc: 1 },
      { index: 2, cells: [1], schedule: 'scratch', seed: 4, path: '/w/s/c', state: 'done', stepsDone: 10, totalSteps: 10, message: null, finalTestAcc: 0.3 },
      { index: 3, cells: [1], schedule: 'curriculum', seed: 4, path: '/w/s/d', state: 'running', stepsDone: 5, totalSteps: 10, message: null, finalTestAcc: null },
    ],
    states: states({ done: 3, running: 1 }),
  };
}

describe('the Sweeps figure', () => {
  it('plots each schedule’s rate with its interval as an error bar, per grid value', () => {
    const o = sweepOption(info())!;
    const series = o.series as { name: string; type: string; data: number[][] }[];
    expect(series.map((s) => [s.name, s.type])).toEqual([['scratch', 'line'], ['scratch', 'custom'], ['curriculum', 'line'], ['curriculum', 'custom']]);
    expect(series[2].data.map((d) => d[1])).toEqual([0.4, 0.9]);
    expect(series[3].data.map((d) => [d[1], d[2]])).toEqual([[0.168, 0.687], [0.596, 0.982]]);
    expect(sweepAxis(info())).toEqual({ name: 'phases.0.steps', categories: ['500', '3000'] });
  });

  it('draws to SVG with the error bars, axis values and p-values', () => {
    const svg = svgOf({ ...sweepOption(info())!, title: { text: 'sweep' } });
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('3000');
    expect(svg).toContain('Fisher exact p (scratch vs curriculum): 500: 0.50, 3000: 1.0e-5');
    // 2 schedules × 2 cells × 3 strokes per error bar
    const bars = [...svg.matchAll(/<path d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)" fill="#000" stroke="#(?:1f77b4|ff7f0e)" stroke-width="1\.5"/g)].map((m) => m.slice(1, 5).map(Number));
    expect(bars).toHaveLength(12);
    // the plot spans y = 490 (rate 0) to 70 (rate 1): curriculum at 3000 steps, [0.596, 0.982]
    const vertical = bars.filter(([x1, , x2]) => x1 === x2).map(([, y1, , y2]) => [y1, y2]);
    expect(vertical).toContainEqual([490 - 0.596 * 420, 490 - 0.982 * 420].map((y) => Math.round(y * 10) / 10));
  });

  it('gives a table instead of a chart for two or more grid parameters', () => {
    const two = { ...info(), grid: [...info().grid, { path: 'lr', values: ['1e-3'] }] };
    expect(sweepOption(two)).toBeNull();
  });

  it('exports one CSV row per cell and schedule, with the p-value', () => {
    const c = sweepCsv(info());
    expect(c.header.slice(0, 7)).toEqual(['phases.0.steps', 'schedule', 'total', 'succeeded', 'rate', 'ci95_lo', 'ci95_hi']);
    expect(c.rows[3].slice(0, 7)).toEqual(['3000', 'curriculum', 10, 9, 0.9, 0.596, 0.982]);
    // a p-value below float32's range keeps its exponent (the CSV writer's float32 text would print 0)
    const tiny = info();
    tiny.cells[1].pValue = 3.2e-60;
    expect(toCsv(sweepCsv(tiny).header, sweepCsv(tiny).rows).split('\n')[4].split(',')[7]).toBe('3.200e-60');
    expect(c.rows[3][7]).toBe('0.00001000'); // four significant digits, as in summary.csv
  });

  it('pairs seeds that both schedules finished, and says how far the sweep is', () => {
    expect(pairedSeeds(info(), 1)).toEqual([3]);
    expect(progressLine(info().states)).toBe('3 done, 1 running');
  });
});
