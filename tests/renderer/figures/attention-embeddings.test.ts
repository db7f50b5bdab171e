/**
 * The figure builders of the attention (Fig. 2, 3), embedding (Fig. 4) and trajectory (Fig. 7)
 * views, rendered to SVG with ECharts' server-side renderer exactly as the export does.
 */
import { describe, expect, it } from 'vitest';
import type { ECharts } from 'echarts';
import { echarts } from '../../../src-renderer/src/figures/echarts.js';
import type { EChartsOption } from 'echarts';
import { svgOf } from '../../../src-renderer/src/figures/svg.js';
import { GROW, SAME, SHRINK, cyclicColor, sequentialColor } from '../../../src-renderer/src/figures/palette.js';
import { attentionEdges, attentionGraphCsv, attentionGraphOption, type AttentionAnswer, type AttentionGraphInput } from '../../../src-renderer/src/figures/attentionGraph.js';
import {
  attentionHeatmapCsv,
  attentionHeatmapOption,
  CELL_DIMENSIONS,
  drawnRows,
  HEATMAP_DRAWN_ROWS,
  heatmapClickStep,
  heatmapRange,
  nearestRow,
  rowSpans,
  type OverTrainingAnswer,
} from '../../../src-renderer/src/figures/attentionHeatmap.js';
import { colourScale, embeddingAxisNames, embeddingsCsv, embeddingsOption, presentValues, silhouetteText, type EmbeddingsAnswer } from '../../../src-renderer/src/figures/embeddings.js';
import {
  CURSOR_COLOR,
  MARKER_SYMBOL,
  cursorPoints,
  isProjectionResult,
  trajectoriesCsv,
  trajectoriesOption,
  trajectoryAxisNames,
  trajectoryClickStep,
  type ProjectionResult,
} from '../../../src-renderer/src/figures/trajectories.js';
import { fitSequence, parseToken, randomSequence, sequenceLabel, targetOf } from '../../../src-renderer/src/figures/sequence.js';

// ---------------------------------------------------------------------------------------------
// helpers

interface SvgPath {
  d: string;
  stroke: string | null;
  fill: string | null;
  strokeWidth: number | null;
  dashed: boolean;
  series: number | null;
  dataIndex: number | null;
  /** 'chart' for marks, 'legend' for legend items */
  kind: string | null;
}

function attr(attrs: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs);
  return m ? m[1] : null;
}

/** Every <path> of an SVG document with the attributes the assertions need. */
function paths(svg: string): SvgPath[] {
  return [...svg.matchAll(/<path ([^>]*)>/g)].map((m) => {
    const a = m[1];
    const sw = attr(a, 'stroke-width');
    const s = attr(a, 'ecmeta_series_index');
    const i = attr(a, 'ecmeta_data_index');
    return { d: attr(a, 'd') ?? '', stroke: attr(a, 'stroke'), fill: attr(a, 'fill'), strokeWidth: sw === null ? null : Number(sw), dashed: attr(a, 'stroke-dasharray') !== null, series: s === null ? null : Number(s), dataIndex: i === null ? null : Number(i), kind: attr(a, 'ecmeta_ssr_type') };
  });
}

/** The texts of an SVG document. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
}

/** A chart on which pixel conversions can be asked (SSR, no DOM). */
function withChart<R>(option: EChartsOption, f: (chart: ECharts) => R, width = 900, height = 560): R {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false });
    return f(chart);
  } finally {
    chart.dispose();
  }
}

function px(v: number | number[]): number {
  return Array.isArray(v) ? v[0] : v;
}

const withTitle = (option: EChartsOption, text: string): EChartsOption => ({ ...option, title: { text, left: 'center', textStyle: { fontSize: 14 } } });

// ---------------------------------------------------------------------------------------------
// Fig. 2: the attention graph

const T = 12;
const K = 5;
const TOKENS = [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0];
/** grew at 1..3, shrank at 4..5, unchanged after k */
const NOW = [0.15, 0.15, 0.15, 0.15, 0.15, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025];
const BEFORE = [0.1, 0.1, 0.1, 0.2, 0.2, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025];

function graphInput(previous: number[] | null, prediction = 3, target = 3): AttentionGraphInput {
  const answer: AttentionAnswer = { step: 100, previousStep: previous ? 90 : null, attention: [NOW], previous: previous ? [previous] : null, prediction: [prediction], target: [target], p: 4, phaseP: 4 };
  return { tokens: TOKENS, k: K, answer };
}

describe('attention graph (Fig. 2)', () => {
  it('colours each edge by the sign of the change since the previous snapshot', () => {
    const edges = attentionEdges(graphInput(BEFORE));
    expect(edges.map((e) => e.direction)).toEqual(['grew', 'grew', 'grew', 'shrank', 'shrank', ...Array(7).fill('same')]);
    expect(edges.slice(0, 3).every((e) => e.color === GROW)).toBe(true);
    expect(edges.slice(3, 5).every((e) => e.color === SHRINK)).toBe(true);
    expect(edges.slice(5).every((e) => e.color === SAME)).toBe(true);
    expect(edges[0].change).toBeCloseTo(0.05, 12);
    expect(edges[3].change).toBeCloseTo(-0.05, 12);
  });

  it('draws every edge grey at the first snapshot (nothing to compare with)', () => {
    const edges = attentionEdges(graphInput(null));
    expect(edges.every((e) => e.direction === 'first' && e.color === SAME && e.change === null)).toBe(true);
    const svg = svgOf(withTitle(attentionGraphOption(graphInput(null)), 'first'), 1000, 500);
    const strokes = new Set(paths(svg).map((p) => p.stroke));
    expect(strokes.has(GROW)).toBe(false);
    expect(strokes.has(SHRINK)).toBe(false);
    expect(texts(svg)).toContain('no previous snapshot');
  });

  it('makes edge widths proportional to attention, and a tiny change within tolerance unchanged', () => {
    const att = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.001953125, 0.0009765625, 0.00048828125, 0.00048828125];
    const answer: AttentionAnswer = { step: 1, previousStep: 0, attention: [att], previous: [att.map((a, t) => (t === 0 ? a + 1e-9 : a))], prediction: [0], target: [0], p: 4, phaseP: 4 };
    const edges = attentionEdges({ tokens: TOKENS, k: K, answer }, { maxWidth: 40 });
    expect(edges[0].width).toBeCloseTo(20, 10);
    expect(edges[1].width).toBeCloseTo(10, 10);
    expect(edges[0].width / edges[2].width).toBeCloseTo(4, 10);
    for (let t = 1; t < T; t++) expect(edges[t].width).toBeLessThanOrEqual(edges[t - 1].width);
    expect(edges[11].width).toBeGreaterThan(0); // still visible
    expect(edges[0].direction).toBe('same');
  });

  it('renders T nodes, one output node, T coloured edges of scaled width, the legend and the prediction', () => {
    const input = graphInput(BEFORE, 3, 1);
    const svg = svgOf(withTitle(attentionGraphOption(input), 'Attention of one sequence'), 1000, 500);
    const words = texts(svg);
    expect(words).toContain('Attention of one sequence');
    expect(words).toContain('position t (node: token value)');
    for (const name of ['summed tokens (t ≤ k)', 'ignored tokens (t > k)', 'output', 'attention grew', 'attention shrank', 'unchanged', 'k = 5: end of the summed prefix']) expect(words).toContain(name);
    expect(words).toContain('prediction 3 · target 1 ✗');
    for (let t = 1; t <= T; t++) expect(words).toContain(String(t)); // position ticks
    expect(words).toContain('0.150 ▲');
    expect(words).toContain('0.150 ▼');
    // the edges: paths of the graph series that run from a token node to the output node
    const edges = paths(svg).filter((p) => p.series === 0 && p.stroke !== null && p.fill === 'none' && /^M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/.test(p.d));
    expect(edges).toHaveLength(T);
    const byColour = (c: string) => edges.filter((e) => e.stroke === c);
    expect(byColour(GROW)).toHaveLength(3);
    expect(byColour(SHRINK)).toHaveLength(2);
    expect(byColour(SAME)).toHaveLength(7);
    expect(byColour(GROW)[0].strokeWidth).toBeCloseTo(36 * 0.15, 6);
    expect(byColour(SAME)[0].strokeWidth).toBeCloseTo(36 * 0.025, 6);
    // all edges meet at one point (the output node)
    const ends = new Set(edges.map((e) => e.d.split('L')[1]));
    expect(ends.size).toBe(1);
  });

  it('puts the dashed k line between the k-th and (k+1)-th token nodes', () => {
    const option = attentionGraphOption(graphInput(BEFORE));
    const svg = svgOf(option, 1000, 500);
    const edgeStarts = paths(svg)
      .filter((p) => p.series === 0 && p.fill === 'none' && /^M[\d.]+ [\d.]+L/.test(p.d))
      .map((p) => Number(p.d.slice(1).split(' ')[0]))
      .sort((a, b) => a - b);
    expect(edgeStarts).toHaveLength(T);
    const line = paths(svg).find((p) => p.dashed && p.fill === 'none' && /^M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/.test(p.d) && !p.d.includes('M0 '));
    expect(line).toBeDefined();
    const x = Number(line!.d.slice(1).split(' ')[0]);
    expect(x).toBeGreaterThan(edgeStarts[K - 1]);
    expect(x).toBeLessThan(edgeStarts[K]);
    expect(x).toBeCloseTo((edgeStarts[K - 1] + edgeStarts[K]) / 2, 0);
  });

  it('colours the output node by correctness and writes the plotted data as CSV', () => {
    const good = attentionGraphOption(graphInput(BEFORE, 2, 2));
    const bad = attentionGraphOption(graphInput(BEFORE, 2, 3));
    const outputColour = (o: EChartsOption) => {
      const series = (o.series as { type: string; data?: { name?: string; itemStyle?: { color?: string } }[] }[]).find((s) => s.type === 'graph');
      return series?.data?.find((d) => d.name === 'output')?.itemStyle?.color;
    };
    expect(outputColour(good)).not.toBe(outputColour(bad));
    const csv = attentionGraphCsv(graphInput(BEFORE)).trim().split('\n');
    expect(csv[0]).toBe('step,previous_step,position,token,summed,attention,previous_attention,change,direction,prediction,target');
    expect(csv).toHaveLength(T + 1);
    expect(csv[1].startsWith('100,90,1,1,1,0.15,0.1,')).toBe(true);
    expect(csv[1]).toContain(',grew,');
    expect(csv[4]).toContain(',shrank,');
    expect(csv[6].split(',')[4]).toBe('0'); // position 6 is not summed
  });
});

// ---------------------------------------------------------------------------------------------
// Fig. 3: attention over training

function overTraining(n = 40, sequences = 2): OverTrainingAnswer {
  const steps = Array.from({ length: n }, (_, i) => (i < 10 ? i : 10 + (i - 10) * 10));
  const values = steps.map((_, r) =>
    Array.from({ length: sequences }, (_, s) => Array.from({ length: T }, (_, t) => (t < K ? 1 / T + ((r / n) * (1 / K - 1 / T)) * (s + 1) / sequences : 1 / T - ((r / n) * (1 / T) * K) / (T - K) * (s + 1) / sequences))),
  );
  const change = values.map((row, r) => row.map((seq, s) => seq.map((v, t) => (r === 0 ? 0 : Math.sign(v - values[r - 1][s][t])))));
  return { steps, T, k: K, values, change };
}

describe('attention over training (Fig. 3)', () => {
  it('renders one cell per step and position, axis names, the legend and a colour scale', () => {
    const a = overTraining();
    const svg = svgOf(withTitle(attentionHeatmapOption(a, { sequence: 0, mode: 'attention', cursor: 120 }), 'Attention over training'), 900, 560);
    const words = texts(svg);
    for (const w of ['Attention over training', 'position t', 'step', 'attention a_t', 'k = 5: end of the summed prefix', 'cursor: step 120']) expect(words).toContain(w);
    expect(words.some((w) => /not to scale/.test(w))).toBe(false);
    for (let t = 1; t <= T; t++) expect(words).toContain(String(t)); // a label per position
    const cells = paths(svg).filter((p) => p.kind === 'chart' && p.series === 0 && p.dataIndex !== null);
    expect(cells.length).toBe(a.steps.length * T);
    // the colour scale spans [0, max attention]
    const [lo, hi] = heatmapRange(a, 'attention');
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThanOrEqual(Math.max(...a.values.flat(2)));
  });

  it('places rows at their steps on a linear axis: step 500 of a 0–4,000 run lies 12.5 % down, however dense the early snapshots', () => {
    // every step up to 100, then every 10th: 491 rows, the first 101 of them in steps 0–100
    const steps = [...Array.from({ length: 101 }, (_, i) => i), ...Array.from({ length: 390 }, (_, i) => 110 + 10 * i)];
    const a: OverTrainingAnswer = { steps, T, k: K, values: steps.map(() => [Array(T).fill(1 / T)]), change: steps.map(() => [Array(T).fill(0)]) };
    const option = attentionHeatmapOption(a, { sequence: 0, mode: 'attention', cursor: 500 });
    withChart(option, (chart) => {
      const y = (step: number) => px(chart.convertToPixel({ yAxisIndex: 0 }, step));
      const fraction = (y(500) - y(0)) / (y(4000) - y(0));
      expect(fraction).toBeCloseTo(0.125, 6);
      expect((y(2000) - y(0)) / (y(4000) - y(0))).toBeCloseTo(0.5, 6);
    });
    // and in the exported SVG: the cell of step 500 is drawn 12.5 % of the way down the cells
    const cells = paths(svgOf(option, 900, 560)).filter((p) => p.kind === 'chart' && p.series === 0 && p.dataIndex !== null);
    const top = (p: SvgPath) => Number(/^M[\d.]+ ([\d.]+)/.exec(p.d)?.[1]);
    const ys = cells.map(top);
    const [first, last] = [Math.min(...ys), Math.max(...cells.map((p) => Math.max(...[...p.d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1])))))];
    const row500 = cells[steps.indexOf(500) * T];
    const mid = (top(row500) + Math.max(...[...row500.d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1])))) / 2;
    expect((mid - first) / (last - first)).toBeGreaterThan(0.115);
    expect((mid - first) / (last - first)).toBeLessThan(0.135);
    // a row spans halfway to its neighbours; the axis runs from the first step to the last
    expect(rowSpans([0, 1, 2, 10, 20])).toEqual([[0, 0.5], [0.5, 1.5], [1.5, 6], [6, 15], [15, 20]]);
    expect(rowSpans([7])).toEqual([[6.5, 7.5]]);
  });

  it("draws a long run's 10,001 snapshots as about one row per pixel row, tiling the step axis, with exact values", () => {
    // dense snapshots at the start, then every 10 steps to 100,000
    const steps = [...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 10_000 }, (_, i) => 10 * (i + 1))];
    const T = 4;
    const value = (r: number, t: number) => ((r * 7 + t) % 13) / 13;
    const answer: OverTrainingAnswer = { steps, T, k: 2, values: steps.map((_, r) => [Array.from({ length: T }, (_, t) => value(r, t))]), change: steps.map(() => [Array.from({ length: T }, () => 0)]) };
    const spans = rowSpans(steps);
    const rows = drawnRows(spans);
    expect(rows.length).toBeLessThanOrEqual(HEATMAP_DRAWN_ROWS);
    expect(rows.length).toBeGreaterThan(HEATMAP_DRAWN_ROWS / 2);
    // the drawn rows tile the axis from the first step to the last, each over its own step
    expect(rows[0].from).toBe(0);
    expect(rows.at(-1)).toEqual({ row: steps.length - 1, from: rows.at(-1)!.from, to: 100_000 });
    rows.forEach((d, i) => {
      if (i > 0) expect(d.from).toBe(rows[i - 1].to);
      expect(steps[d.row]).toBeGreaterThanOrEqual(d.from);
      expect(steps[d.row]).toBeLessThanOrEqual(d.to);
    });
    const flat = ((attentionHeatmapOption(answer, { sequence: 0, mode: 'attention', cursor: 50_000 }).series as { type: string; data: unknown }[]).find((x) => x.type === 'custom')!).data;
    // the chart is given one flat typed array, CELL_DIMENSIONS.length numbers per cell
    expect(flat).toBeInstanceOf(Float64Array);
    const width = CELL_DIMENSIONS.length;
    const cells = Array.from({ length: (flat as Float64Array).length / width }, (_, i) => Array.from((flat as Float64Array).subarray(i * width, (i + 1) * width)));
    expect(cells).toHaveLength(rows.length * T);
    // each cell holds its snapshot's own value and step
    for (const [t, , , v, step] of cells) expect(v).toBe(value(steps.indexOf(step), t - 1));
    // a short run is drawn whole, and the CSV keeps every snapshot of a long one
    expect(drawnRows(rowSpans([0, 1, 2, 10, 20]))).toHaveLength(5);
    expect(attentionHeatmapCsv(answer, 0, 'attention').trim().split('\n')).toHaveLength(steps.length + 1);
  });

  it('draws the rows the engine chose, at the spans it gave, when the answer has them', () => {
    const T = 3;
    const answer: OverTrainingAnswer = { steps: [0, 40, 100], T, k: 1, spans: [[0, 20], [20, 70], [70, 100]], snapshots: 101, values: [0, 1, 2].map((r) => [[r / 3, r / 3, r / 3]]), change: [0, 1, 2].map(() => [[0, 0, 0]]) };
    const flat = ((attentionHeatmapOption(answer, { sequence: 0, mode: 'attention', cursor: null }).series as { type: string; data: unknown }[]).find((x) => x.type === 'custom')!).data as Float64Array;
    const width = CELL_DIMENSIONS.length;
    const cells = Array.from({ length: flat.length / width }, (_, i) => Array.from(flat.subarray(i * width, (i + 1) * width)));
    expect(cells).toHaveLength(3 * T);
    expect(cells.filter(([t]) => t === 1).map(([, from, to, , step]) => [from, to, step])).toEqual([[0, 20, 0], [20, 70, 40], [70, 100, 100]]);
  });

  it('draws the k line on the boundary between position k and position k+1', () => {
    const a = overTraining();
    const option = attentionHeatmapOption(a, { sequence: 1, mode: 'attention', cursor: null });
    withChart(option, (chart) => {
      const xk = px(chart.convertToPixel({ xAxisIndex: 0 }, K));
      const xk1 = px(chart.convertToPixel({ xAxisIndex: 0 }, K + 1));
      const series = (option.series as { name?: string; data?: number[][] }[]).find((s) => s.name?.startsWith('k = '));
      const lineX = px(chart.convertToPixel({ xAxisIndex: 0 }, series!.data![0][0]));
      expect(lineX).toBeCloseTo((xk + xk1) / 2, 6);
    });
    // and in the exported SVG: a dashed vertical path at that x
    const svg = svgOf(option, 900, 560);
    const dashed = paths(svg).filter((p) => p.dashed && /^M([\d.]+) [\d.]+L\1 [\d.]+$/.test(p.d));
    expect(dashed.length).toBeGreaterThanOrEqual(1);
  });

  it('draws the cursor line through the row nearest to the cursor, and none when it is turned off', () => {
    const a = overTraining();
    expect(nearestRow(a.steps, 0)).toBe(0);
    expect(nearestRow(a.steps, 124)).toBe(a.steps.indexOf(120));
    expect(nearestRow(a.steps, 126)).toBe(a.steps.indexOf(130));
    expect(nearestRow(a.steps, 1e9)).toBe(a.steps.length - 1);
    expect(nearestRow([], 3)).toBe(-1);
    const option = attentionHeatmapOption(a, { sequence: 0, mode: 'attention', cursor: 126 });
    const cursor = (option.series as { name?: string; markLine?: { data: { yAxis: number }[] } }[]).find((s) => s.name?.startsWith('cursor'));
    expect(cursor?.name).toBe('cursor: step 130');
    expect(cursor!.markLine!.data[0].yAxis).toBe(130);
    const svg = svgOf(option, 900, 560);
    expect(texts(svg)).toContain('step 130');
    const off = svgOf(attentionHeatmapOption(a, { sequence: 0, mode: 'attention', cursor: null }), 900, 560);
    expect(texts(off).some((w) => /^(cursor|step 1)/.test(w))).toBe(false);
    expect(paths(off).some((p) => p.stroke === '#ff2d9a')).toBe(false);
  });

  it('maps a clicked cell to its step, and ignores clicks elsewhere', () => {
    const a = overTraining();
    expect(heatmapClickStep(a, 'custom', [3, 115, 125, 0.1, a.steps[12]])).toBe(a.steps[12]);
    expect(heatmapClickStep(a, 'line', [3, 12])).toBeNull();
    expect(heatmapClickStep(a, 'custom', [3, 0, 1, 0.1, 12345])).toBeNull();
    expect(heatmapClickStep(a, 'custom', 'x')).toBeNull();
  });

  it('shows the direction of change as grew / unchanged / shrank in the colours of Fig. 2', () => {
    const a = overTraining();
    expect(heatmapRange(a, 'change')).toEqual([-1, 1]);
    const own = heatmapRange(a, 'attention', 0);
    const all = heatmapRange(a, 'attention');
    expect(own[1]).toBeLessThan(all[1]); // sequence 1 concentrates faster in this fixture
    const svg = svgOf(withTitle(attentionHeatmapOption(a, { sequence: 0, mode: 'change', cursor: null }), 'change'), 900, 560);
    const words = texts(svg);
    for (const w of ['direction of change since the previous row', 'grew', 'shrank', 'unchanged']) expect(words).toContain(w);
    const cells = paths(svg).filter((p) => p.kind === 'chart' && p.series === 0 && p.dataIndex !== null);
    const colourOf = (row: number, t: number) => cells[row * T + t].fill;
    // row 0 has nothing to compare with; afterwards the prefix grows and the rest shrinks
    expect(colourOf(0, 0)).not.toBe(GROW);
    expect(colourOf(0, 0)).not.toBe(SHRINK);
    expect(colourOf(5, 0)).toBe(GROW);
    expect(colourOf(5, K - 1)).toBe(GROW);
    expect(colourOf(5, K)).toBe(SHRINK);
    expect(colourOf(5, T - 1)).toBe(SHRINK);
  });

  it('writes one CSV row per step and a column per position', () => {
    const a = overTraining(5, 1);
    const lines = attentionHeatmapCsv(a, 0, 'attention').trim().split('\n');
    expect(lines[0]).toBe(['step', ...Array.from({ length: T }, (_, t) => `a_${t + 1}`)].join(','));
    expect(lines).toHaveLength(6);
    expect(lines[1].split(',')).toHaveLength(T + 1);
    expect(Number(lines[3].split(',')[0])).toBe(a.steps[2]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fig. 4: embeddings

function prefixEmbeddings(p: number, d: number): EmbeddingsAnswer {
  const points: EmbeddingsAnswer['points'] = [];
  for (let i = 0; i < p ** K; i++) {
    const tok = Array.from({ length: K }, (_, j) => Math.floor(i / p ** j) % p);
    const sum = tok.reduce((a, b) => a + b, 0);
    const angle = (2 * Math.PI * sum) / (K * (p - 1) + 1);
    points.push({ x: Math.cos(angle) + (i % 7) * 1e-3, y: Math.sin(angle) + (i % 5) * 1e-3, label: sum, target: sum % p, tokens: tok.join('') + '0'.repeat(T - K) });
  }
  return { step: 3000, d, p, k: K, points, explainedVariance: d === 2 ? null : [0.4567, 0.2346, 0.1], silhouette: 0.9234, classes: K * (p - 1) + 1, phaseP: p };
}

/** The fill of every plotted point, in data order. */
function pointFills(svg: string): string[] {
  return paths(svg)
    .filter((p) => p.kind === 'chart' && p.series === 0 && p.dataIndex !== null)
    .sort((a, b) => (a.dataIndex ?? 0) - (b.dataIndex ?? 0))
    .map((p) => p.fill ?? '');
}

describe('embeddings (Fig. 4)', () => {
  it('states the silhouette of z_A by prefix sum, or that it is undefined', () => {
    expect(silhouetteText(prefixEmbeddings(2, 2))).toBe(`silhouette by sum 0.92 (${K + 1} sums)`);
    expect(silhouetteText({ silhouette: -0.456, classes: 16 })).toBe('silhouette by sum -0.46 (16 sums)');
    expect(silhouetteText({ silhouette: null, classes: 1 })).toBe('silhouette by sum: undefined (1 sum)');
  });

  it('names the axes z_A[0]/z_A[1] for d = 2, else principal components with their variance', () => {
    expect(embeddingAxisNames({ d: 2, explainedVariance: null })).toEqual(['z_A[0]', 'z_A[1]']);
    expect(embeddingAxisNames({ d: 32, explainedVariance: [0.4567, 0.2346] })).toEqual(['PC 1 (45.7%)', 'PC 2 (23.5%)']);
    const svg = svgOf(withTitle(embeddingsOption(prefixEmbeddings(2, 2)), 'z_A'), 900, 560);
    expect(texts(svg)).toContain('z_A[0]');
    expect(texts(svg)).toContain('z_A[1]');
    const svg32 = svgOf(embeddingsOption(prefixEmbeddings(2, 32)), 900, 560);
    expect(texts(svg32)).toContain('PC 1 (45.7%)');
    expect(texts(svg32)).toContain('PC 2 (23.5%)');
  });

  it('colours the sums on one ordered (sequential) scale, 0..k(p − 1), and the export carries the colour bar', () => {
    const four = colourScale(prefixEmbeddings(4, 2), 'sum');
    expect(four.values).toEqual(Array.from({ length: 16 }, (_, v) => v));
    expect(four.cyclic).toBe(false);
    expect(four.color(0)).toBe(sequentialColor(0));
    expect(four.color(15)).toBe(sequentialColor(1));
    // ordered: each sum a step further along viridis (its green channel rises from purple to yellow)
    const green = (c: string) => parseInt(c.slice(3, 5), 16);
    for (let v = 1; v < 16; v++) expect(green(four.color(v))).toBeGreaterThan(green(four.color(v - 1)));
    expect(new Set(four.values.map(four.color)).size).toBe(16);
    expect(presentValues(prefixEmbeddings(2, 2), 'sum')).toEqual([0, 1, 2, 3, 4, 5]);
    const answer = prefixEmbeddings(2, 2);
    const svg = svgOf(withTitle(embeddingsOption(answer), 'z_A'), 900, 560);
    const words = texts(svg);
    // the colour bar: its name and a labelled swatch per sum, 0..5, and nothing past it
    expect(words).toContain('sum of the first 5 tokens');
    for (let v = 0; v <= 5; v++) expect(words).toContain(String(v));
    const scale = colourScale(answer, 'sum');
    const swatches = paths(svg).filter((p) => p.kind !== 'chart' && p.fill !== null && scale.values.some((v) => scale.color(v) === p.fill));
    expect(new Set(swatches.map((p) => p.fill)).size).toBe(6);
    // every point in the colour of its sum
    expect(pointFills(svg)).toEqual(answer.points.map((pt) => scale.color(pt.label)));
  });

  it('colours the sum mod p on a cyclic scale (p − 1 as close to 0 as to p − 2), and the target on a sequential one', () => {
    const answer = prefixEmbeddings(4, 2);
    const mod = colourScale(answer, 'mod');
    expect(mod.cyclic).toBe(true);
    expect(mod.values).toEqual([0, 1, 2, 3]);
    expect(mod.values.map(mod.color)).toEqual([0, 1, 2, 3].map((v) => cyclicColor(v, 4)));
    const rgb = (c: string) => [1, 3, 5].map((j) => parseInt(c.slice(j, j + 2), 16));
    const dist = (a: string, b: string) => Math.hypot(...rgb(a).map((x, i) => x - rgb(b)[i]));
    // around the circle: neighbours (3, 0) as far apart as (0, 1); opposite residues further
    expect(dist(mod.color(3), mod.color(0))).toBeGreaterThan(0.5 * dist(mod.color(0), mod.color(1)));
    expect(dist(mod.color(0), mod.color(2))).toBeGreaterThan(dist(mod.color(0), mod.color(1)));
    const svg = svgOf(embeddingsOption(answer, { colorBy: 'mod' }), 900, 560);
    expect(texts(svg)).toContain('sum of the first 5 tokens mod 4');
    expect(pointFills(svg)).toEqual(answer.points.map((pt) => cyclicColor(pt.label % 4, 4)));
    // the target: the data's, which may differ from the sum mod p (data made elsewhere)
    const odd = { ...answer, points: answer.points.map((pt, i) => ({ ...pt, target: i === 0 ? 3 : pt.target })) };
    const target = colourScale(odd, 'target');
    expect(target.cyclic).toBe(false);
    expect(target.values).toEqual([0, 1, 2, 3]);
    const tsvg = svgOf(embeddingsOption(odd, { colorBy: 'target' }), 900, 560);
    expect(texts(tsvg)).toContain('target');
    expect(pointFills(tsvg)[0]).toBe(target.color(3));
    expect(pointFills(tsvg)[0]).not.toBe(target.color(0)); // the sum of prefix 0 is 0
  });

  it('shows the tokens, the sum, its residue and the target in the tooltip, and all of them in the CSV', () => {
    const option = embeddingsOption(prefixEmbeddings(2, 2));
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const tip = formatter({ value: [0.5, -0.25, 3, '110100000000', 3, 1] });
    expect(tip).toContain('tokens 11010 0000000');
    expect(tip).toContain('sum 3 · sum mod 2 = 1 · target 1');
    const lines = embeddingsCsv(prefixEmbeddings(2, 2)).trim().split('\n');
    expect(lines[0]).toBe('z_A[0],z_A[1],sum_first_5,sum_mod_2,target,tokens');
    expect(lines).toHaveLength(33);
  });
});

// ---------------------------------------------------------------------------------------------
// Fig. 7: trajectories

function projection(method: ProjectionResult['method'] = 'pca'): ProjectionResult {
  const a = Array.from({ length: 101 }, (_, i) => i * 100); // curriculum, every 100 steps
  const b = Array.from({ length: 51 }, (_, i) => i * 200); // scratch, every 200 steps
  const points: ProjectionResult['points'] = [
    ...a.map((step) => ({ run: 0, step, x: step / 1000, y: Math.sin(step / 2000) })),
    ...b.map((step) => ({ run: 1, step, x: -step / 1000, y: Math.cos(step / 2000) })),
  ];
  return {
    method,
    runs: [
      { id: 'c0', label: 'curriculum-s0', steps: a, markers: [{ kind: 'start', step: 0, index: 0 }, { kind: 'switch', step: 3000, index: 30 }, { kind: 'end', step: 10000, index: 100 }] },
      { id: 's0', label: 'scratch-s0', steps: b, markers: [{ kind: 'start', step: 0, index: 101 }, { kind: 'end', step: 10000, index: 151 }] },
    ],
    points,
    explainedVariance: method === 'pca' ? [0.612, 0.201, 0.05] : null,
  };
}

type SeriesLike = { type: string; name?: string; symbol?: string; data?: ({ value: number[] } | number[])[] };
const seriesOf = (o: EChartsOption) => o.series as SeriesLike[];
const valueOf = (d: { value: number[] } | number[]) => (Array.isArray(d) ? d : d.value);

describe('trajectories (Fig. 7)', () => {
  it('names the axes by method, with the explained variance for PCA', () => {
    expect(trajectoryAxisNames(projection('pca'))).toEqual(['PC 1 (61.2% of variance)', 'PC 2 (20.1% of variance)']);
    expect(trajectoryAxisNames(projection('tsne'))).toEqual(['t-SNE 1', 't-SNE 2']);
    expect(trajectoryAxisNames(projection('umap'))).toEqual(['UMAP 1', 'UMAP 2']);
  });

  it('draws each run as a line, marks start / switch / end with distinct symbols, and labels them', () => {
    const r = projection();
    const option = trajectoriesOption(r, { cursor: null });
    const series = seriesOf(option);
    expect(series.filter((s) => s.type === 'line').map((s) => s.name)).toEqual(['curriculum-s0', 'scratch-s0']);
    const byKind = (k: string) => series.find((s) => s.name === k)!;
    expect(new Set(['start', 'switch', 'end'].map((k) => byKind(k).symbol)).size).toBe(3);
    expect(byKind('switch').symbol).toBe(MARKER_SYMBOL.switch);
    expect(byKind('start').data!.map(valueOf)).toEqual([
      [0, 0, 0],
      [-0, 1, 0],
    ]);
    expect(byKind('switch').data!.map(valueOf)).toEqual([[3, Math.sin(1.5), 3000]]);
    expect(byKind('end').data!.map(valueOf)).toEqual([
      [10, Math.sin(5), 10000],
      [-10, Math.cos(5), 10000],
    ]);
    const svg = svgOf(withTitle(option, 'Parameter trajectories'), 900, 560);
    const words = texts(svg);
    for (const w of ['Parameter trajectories', 'PC 1 (61.2% of variance)', 'PC 2 (20.1% of variance)', 'curriculum-s0', 'scratch-s0', 'start', 'switch', 'end', 'switch (step 3000)']) expect(words).toContain(w);
    expect(words.filter((w) => w === 'end')).toHaveLength(3); // the legend and both runs
    // both lines are drawn: one long polyline per run
    const lines = paths(svg).filter((p) => p.fill === 'none' && p.d.split('L').length > 40);
    expect(lines).toHaveLength(2);
  });

  it('rings each run at its point nearest to the cursor, and moves the ring with the cursor', () => {
    const r = projection();
    expect(cursorPoints(r, 3050).map((p) => [p.run, p.step])).toEqual([
      [0, 3000],
      [1, 3000],
    ]);
    expect(cursorPoints(r, 3150).map((p) => [p.run, p.step])).toEqual([
      [0, 3100], // a tie goes to the earlier step
      [1, 3200],
    ]);
    expect(cursorPoints(r, 3160).map((p) => [p.run, p.step])).toEqual([
      [0, 3200],
      [1, 3200],
    ]);
    expect(cursorPoints(r, 3120).map((p) => [p.run, p.step])).toEqual([
      [0, 3100],
      [1, 3200],
    ]);
    const at = (cursor: number) => seriesOf(trajectoriesOption(r, { cursor })).find((s) => s.name?.startsWith('cursor'));
    const ring = at(3120)!;
    expect(ring.name).toBe('cursor: step 3120');
    expect(ring.data!.map(valueOf)).toEqual([
      [3.1, Math.sin(3100 / 2000), 3100],
      [-3.2, Math.cos(3200 / 2000), 3200],
    ]);
    expect(at(9000)!.data!.map((d) => valueOf(d)[2])).toEqual([9000, 9000]);
    const svg = svgOf(trajectoriesOption(r, { cursor: 3120 }), 900, 560);
    const rings = paths(svg).filter((p) => p.kind === 'chart' && p.stroke === CURSOR_COLOR && p.dataIndex !== null);
    expect(rings).toHaveLength(2);
    expect(texts(svg)).toContain('step 3100');
    expect(texts(svg)).toContain('cursor: step 3120');
  });

  it('maps a clicked point to its step, recognises results, and writes the CSV', () => {
    expect(trajectoryClickStep([1, 2, 3000])).toBe(3000);
    expect(trajectoryClickStep([1, 2])).toBeNull();
    expect(trajectoryClickStep('x')).toBeNull();
    expect(isProjectionResult(projection())).toBe(true);
    expect(isProjectionResult({ method: 'pca' })).toBe(false);
    expect(isProjectionResult(null)).toBe(false);
    const lines = trajectoriesCsv(projection()).trim().split('\n');
    expect(lines[0]).toBe('run,id,step,PC 1,PC 2,marker');
    expect(lines).toHaveLength(153);
    expect(lines[31]).toBe('curriculum-s0,c0,3000,3,0.997495,switch'); // sin(1.5) as the shortest decimal of its float32
  });
});

// ---------------------------------------------------------------------------------------------
// the sequence editor's rules

describe('sequence editor rules', () => {
  it('accepts only whole tokens in 0..V-1', () => {
    expect(parseToken('3', 4)).toBe(3);
    expect(parseToken(' 0 ', 4)).toBe(0);
    for (const bad of ['4', '-1', '1.5', '', 'a', '1e0']) expect(parseToken(bad, 4)).toBeNull();
  });

  it('draws random tokens in 0..p-1, fits sequences and computes targets', () => {
    let i = 0;
    const seq = randomSequence(T, 2, () => [0, 0.49, 0.5, 0.999999][i++ % 4]);
    expect(seq.slice(0, 4)).toEqual([0, 0, 1, 1]);
    expect(randomSequence(200, 4).every((t) => t >= 0 && t < 4)).toBe(true);
    expect(fitSequence([5, 1], 4, 4)).toEqual([3, 1, 0, 0]);
    expect(targetOf([3, 3, 3, 0, 1, 2, 2], K, 4)).toBe(2);
    expect(sequenceLabel(TOKENS, K)).toBe('12301 2301230');
  });
});
