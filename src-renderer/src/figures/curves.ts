/**
 * Fig. 5: training curves of several runs overlaid (accuracy or loss against steps), with the
 * phase switches of each run, log scales and the shared step cursor. Pure: API data + settings
 * in, an ECharts option and CSV rows out. The engine smooths and picks the rows to draw
 * (engine/analysis/curves.ts): the tables given here are drawn and written as they are.
 */
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { MetricsTable, PhaseInfo } from '../../../src-main/api/contract.js'; // types only; '.js' paths keep this file valid for the Node tsconfig too (tests import it)
import { runColor } from './palette.js';
import { wrappedLegend } from './legend.js';

import { rowsPerBucket, type CurveColumn } from '../../../src-main/engine/analysis/curves.js';
export { ema, summarizeCurves, type CurveSummary } from '../../../src-main/engine/analysis/curves.js';

/** The buckets of steps the view asks for per run: about one per pixel column of the widest plot. */
export const DRAWN_BUCKETS = 1_400;

/**
 * What the view asks source.metrics for, to draw: per bucket of steps the first and last rows and
 * the extremes of the columns drawn (2 + 2 × columns rows at most), so a 100,000-step run draws a
 * few thousand points instead of 100,001, and fewer when fewer columns are drawn.
 */
export function drawnRowsRequest(settings: Pick<CurveSettings, 'metric' | 'heldout'>): { maxPoints: number; drawn: CurveColumn[] } {
  const drawn = splits(settings).map((split) => `${split}_${settings.metric === 'accuracy' ? 'acc' : 'loss'}` as CurveColumn);
  return { maxPoints: DRAWN_BUCKETS * rowsPerBucket(drawn.length), drawn };
}

/** One run to draw. */
export interface CurveRun {
  label: string;
  metrics: MetricsTable;
  phases: PhaseInfo[];
}

export interface CurveSettings {
  metric: 'accuracy' | 'loss';
  /** exponential-moving-average weight of the past, 0 (raw) … 0.99: the engine applies it, the CSV records it */
  smoothing: number;
  logY: boolean;
  logX: boolean;
  heldout: boolean;
  /** the shared step cursor, or null to draw none */
  cursor: number | null;
}

export const DEFAULT_CURVE_SETTINGS: CurveSettings = { metric: 'accuracy', smoothing: 0, logY: false, logX: false, heldout: false, cursor: null };


export type Split = 'train' | 'test' | 'heldout';
const DASH: Record<Split, 'solid' | 'dashed' | 'dotted'> = { train: 'solid', test: 'dashed', heldout: 'dotted' };

/** Global steps at which a run switches phase: every phase end but the last. */
export function phaseSwitches(phases: PhaseInfo[]): { step: number; from: PhaseInfo; to: PhaseInfo }[] {
  return phases.slice(0, -1).map((ph, i) => ({ step: ph.end, from: ph, to: phases[i + 1] }));
}

function column(m: MetricsTable, split: Split, metric: CurveSettings['metric']): (number | null)[] {
  const key = `${split}_${metric === 'accuracy' ? 'acc' : 'loss'}` as const;
  return m[key];
}

/** The points [step, value] of one curve within the scales' constraints. */
export function curvePoints(m: MetricsTable, split: Split, settings: Pick<CurveSettings, 'metric' | 'logX' | 'logY'>): [number, number | null][] {
  const ys = column(m, split, settings.metric);
  const out: [number, number | null][] = [];
  for (let i = 0; i < m.step.length; i++) {
    const x = m.step[i];
    if (settings.logX && x <= 0) continue;
    let y = ys[i];
    if (settings.logY && settings.metric === 'loss' && y !== null && y <= 0) y = null;
    out.push([x, y]);
  }
  return out;
}

/**
 * The same points as one flat Float64Array [x0, y0, x1, y1, …] (NaN for a missing value), what
 * the chart is given: ECharts copies a typed array in one go and reads it without a check per
 * point, where thousands of [x, y] arrays are cloned, inspected and stored one by one.
 */
export function curveXY(m: MetricsTable, split: Split, settings: Pick<CurveSettings, 'metric' | 'logX' | 'logY'>): Float64Array {
  const ys = column(m, split, settings.metric);
  const xy = new Float64Array(m.step.length * 2);
  let n = 0;
  for (let i = 0; i < m.step.length; i++) {
    const x = m.step[i];
    if (settings.logX && x <= 0) continue;
    const y = ys[i];
    xy[n++] = x;
    // as curvePoints: missing, or not drawable on a log loss axis
    xy[n++] = y === null || (settings.logY && settings.metric === 'loss' && y <= 0) ? NaN : y;
  }
  return n === xy.length ? xy : xy.slice(0, n);
}

function splits(settings: Pick<CurveSettings, 'heldout'>): Split[] {
  return settings.heldout ? ['train', 'test', 'heldout'] : ['train', 'test'];
}

/** True when a run has any held-out values (runs trained with n_heldout = 0 have none). */
export function hasHeldout(m: MetricsTable): boolean {
  return m.heldout_acc.some((x) => x !== null);
}

export const seriesName = (label: string, split: Split) => `${label} · ${split}`;

export function curvesOption(runs: CurveRun[], settings: CurveSettings): EChartsOption {
  const series: LineSeriesOption[] = [];
  const legend: string[] = [];
  const logY = settings.logY && settings.metric === 'loss';
  runs.forEach((run, r) => {
    // train, test and held-out of one run share its colour; the dash tells them apart
    const color = runColor(r);
    const switches = phaseSwitches(run.phases).filter((s) => !settings.logX || s.step > 0);
    for (const [j, split] of splits(settings).entries()) {
      if (split === 'heldout' && !hasHeldout(run.metrics)) continue;
      const name = seriesName(run.label, split);
      legend.push(name);
      series.push({
        type: 'line',
        name,
        data: curveXY(run.metrics, split, settings) as unknown as LineSeriesOption['data'],
        dimensions: ['x', 'y'],
        showSymbol: false,
        symbolSize: 6,
        // the rows given are already a few per pixel column; min-max sampling keeps their extremes
        sampling: 'minmax',
        connectNulls: false,
        lineStyle: { width: split === 'train' ? 1.6 : 1.4, type: DASH[split], color },
        itemStyle: { color },
        emphasis: { focus: 'series' },
        ...(j === 0 && switches.length
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                lineStyle: { color, type: 'dashed', width: 1 },
                label: { formatter: '{b}', position: 'end', color, fontSize: 10 },
                data: switches.map((s) => ({ xAxis: s.step, name: `p ${s.from.p}→${s.to.p}` })),
              },
            }
          : {}),
      });
    }
  });
  if (settings.cursor !== null && (!settings.logX || settings.cursor > 0)) {
    series.push({
      type: 'line',
      name: 'cursor',
      data: [],
      markLine: {
        symbol: 'none',
        silent: true,
        lineStyle: { color: '#1d2430', type: 'solid', width: 1 },
        label: { formatter: `cursor ${settings.cursor}`, position: 'insideStartTop', fontSize: 10, color: '#1d2430' },
        data: [{ xAxis: settings.cursor }],
      },
    });
  }
  const xMax = Math.max(
    1,
    ...runs.map((r) => Math.max(r.metrics.step[r.metrics.step.length - 1] ?? 0, r.phases[r.phases.length - 1]?.end ?? 0)),
    settings.cursor ?? 0,
  );
  const wrapped = wrappedLegend(legend);
  const yName = settings.metric === 'accuracy' ? 'accuracy' : `loss (cross-entropy${logY ? ', log' : ''})`;
  return {
    animation: false,
    color: runs.map((_, r) => runColor(r)),
    legend: wrapped.legend,
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? v.toPrecision(4) : String(v ?? '')) },
    grid: { left: 70, right: 30, top: Math.max(70, wrapped.gridTop), bottom: 56 },
    xAxis: { type: settings.logX ? 'log' : 'value', name: settings.logX ? 'step (log)' : 'step', nameLocation: 'middle', nameGap: 30, min: settings.logX ? 1 : 0, max: xMax },
    yAxis:
      settings.metric === 'accuracy'
        ? { type: 'value', name: yName, nameLocation: 'middle', nameGap: 45, min: 0, max: 1 }
        : { type: logY ? 'log' : 'value', name: yName, nameLocation: 'middle', nameGap: 50, scale: true },
    series,
  };
}

/** The tables given (every row, as the engine smoothed them) in long form: run, split, step, value. */
export function curvesCsv(runs: CurveRun[], settings: CurveSettings): { header: string[]; rows: (string | number | null)[][] } {
  const header = ['run', 'split', 'step', settings.metric === 'accuracy' ? 'accuracy' : 'loss', 'smoothing'];
  const rows: (string | number | null)[][] = [];
  for (const run of runs) {
    for (const split of splits(settings)) {
      if (split === 'heldout' && !hasHeldout(run.metrics)) continue;
      for (const [x, y] of curvePoints(run.metrics, split, settings)) rows.push([run.label, split, x, y, settings.smoothing]);
    }
  }
  return { header, rows };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The tooltip at one step: every run's exact values at that row of its metrics.csv (`table`: the
 * rows from..to = step the engine answered, smoothed as drawn; null while they are fetched).
 */
export function curvesTooltip(step: number, runs: { label: string; table: MetricsTable | null }[], settings: Pick<CurveSettings, 'metric' | 'heldout'>): string {
  const lines = [`<b>step ${step}</b>`];
  runs.forEach((run, r) => {
    const cells = splits(settings).flatMap((split) => {
      if (!run.table) return [`${split} …`];
      const i = run.table.step.indexOf(step);
      const v = i < 0 ? null : column(run.table, split, settings.metric)[i];
      return split === 'heldout' && v === null ? [] : [`${split} ${v === null ? '—' : v.toPrecision(4)}`];
    });
    lines.push(`<span style="color:${runColor(r)}">●</span> ${escapeHtml(run.label)}: ${cells.join(' · ')}`);
  });
  return lines.join('<br>');
}
