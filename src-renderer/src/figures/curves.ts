/**
 * Fig. 5: training curves of several runs overlaid (accuracy or loss against steps), with the
 * phase switches of each run, exponential smoothing, log scales and the shared step cursor.
 * Pure: API data + settings in, an ECharts option and CSV rows out.
 */
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { MetricsTable, PhaseInfo } from '../../../src-main/api/contract.js'; // types only; '.js' paths keep this file valid for the Node tsconfig too (tests import it)
import { runColor } from './palette.js';
import { wrappedLegend } from './legend.js';

/** One run to draw. */
export interface CurveRun {
  label: string;
  metrics: MetricsTable;
  phases: PhaseInfo[];
}

export interface CurveSettings {
  metric: 'accuracy' | 'loss';
  /** exponential-moving-average weight of the past, 0 (raw) … 0.99 */
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

/**
 * Exponential moving average, y_i = s·y_{i-1} + (1−s)·x_i, starting at the first value.
 * Nulls (NaN in the log) stay null and do not reset the average.
 */
export function ema(values: (number | null)[], smoothing: number): (number | null)[] {
  const s = Math.min(0.99, Math.max(0, Number.isFinite(smoothing) ? smoothing : 0));
  if (s === 0) return values.slice();
  let y: number | null = null;
  return values.map((x) => {
    if (x === null || !Number.isFinite(x)) return null;
    y = y === null ? x : s * y + (1 - s) * x;
    return y;
  });
}

/** Global steps at which a run switches phase: every phase end but the last. */
export function phaseSwitches(phases: PhaseInfo[]): { step: number; from: PhaseInfo; to: PhaseInfo }[] {
  return phases.slice(0, -1).map((ph, i) => ({ step: ph.end, from: ph, to: phases[i + 1] }));
}

function column(m: MetricsTable, split: Split, metric: CurveSettings['metric']): (number | null)[] {
  const key = `${split}_${metric === 'accuracy' ? 'acc' : 'loss'}` as const;
  return m[key];
}

/** The points [step, value] of one curve after smoothing and the scales' constraints. */
export function curvePoints(m: MetricsTable, split: Split, settings: Pick<CurveSettings, 'metric' | 'smoothing' | 'logX' | 'logY'>): [number, number | null][] {
  const ys = ema(column(m, split, settings.metric), settings.smoothing);
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
        data: curvePoints(run.metrics, split, settings),
        showSymbol: false,
        symbolSize: 6,
        sampling: 'lttb',
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

/** The plotted data (after smoothing) in long form: run, split, step, value. */
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

export interface CurveSummary {
  lastStep: number | null;
  finalTrainAcc: number | null;
  finalTestAcc: number | null;
  finalHeldoutAcc: number | null;
  /** first logged step on the final p whose test accuracy is ≥ the threshold (null: never) */
  firstStepAbove: number | null;
}

const lastValue = (xs: (number | null)[]): number | null => {
  for (let i = xs.length - 1; i >= 0; i--) if (xs[i] !== null) return xs[i];
  return null;
};

/**
 * Final accuracies and when the test accuracy first reached `threshold` (the paper's success:
 * 0.99) on the final task: rows logged on an easier modulus (the curriculum's p = 2 phase) do not
 * count, or a curriculum would "succeed" before it has seen p = 4.
 */
export function summarizeCurves(m: MetricsTable, threshold = 0.99): CurveSummary {
  const finalP = m.p[m.p.length - 1];
  const i = m.test_acc.findIndex((x, j) => x !== null && x >= threshold && m.p[j] === finalP);
  return {
    lastStep: m.step.length ? m.step[m.step.length - 1] : null,
    finalTrainAcc: lastValue(m.train_acc),
    finalTestAcc: lastValue(m.test_acc),
    finalHeldoutAcc: lastValue(m.heldout_acc),
    firstStepAbove: i >= 0 ? m.step[i] : null,
  };
}
