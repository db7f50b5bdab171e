/**
 * Fig. 3: attention over training as a heatmap — rows = snapshot steps (time flows down),
 * columns = positions 1..T, a dashed line after position k, the cursor step as a horizontal
 * line. One heatmap per sequence; the colour scale can be shared between them. The 'change'
 * mode shows the engine's sign of the change since the previous row (+1 grew, −1 shrank,
 * 0 unchanged or first row) in the colours of Fig. 2. Pure.
 */
import type { EChartsOption } from 'echarts';
import type { Response } from '../../../src-main/api/contract.js';
import { toCsv } from './export.js';
import { GROW, SHRINK } from './palette.js';

export type OverTrainingAnswer = Response<'analysis.attentionOverTraining'>;
export type HeatmapMode = 'attention' | 'change';

export interface HeatmapSettings {
  /** which sequence of the answer */
  sequence: number;
  mode: HeatmapMode;
  /** the cursor step (drawn at the nearest row); null for none */
  cursor: number | null;
  /** the sequence's tokens, for the tooltip */
  tokens?: number[];
  /** the colour scale; default heatmapRange(answer, mode, sequence) */
  range?: [number, number];
}

const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
const UNCHANGED = '#f1f3f5';
const DIRECTION: Record<string, string> = { '1': 'grew', '-1': 'shrank', '0': 'unchanged' };

/**
 * The colour range over every sequence of the answer (or over one): [0, max] for attention;
 * [−1, 1] for the sign of the change.
 */
export function heatmapRange(answer: OverTrainingAnswer, mode: HeatmapMode, sequence?: number): [number, number] {
  if (mode === 'change') return [-1, 1];
  const cube = answer.values;
  let hi = 0;
  for (const row of cube)
    row.forEach((seq, j) => {
      if (sequence === undefined || j === sequence) for (const v of seq) if (Number.isFinite(v)) hi = Math.max(hi, Math.abs(v));
    });
  if (hi === 0) hi = 1;
  const nice = Number(hi.toPrecision(2)) >= hi ? Number(hi.toPrecision(2)) : hi;
  return [0, nice];
}

/** The row nearest to `step` (ties to the earlier row), or -1 when there are no rows. */
export function nearestRow(steps: number[], step: number): number {
  let best = -1;
  for (let i = 0; i < steps.length; i++) if (best < 0 || Math.abs(steps[i] - step) < Math.abs(steps[best] - step)) best = i;
  return best;
}

/** A 1-2-5 step unit giving about `target` labels over `range`. */
export function niceUnit(range: number, target = 10): number {
  if (!(range > 0)) return 1;
  const raw = range / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(1, m * p);
  return Math.max(1, 10 * p);
}

/**
 * The rows whose step label is shown: the first row of each `niceUnit` bucket of steps, so that
 * labels stay apart however unevenly the snapshots are spaced (dense early, sparse later).
 */
export function labelledRows(steps: number[], target = 10): boolean[] {
  if (steps.length === 0) return [];
  const unit = niceUnit(steps[steps.length - 1] - steps[0], target);
  return steps.map((s, i) => i === 0 || Math.floor(s / unit) !== Math.floor(steps[i - 1] / unit));
}

/** The step of a clicked heatmap cell (ECharts click params: seriesType and value [x, y, v]). */
export function heatmapClickStep(answer: OverTrainingAnswer, seriesType: string | undefined, value: unknown): number | null {
  if (seriesType !== 'heatmap' || !Array.isArray(value)) return null;
  const row = value[1];
  return typeof row === 'number' && Number.isInteger(row) && row >= 0 && row < answer.steps.length ? answer.steps[row] : null;
}

export function heatmapSeriesName(mode: HeatmapMode): string {
  return mode === 'attention' ? 'attention a_t' : 'direction of change since the previous row';
}

function fmt(v: number, mode: HeatmapMode): string {
  return mode === 'attention' ? v.toFixed(4) : (DIRECTION[String(Math.sign(v))] ?? String(v));
}

export function attentionHeatmapOption(answer: OverTrainingAnswer, settings: HeatmapSettings): EChartsOption {
  const { steps, T, k } = answer;
  const { sequence, mode } = settings;
  const cube = mode === 'attention' ? answer.values : answer.change;
  const n = steps.length;
  const data: [number, number, number][] = [];
  for (let r = 0; r < n; r++) {
    const row = cube[r]?.[sequence] ?? [];
    for (let t = 0; t < T; t++) data.push([t, r, row[t] ?? NaN]);
  }
  const [lo, hi] = settings.range ?? heatmapRange(answer, mode, sequence);
  const row = settings.cursor === null ? -1 : nearestRow(steps, settings.cursor);
  const kName = `k = ${k}: end of the summed prefix`;
  const cursorName = row >= 0 ? `cursor: step ${steps[row]}` : 'cursor';
  const name = heatmapSeriesName(mode);
  const tokens = settings.tokens;
  const shown = labelledRows(steps);
  const showRow = (i: number) => shown[i] === true;
  // value axes laid exactly over the category bands: band i is centred on i
  const overlayX = { type: 'value' as const, show: false, min: -0.5, max: T - 0.5, gridIndex: 0 };
  const overlayY = { type: 'value' as const, show: false, min: -0.5, max: Math.max(n, 1) - 0.5, inverse: true, gridIndex: 0 };

  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        const v = item?.value;
        if (item?.seriesType !== 'heatmap' || !Array.isArray(v)) return item?.seriesName ?? '';
        const [t, r, x] = v as number[];
        const tok = tokens && tokens[t] !== undefined ? ` (token ${tokens[t]})` : '';
        return `step ${steps[r]}, position ${t + 1}${tok}<br/>${name}: ${fmt(x, mode)}`;
      },
    },
    legend: {
      top: 30,
      selectedMode: false,
      data: [
        { name, itemStyle: { color: mode === 'attention' ? VIRIDIS[2] : GROW } },
        { name: kName, itemStyle: { color: '#333' }, lineStyle: { color: '#333', type: 'dashed' } },
        ...(row >= 0 ? [{ name: cursorName }] : []),
      ],
    },
    grid: { left: 70, right: 125, top: 64, bottom: 52 },
    xAxis: [
      { type: 'category', name: 'position t', nameLocation: 'middle', nameGap: 28, data: Array.from({ length: T }, (_, t) => String(t + 1)), splitArea: { show: false }, axisTick: { alignWithLabel: true } },
      overlayX,
    ],
    yAxis: [
      {
        type: 'category',
        // rows are snapshots, denser early in training: the labels are steps, the spacing is not
        name: 'step (one row per snapshot, not to scale)',
        nameLocation: 'middle',
        nameGap: 52,
        inverse: true,
        data: steps.map(String),
        splitArea: { show: false },
        axisLabel: { interval: showRow },
        axisTick: { interval: showRow },
      },
      overlayY,
    ],
    visualMap:
      mode === 'attention'
        ? {
            type: 'continuous',
            seriesIndex: 0,
            dimension: 2,
            min: lo,
            max: hi,
            calculable: true,
            orient: 'vertical',
            right: 12,
            top: 'middle',
            itemHeight: 220,
            formatter: (v: unknown) => fmt(Number(v), mode),
            inRange: { color: VIRIDIS },
          }
        : {
            type: 'piecewise',
            seriesIndex: 0,
            dimension: 2,
            orient: 'vertical',
            right: 8,
            top: 'middle',
            pieces: [
              { value: 1, label: 'grew', color: GROW },
              { value: 0, label: 'unchanged', color: UNCHANGED },
              { value: -1, label: 'shrank', color: SHRINK },
            ],
          },
    series: [
      { type: 'heatmap', name, data, xAxisIndex: 0, yAxisIndex: 0, progressive: 0, emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } } },
      {
        type: 'line',
        name: kName,
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: [
          [k - 0.5, -0.5],
          [k - 0.5, Math.max(n, 1) - 0.5],
        ],
        symbol: 'none',
        silent: true,
        lineStyle: { type: 'dashed', color: '#ffffff', width: 2 },
        itemStyle: { color: '#555' },
        z: 5,
      },
      ...(row >= 0
        ? [
            {
              type: 'line' as const,
              name: cursorName,
              xAxisIndex: 1,
              yAxisIndex: 1,
              data: [] as number[][],
              symbol: 'none',
              silent: true,
              lineStyle: { color: '#ff2d9a', width: 2 },
              itemStyle: { color: '#ff2d9a' },
              markLine: {
                silent: true,
                symbol: 'none',
                data: [{ yAxis: row, name: cursorName }],
                lineStyle: { color: '#ff2d9a', width: 2, type: 'solid' as const },
                label: { formatter: `step ${steps[row]}`, position: 'insideEndTop' as const, color: '#ff2d9a', fontWeight: 'bold' as const },
              },
              z: 6,
            },
          ]
        : []),
    ],
  };
}

/** The plotted matrix: one row per step, one column per position. */
export function attentionHeatmapCsv(answer: OverTrainingAnswer, sequence: number, mode: HeatmapMode): string {
  const cube = mode === 'attention' ? answer.values : answer.change;
  return toCsv(
    ['step', ...Array.from({ length: answer.T }, (_, t) => `${mode === 'attention' ? 'a' : 'sign_da'}_${t + 1}`)],
    answer.steps.map((s, r) => [s, ...(cube[r]?.[sequence] ?? [])]),
  );
}
