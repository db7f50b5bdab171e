/**
 * Fig. 3: attention over training as a heatmap — time flows down a linear step axis, each
 * snapshot's row placed at its step (dense early snapshots make thin rows), columns = positions
 * 1..T, a dashed line after position k, the cursor step as a horizontal line. One heatmap per sequence; the colour scale can be shared between them. The 'change'
 * mode shows the engine's sign of the change since the previous row (+1 grew, −1 shrank,
 * 0 unchanged or first row) in the colours of Fig. 2. A long run's rows are drawn one per pixel
 * row or so (drawnRows); tooltips give the drawn snapshot's own numbers, the CSV every snapshot. Pure.
 */
import type { CustomSeriesRenderItem, EChartsOption } from 'echarts';
import type { Response } from '../../../src-main/api/contract.js';
import { toCsv } from './export.js';
import { CURSOR_COLOR, GROW, SHRINK, VIRIDIS } from './palette.js';
import { itemTooltip } from './chartParts.js';
import { thousands } from './thousands.js';
import { drawnRows, HEATMAP_DRAWN_ROWS, rowSpans } from '../../../src-main/engine/analysis/heatmapRows.js';

export { drawnRows, HEATMAP_DRAWN_ROWS, rowSpans } from '../../../src-main/engine/analysis/heatmapRows.js';

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
  /** the most rows drawn (drawnRows); default HEATMAP_DRAWN_ROWS */
  maxRows?: number;
}

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

/** The step of a clicked heatmap cell (ECharts click params: seriesType and value [t, from, to, v, step]). */
export function heatmapClickStep(answer: OverTrainingAnswer, seriesType: string | undefined, value: unknown): number | null {
  if (seriesType !== 'custom' || !Array.isArray(value)) return null;
  const step = value[4];
  return typeof step === 'number' && answer.steps.includes(step) ? step : null;
}

export function heatmapSeriesName(mode: HeatmapMode): string {
  return mode === 'attention' ? 'attention a_t' : 'direction of change since the previous row';
}


/** The margins of the plot inside a heatmap figure (grid top + bottom), in pixels. */
const GRID_TOP = 64;
const GRID_BOTTOM = 52;

/** The rows a heatmap of a figure `height` px tall draws at most: one per pixel row of its plot. */
export const heatmapPlotRows = (height: number): number => Math.max(50, Math.min(HEATMAP_DRAWN_ROWS, Math.round(height - GRID_TOP - GRID_BOTTOM)));

function fmt(v: number, mode: HeatmapMode): string {
  return mode === 'attention' ? v.toFixed(4) : (DIRECTION[String(Math.sign(v))] ?? String(v));
}

/** One rectangle per cell, from its row's span on the step axis; the colour comes from the visual map. */
const renderCell: CustomSeriesRenderItem = (_params, api) => {
  const t = Number(api.value(0));
  const [x0, y0] = api.coord([t - 0.5, api.value(1)]);
  const [x1, y1] = api.coord([t + 0.5, api.value(2)]);
  const value = Number(api.value(3));
  const colour = Number.isFinite(value) ? (api.visual('color') as string) : UNCHANGED;
  return {
    type: 'rect',
    shape: { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.max(Math.abs(y1 - y0), 0.5) },
    // stroked in its own colour: no hairline seams between neighbouring cells
    style: { fill: colour, stroke: colour, lineWidth: 0.6 },
  };
};

/** The values of one cell: position t, its row's span on the step axis (from, to), the value and the snapshot's step. */
export const CELL_DIMENSIONS = ['t', 'from', 'to', 'value', 'step'] as const;

/**
 * The cells drawn, CELL_DIMENSIONS.length numbers each, in one flat Float64Array (NaN for a
 * missing value): ECharts copies a typed array in one go, where thousands of small arrays are
 * cloned and checked one by one before the first draw.
 */
export function heatmapCells(answer: OverTrainingAnswer, mode: HeatmapMode, sequence: number, rows: { row: number; from: number; to: number }[]): Float64Array {
  const cube = mode === 'attention' ? answer.values : answer.change;
  const width = CELL_DIMENSIONS.length;
  const data = new Float64Array(rows.length * answer.T * width);
  let i = 0;
  for (const { row: r, from, to } of rows) {
    const values = cube[r]?.[sequence] ?? [];
    for (let t = 1; t <= answer.T; t++, i += width) data.set([t, from, to, values[t - 1] ?? NaN, answer.steps[r]], i);
  }
  return data;
}

/** The rows drawn: those the engine chose (an answer to a request with maxRows), else chosen here. */
export function rowsOf(answer: OverTrainingAnswer, maxRows?: number): { row: number; from: number; to: number }[] {
  if (answer.spans && answer.spans.length === answer.steps.length) return answer.spans.map(([from, to], row) => ({ row, from, to }));
  return drawnRows(rowSpans(answer.steps), maxRows);
}

export function attentionHeatmapOption(answer: OverTrainingAnswer, settings: HeatmapSettings): EChartsOption {
  const { steps, T, k } = answer;
  const { sequence, mode } = settings;
  const rows = rowsOf(answer, settings.maxRows);
  const data = heatmapCells(answer, mode, sequence, rows);
  const [lo, hi] = settings.range ?? heatmapRange(answer, mode, sequence);
  const row = settings.cursor === null ? -1 : nearestRow(steps, settings.cursor);
  const kName = `k = ${k}: end of the summed prefix`;
  const cursorName = row >= 0 ? `cursor: step ${steps[row]}` : 'cursor';
  const name = heatmapSeriesName(mode);
  const tokens = settings.tokens;
  const top = rows.length ? rows[0].from : 0;
  const bottom = rows.length ? rows[rows.length - 1].to : 1;
  const positions = Array.from({ length: T }, (_, t) => t + 1);

  return {
    animation: false,
    tooltip: itemTooltip((item, v) => {
      if (item.seriesType !== 'custom') return item.seriesName ?? '';
      const [t, , , x, step] = v as number[];
      const tok = tokens && tokens[t - 1] !== undefined ? ` (token ${tokens[t - 1]})` : '';
      return `step ${step}, position ${t}${tok}<br/>${name}: ${fmt(x, mode)}`;
    }),
    legend: {
      top: 30,
      selectedMode: false,
      data: [
        { name, itemStyle: { color: mode === 'attention' ? VIRIDIS[2] : GROW } },
        { name: kName, itemStyle: { color: '#333' }, lineStyle: { color: '#333', type: 'dashed' } },
        ...(row >= 0 ? [{ name: cursorName }] : []),
      ],
    },
    grid: { left: 76, right: 125, top: GRID_TOP, bottom: GRID_BOTTOM },
    xAxis: {
      type: 'value',
      name: 'position t',
      nameLocation: 'middle',
      nameGap: 28,
      min: 0.5,
      max: T + 0.5,
      splitLine: { show: false },
      axisTick: { customValues: positions },
      axisLabel: { customValues: positions, formatter: (v: number) => String(v) },
    },
    yAxis: {
      type: 'value',
      // rows sit at their steps: the height of a stretch of training is proportional to its steps
      name: 'step',
      nameLocation: 'middle',
      nameGap: 58,
      inverse: true,
      min: top,
      max: bottom,
      splitLine: { show: false },
      axisLabel: { formatter: (v: number) => (Number.isInteger(v) ? thousands(v) : '') },
    },
    visualMap:
      mode === 'attention'
        ? {
            type: 'continuous',
            seriesIndex: 0,
            dimension: 3,
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
            dimension: 3,
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
      // no hover emphasis: thousands of cells each set up their hover states before the first draw
      { type: 'custom', name, data: data as unknown as number[][], dimensions: [...CELL_DIMENSIONS], renderItem: renderCell, encode: { x: 0, y: [1, 2], tooltip: 3 }, progressive: 0, clip: true },
      {
        type: 'line',
        name: kName,
        data: [
          [k + 0.5, top],
          [k + 0.5, bottom],
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
              data: [] as number[][],
              symbol: 'none',
              silent: true,
              lineStyle: { color: CURSOR_COLOR, width: 2 },
              itemStyle: { color: CURSOR_COLOR },
              markLine: {
                silent: true,
                symbol: 'none',
                data: [{ yAxis: steps[row], name: cursorName }],
                lineStyle: { color: CURSOR_COLOR, width: 2, type: 'solid' as const },
                label: { formatter: `step ${steps[row]}`, position: 'insideEndTop' as const, color: CURSOR_COLOR, fontWeight: 'bold' as const },
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
