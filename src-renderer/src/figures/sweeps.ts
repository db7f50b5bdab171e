/**
 * The Sweeps figure and table: each schedule's success rate per cell with its 95 % Wilson
 * interval as an error bar, against the grid parameter. Pure functions, tested in Node.
 */
import type { EChartsOption } from 'echarts';
import type { SweepInfo } from '../../../src-main/api/contract.js'; // types only
import { categoricalColor } from './palette.js';
import { pValueCell } from './export.js';

export type SweepCell = SweepInfo['cells'][number];

/** The x axis: the one grid parameter's values, or a single 'all runs' when there is no grid. */
export function sweepAxis(info: Pick<SweepInfo, 'grid'>): { name: string; categories: string[] } | null {
  if (info.grid.length > 1) return null;
  if (info.grid.length === 0) return { name: '', categories: ['all runs'] };
  return { name: info.grid[0].path, categories: info.grid[0].values };
}

export const formatP = (p: number | null): string => (p === null ? '—' : p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));
export const formatRate = (x: number | null): string => (x === null ? '—' : x.toFixed(2));

/** Success rate with error bars against the grid parameter (null with two or more parameters: use the table). */
export function sweepOption(info: SweepInfo): EChartsOption | null {
  const axis = sweepAxis(info);
  if (!axis) return null;
  const n = info.schedules.length;
  const offset = (i: number) => (n > 1 ? (i - (n - 1) / 2) * 0.12 : 0);
  const series: NonNullable<EChartsOption['series']> = [];
  info.schedules.forEach((name, i) => {
    const color = categoricalColor(i);
    const cells = info.cells.map((c) => c.schedules.find((s) => s.schedule === name)!);
    series.push({
      name,
      type: 'line',
      color,
      symbolSize: 9,
      data: cells.map((s, x) => [x + offset(i), s.rate, s.succeeded, s.total]),
      tooltip: { valueFormatter: (v) => formatRate(v as number) },
    });
    series.push({
      name,
      type: 'custom',
      color,
      // [x, lo, hi] in data coordinates; drawn as a vertical bar with caps
      data: cells.map((s, x) => [x + offset(i), s.ci95[0], s.ci95[1]]),
      renderItem: (_params, api) => {
        const lo = api.coord([api.value(0), api.value(1)]);
        const hi = api.coord([api.value(0), api.value(2)]);
        const cap = 5;
        const style = { stroke: color, lineWidth: 1.5 };
        return {
          type: 'group',
          children: [
            { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
            { type: 'line', shape: { x1: lo[0] - cap, y1: lo[1], x2: lo[0] + cap, y2: lo[1] }, style },
            { type: 'line', shape: { x1: hi[0] - cap, y1: hi[1], x2: hi[0] + cap, y2: hi[1] }, style },
          ],
        };
      },
      z: 1,
      silent: true,
    });
  });
  const pSubtitle = info.cells.every((c) => c.pValue === null) ? '' : `Fisher exact p (${info.schedules[0]} vs ${info.schedules[1]}): ${info.cells.map((c) => (info.grid.length ? `${c.values[info.grid[0].path]}: ` : '') + formatP(c.pValue)).join(', ')}`;
  return {
    animation: false,
    grid: { left: 70, right: 30, top: 70, bottom: 70 },
    legend: { top: 28, data: info.schedules },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const q = p as unknown as { seriesName: string; value: number[] };
        return `${q.seriesName}: ${q.value[2]} of ${q.value[3]} succeeded (${formatRate(q.value[1])})`;
      },
    },
    xAxis: {
      type: 'value',
      name: axis.name,
      nameLocation: 'middle',
      nameGap: 30,
      min: -0.5,
      max: axis.categories.length - 0.5,
      interval: 1,
      axisLabel: { formatter: (v: number) => axis.categories[Math.round(v)] ?? '' },
      splitLine: { show: false },
    },
    yAxis: { type: 'value', name: `success rate (test acc ≥ ${info.threshold}), 95 % interval`, nameLocation: 'middle', nameGap: 45, min: 0, max: 1 },
    graphic: pSubtitle ? [{ type: 'text', left: 'center', bottom: 8, style: { text: pSubtitle, fontSize: 12, fill: '#555' } }] : [],
    series,
  };
}

/** The plotted data (and the rest of the summary) as CSV rows: one per cell and schedule. */
export function sweepCsv(info: SweepInfo): { header: string[]; rows: (string | number | null)[][] } {
  const header = [...info.grid.map((g) => g.path), 'schedule', 'total', 'succeeded', 'rate', 'ci95_lo', 'ci95_hi', 'p_value', 'median_first_step_ge_0.99', 'median_final_train_acc', 'median_final_test_acc', 'median_final_heldout_acc'];
  const rows = info.cells.flatMap((c) =>
    c.schedules.map((s) => [...info.grid.map((g) => c.values[g.path]), s.schedule, s.total, s.succeeded, s.rate, s.ci95[0], s.ci95[1], pValueCell(c.pValue), s.medianFirstStep, s.medianFinalTrainAcc, s.medianFinalTestAcc, s.medianFinalHeldoutAcc]),
  );
  return { header, rows };
}

/** Progress as one line: '12 done, 2 running, 6 queued'. */
export function progressLine(states: SweepInfo['states']): string {
  const order: (keyof SweepInfo['states'])[] = ['done', 'running', 'queued', 'pending', 'interrupted', 'failed'];
  return order.filter((k) => states[k] > 0).map((k) => `${states[k]} ${k}`).join(', ') || 'no runs';
}

/** Is anything still to come (worth polling for)? */
export const isLive = (info: SweepInfo): boolean => info.states.running + info.states.queued > 0;

/** The seeds of a cell that both compared schedules have a finished run for. */
export function pairedSeeds(info: SweepInfo, cell: number): number[] {
  const [a, b] = info.schedules;
  if (!b) return [];
  const has = (schedule: string, seed: number) => info.runs.some((r) => r.cells.includes(cell) && r.schedule === schedule && r.seed === seed && r.state === 'done');
  const seeds = [...new Set(info.runs.filter((r) => r.cells.includes(cell)).map((r) => r.seed))].sort((x, y) => x - y);
  return seeds.filter((s) => has(a, s) && has(b, s));
}
