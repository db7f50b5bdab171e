/**
 * Fig. 6: loss and accuracy of (1−t)·θ_A + t·θ_B against t, with the peak of the train loss
 * between the two checkpoints (the barrier) marked. Pure: API rows + labels in, option out.
 */
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { Response } from '../../../src-main/api/contract.js'; // types only; '.js' paths keep this file valid for the Node tsconfig too (tests import it)

export type InterpolationRow = Response<'analysis.interpolate'>['rows'][number];
type Key = 'train_loss' | 'test_loss' | 'train_acc' | 'test_acc';

export interface Peak {
  t: number;
  value: number;
  index: number;
  /** peak minus the larger of the two end points' values (t = 0 and t = 1), when both were evaluated */
  barrier: number | null;
}

const EPS = 1e-9;

/**
 * The largest value of `key` between the checkpoints (0 ≤ t ≤ 1), or over all rows when no row
 * lies in [0, 1]. Extrapolated points are left out by default: loss grows without bound away
 * from the segment and would hide the barrier.
 */
export function peakOf(rows: InterpolationRow[], key: Key = 'train_loss', within: [number, number] | null = [0, 1]): Peak | null {
  const inside = within ? rows.map((r, i) => ({ r, i })).filter(({ r }) => r.t >= within[0] - EPS && r.t <= within[1] + EPS) : [];
  const pool = inside.length ? inside : rows.map((r, i) => ({ r, i }));
  let best: { r: InterpolationRow; i: number } | null = null;
  for (const x of pool) if (Number.isFinite(x.r[key]) && (best === null || x.r[key] > best.r[key])) best = x;
  if (!best) return null;
  const at = (t: number) => valueAt(rows, key, t);
  const a = at(0);
  const b = at(1);
  const barrier = a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) ? best.r[key] - Math.max(a, b) : null;
  return { t: best.r.t, value: best.r[key], index: best.i, barrier };
}

/**
 * The value of `key` at t: the row's when t is on the grid, else linear between the two rows
 * around it (a grid from −1 to 2 need not hit 0 and 1); undefined outside the rows.
 */
function valueAt(rows: InterpolationRow[], key: Key, t: number): number | undefined {
  const exact = rows.find((r) => Math.abs(r.t - t) < EPS);
  if (exact) return exact[key];
  const sorted = [...rows].sort((x, y) => x.t - y.t);
  const j = sorted.findIndex((r) => r.t > t);
  if (j <= 0) return undefined;
  const [a, b] = [sorted[j - 1], sorted[j]];
  return a[key] + ((b[key] - a[key]) * (t - a.t)) / (b.t - a.t);
}

export interface InterpolationLabels {
  /** what t = 0 is (for example "scratch-s0@10000") */
  a: string;
  /** what t = 1 is */
  b: string;
}

const COLORS = { train: '#2f6fde', test: '#e4572e' };

export function interpolationOption(rows: InterpolationRow[], labels: InterpolationLabels): EChartsOption {
  const peak = peakOf(rows, 'train_loss');
  const ts = rows.map((r) => r.t);
  const lo = Math.min(...ts);
  const hi = Math.max(...ts);
  const ends = [
    { t: 0, name: `A: ${labels.a}` },
    { t: 1, name: `B: ${labels.b}` },
  ].filter((e) => e.t >= lo - EPS && e.t <= hi + EPS);
  const line = (name: string, key: Key, color: string, dashed: boolean, grid: 0 | 1): LineSeriesOption => ({
    type: 'line',
    name,
    xAxisIndex: grid,
    yAxisIndex: grid,
    data: rows.map((r) => [r.t, Number.isFinite(r[key]) ? r[key] : null]),
    showSymbol: rows.length <= 41,
    symbolSize: 4,
    lineStyle: { color, width: 1.8, type: dashed ? 'dashed' : 'solid' },
    itemStyle: { color },
  });
  const trainLoss = line('train loss', 'train_loss', COLORS.train, false, 0);
  if (peak) {
    trainLoss.markPoint = {
      symbol: 'pin',
      symbolSize: 38,
      itemStyle: { color: COLORS.train },
      label: { fontSize: 9, formatter: () => 'peak' },
      data: [{ name: 'peak train loss', coord: [peak.t, peak.value], value: peak.value }],
    };
  }
  trainLoss.markLine = ends.length
    ? {
        symbol: 'none',
        silent: true,
        lineStyle: { color: '#6b7480', type: 'dotted', width: 1 },
        label: { formatter: '{b}', position: 'end', fontSize: 10, color: '#6b7480' },
        // an end at the edge of the plot writes its label inwards, so that it is not cut off
        data: ends.map((e) => ({ xAxis: e.t, name: e.name, label: { align: Math.abs(e.t - hi) < EPS ? 'right' : Math.abs(e.t - lo) < EPS ? 'left' : 'center' } })),
      }
    : undefined;
  const peakText = peak ? `peak train loss ${peak.value.toPrecision(4)} at t = ${peak.t}${peak.barrier !== null ? ` (barrier ${peak.barrier >= 0 ? '+' : ''}${peak.barrier.toPrecision(3)})` : ''}` : '';
  return {
    animation: false,
    legend: { data: ['train loss', 'test loss', 'train accuracy', 'test accuracy'], top: 28, left: 'center' },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? v.toPrecision(4) : String(v ?? '')) },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    graphic: peak ? [{ type: 'text', left: 'center', top: 50, style: { text: peakText, fontSize: 11, fill: '#6b7480' } }] : [],
    grid: [
      { left: 70, right: 40, top: 96, height: '36%' },
      { left: 70, right: 40, bottom: 56, height: '26%' },
    ],
    xAxis: [
      { type: 'value', gridIndex: 0, min: lo, max: hi, axisLabel: { show: false } },
      { type: 'value', gridIndex: 1, min: lo, max: hi, name: 't  (θ = (1−t)·θ_A + t·θ_B)', nameLocation: 'middle', nameGap: 30 },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, name: 'loss (cross-entropy)', nameLocation: 'middle', nameGap: 45, scale: true },
      { type: 'value', gridIndex: 1, name: 'accuracy', nameLocation: 'middle', nameGap: 45, min: 0, max: 1 },
    ],
    series: [trainLoss, line('test loss', 'test_loss', COLORS.test, true, 0), line('train accuracy', 'train_acc', COLORS.train, false, 1), line('test accuracy', 'test_acc', COLORS.test, true, 1)],
  };
}

export function interpolationCsv(rows: InterpolationRow[]): { header: string[]; rows: (string | number)[][] } {
  // t is a decimal of the grid, not a float32: written as it is
  return { header: ['t', 'train_loss', 'train_acc', 'test_loss', 'test_acc'], rows: rows.map((r) => [String(r.t), r.train_loss, r.train_acc, r.test_loss, r.test_acc]) };
}

/** A linearly spaced grid check for the form: from ≠ to, 2 ≤ points ≤ 1001, |from|,|to| ≤ 10. */
export function interpolationRangeErrors(from: number, to: number, points: number): Partial<Record<'from' | 'to' | 'points', string>> {
  const e: Partial<Record<'from' | 'to' | 'points', string>> = {};
  if (!Number.isFinite(from) || Math.abs(from) > 10) e.from = 'from must be a number between −10 and 10';
  if (!Number.isFinite(to) || Math.abs(to) > 10) e.to = 'to must be a number between −10 and 10';
  else if (Number.isFinite(from) && from === to) e.to = 'from and to must differ';
  if (!Number.isInteger(points) || points < 2 || points > 1001) e.points = 'points must be an integer between 2 and 1001';
  return e;
}
