/**
 * Fig. 2: the attention of one sequence as a bipartite graph — T token nodes in a row, one output
 * node below; edge width ∝ attention a_t; red where a_t grew since the previous snapshot, blue
 * where it shrank, grey when unchanged or when there is no previous snapshot. Pure: response in,
 * ECharts option and CSV out.
 */
import type { EChartsOption } from 'echarts';
import type { Response } from '../../../src-main/api/contract.js';
import { toCsv } from './export.js';
import { GROW, SAME, SHRINK } from './palette.js';

export type AttentionAnswer = Response<'analysis.attention'>;

export interface AttentionGraphInput {
  /** the sequence the answer is about */
  tokens: number[];
  /** the number of summed tokens (SourceInfo.k) */
  k: number;
  answer: AttentionAnswer;
  /** which sequence of the answer (default 0) */
  index?: number;
}

export interface AttentionGraphSettings {
  /** |change| at or below this counts as unchanged (default 1e-6) */
  tolerance?: number;
  /** edge width in pixels of attention 1 (default 36); width = maxWidth · a_t */
  maxWidth?: number;
}

export type EdgeDirection = 'grew' | 'shrank' | 'same' | 'first';

export interface AttentionEdge {
  /** 1-based position */
  position: number;
  token: number;
  attention: number;
  previous: number | null;
  change: number | null;
  direction: EdgeDirection;
  color: string;
  width: number;
}

const MIN_WIDTH = 0.4;
const COLORS: Record<EdgeDirection, string> = { grew: GROW, shrank: SHRINK, same: SAME, first: SAME };

export const NODE_SUMMED = 'summed tokens (t ≤ k)';
export const NODE_IGNORED = 'ignored tokens (t > k)';
export const NODE_OUTPUT = 'output';
export const EDGE_GREW = 'attention grew';
export const EDGE_SHRANK = 'attention shrank';
export const EDGE_SAME = 'unchanged';
export const EDGE_FIRST = 'no previous snapshot';

/** One edge per position, with its direction, colour and width. */
export function attentionEdges(input: AttentionGraphInput, settings: AttentionGraphSettings = {}): AttentionEdge[] {
  const i = input.index ?? 0;
  const now = input.answer.attention[i] ?? [];
  const before = input.answer.previous?.[i] ?? null;
  const tol = settings.tolerance ?? 1e-6;
  const maxWidth = settings.maxWidth ?? 36;
  return now.map((a, t) => {
    const previous = before ? before[t] : null;
    const change = previous === null ? null : a - previous;
    const direction: EdgeDirection = change === null ? 'first' : change > tol ? 'grew' : change < -tol ? 'shrank' : 'same';
    return { position: t + 1, token: input.tokens[t], attention: a, previous, change, direction, color: COLORS[direction], width: Math.max(MIN_WIDTH, maxWidth * a) };
  });
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toExponential(2)}`;
}

/** The graph: token nodes at (t, 1), the output node at ((T+1)/2, 0), a dashed line at t = k + ½. */
export function attentionGraphOption(input: AttentionGraphInput, settings: AttentionGraphSettings = {}): EChartsOption {
  const edges = attentionEdges(input, settings);
  const T = edges.length;
  const i = input.index ?? 0;
  const { answer, k } = input;
  const prediction = answer.prediction[i];
  const target = answer.target[i];
  const correct = prediction === target;
  const first = answer.previous === null;
  const since = answer.previousStep === null ? '' : ` since step ${answer.previousStep}`;

  const nodes = [
    ...edges.map((e) => ({
      name: `x${e.position}`,
      value: [e.position, 1],
      category: e.position <= k ? 0 : 1,
      symbolSize: 30,
      label: { show: true, position: 'inside' as const, formatter: String(e.token), color: '#fff', fontWeight: 'bold' as const, fontSize: 13 },
      tooltip: { formatter: `position ${e.position}, token ${e.token}<br/>attention ${fmt(e.attention)}${e.change === null ? '' : ` (${signed(e.change)}${since})`}` },
    })),
    {
      name: 'output',
      value: [(T + 1) / 2, 0],
      category: 2,
      symbolSize: 40,
      itemStyle: { color: correct ? '#1f9d55' : '#c62828' },
      label: { show: true, position: 'bottom' as const, formatter: `prediction ${prediction} · target ${target} ${correct ? '✓' : '✗'}`, color: '#1d2430', fontSize: 13 },
      tooltip: { formatter: `prediction ${prediction}, target ${target} (${correct ? 'correct' : 'wrong'})` },
    },
  ];
  const links = edges.map((e) => ({
    source: `x${e.position}`,
    target: 'output',
    value: e.attention,
    lineStyle: { width: e.width, color: e.color, opacity: 0.9, curveness: 0 },
    tooltip: { formatter: `position ${e.position} → output<br/>attention ${fmt(e.attention)}${e.change === null ? '' : `<br/>change ${signed(e.change)}${since}`}` },
  }));
  // the attention values as text above the nodes, marked ▲/▼ by the sign of the change
  const values = edges.map((e) => ({
    value: [e.position, 1],
    label: { formatter: `${fmt(e.attention, 3)}${e.direction === 'grew' ? ' ▲' : e.direction === 'shrank' ? ' ▼' : ''}`, color: e.direction === 'same' || e.direction === 'first' ? '#6b7480' : e.color },
  }));
  const key = (name: string, color: string) => ({ name, type: 'line' as const, data: [] as number[][], itemStyle: { color }, lineStyle: { color, width: 4 } });
  const kName = `k = ${k}: end of the summed prefix`;

  return {
    animation: false,
    tooltip: { trigger: 'item', confine: true },
    legend: {
      top: 30,
      itemGap: 14,
      selectedMode: false,
      data: [NODE_SUMMED, NODE_IGNORED, NODE_OUTPUT, ...(first ? [EDGE_FIRST] : [EDGE_GREW, EDGE_SHRANK, EDGE_SAME]), kName],
    },
    grid: { left: 40, right: 40, top: 70, bottom: 60 },
    xAxis: {
      type: 'value',
      name: 'position t (node: token value)',
      nameLocation: 'middle',
      nameGap: 30,
      min: 0,
      max: T + 1,
      interval: 1,
      axisLine: { onZero: false },
      splitLine: { show: false },
      axisLabel: { formatter: (v: number) => (Number.isInteger(v) && v >= 1 && v <= T ? String(v) : '') },
    },
    yAxis: { type: 'value', name: 'attention a_t', min: -0.45, max: 1.35, show: false },
    series: [
      {
        type: 'graph',
        name: 'attention',
        coordinateSystem: 'cartesian2d',
        layout: 'none',
        roam: false,
        categories: [
          { name: NODE_SUMMED, itemStyle: { color: '#2f3e55' } },
          { name: NODE_IGNORED, itemStyle: { color: '#a3abb6' } },
          { name: NODE_OUTPUT, itemStyle: { color: '#1f9d55' } },
        ],
        data: nodes,
        links,
        lineStyle: { curveness: 0 },
        emphasis: { focus: 'adjacency', lineStyle: { opacity: 1 } },
        z: 3,
      },
      {
        type: 'scatter',
        name: 'attention values',
        data: values,
        symbolSize: 0,
        silent: true,
        label: { show: true, position: 'top', distance: 20, fontSize: 11 },
        tooltip: { show: false },
        z: 4,
      },
      ...(first ? [key(EDGE_FIRST, SAME)] : [key(EDGE_GREW, GROW), key(EDGE_SHRANK, SHRINK), key(EDGE_SAME, SAME)]),
      {
        type: 'line',
        name: kName,
        data: [
          [k + 0.5, -0.3],
          [k + 0.5, 1.3],
        ],
        symbol: 'none',
        silent: true,
        lineStyle: { type: 'dashed', color: '#555', width: 1.5 },
        itemStyle: { color: '#555' },
        tooltip: { show: false },
        z: 1,
      },
    ],
  };
}

/** The plotted data: one row per position. */
export function attentionGraphCsv(input: AttentionGraphInput, settings: AttentionGraphSettings = {}): string {
  const i = input.index ?? 0;
  const edges = attentionEdges(input, settings);
  return toCsv(
    ['step', 'previous_step', 'position', 'token', 'summed', 'attention', 'previous_attention', 'change', 'direction', 'prediction', 'target'],
    edges.map((e) => [input.answer.step, input.answer.previousStep, e.position, e.token, e.position <= input.k ? 1 : 0, e.attention, e.previous, e.change, e.direction, input.answer.prediction[i], input.answer.target[i]]),
  );
}
