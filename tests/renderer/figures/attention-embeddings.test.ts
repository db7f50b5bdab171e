/**
 * The figure builders of the attention (Fig. 2, 3), embedding (Fig. 4) and trajectory (Fig. 7)
 * views, rendered to SVG with ECharts' server-side renderer exactly as the export does.
 */
import { describe, expect, it } from 'vitest';
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { svgOf } from '../../../src-renderer/src/figures/export.js';
import { GROW, SAME, SHRINK, categoricalColor } from '../../../src-renderer/src/figures/palette.js';
import { attentionEdges, attentionGraphCsv, attentionGraphOption, type AttentionAnswer, type AttentionGraphInput } from '../../../src-renderer/src/figures/attentionGraph.js';
import {
  attentionHeatmapCsv,
  attentionHeatmapOption,
  heatmapClickStep,
  heatmapRange,
  labelledRows,
  nearestRow,
  niceUnit,
  type OverTrainingAnswer,
} from '../../../src-renderer/src/figures/attentionHeatmap.js';
import { embeddingAxisNames, embeddingClusters, embeddingsCsv, embeddingsOption, silhouetteText, type EmbeddingsAnswer } from '../../../src-renderer/src/figures/embeddings.js';
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
function withChart<R>(option: EChartsOption, f: (chart: echarts.ECharts) => R, width = 900, height = 560): R {
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
    for (const w of ['Attention over training', 'position t', 'step (one row per snapshot, not to scale)', 'attention a_t', 'k = 5: end of the summed prefix', 'cursor: step 120']) expect(words).toContain(w);
    const cells = paths(svg).filter((p) => p.kind === 'chart' && p.series === 0 && p.dataIndex !== null);
    expect(cells.length).toBe(a.steps.length * T);
    // the colour scale spans [0, max attention]
    const [lo, hi] = heatmapRange(a, 'attention');
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThanOrEqual(Math.max(...a.values.flat(2)));
  });

  it('draws the k line on the boundary between position k and position k+1', () => {
    const a = overTraining();
    const option = attentionHeatmapOption(a, { sequence: 1, mode: 'attention', cursor: null });
    withChart(option, (chart) => {
      const xk = px(chart.convertToPixel({ xAxisIndex: 0 }, String(K)));
      const xk1 = px(chart.convertToPixel({ xAxisIndex: 0 }, String(K + 1)));
      const series = (option.series as { name?: string; data?: number[][] }[]).find((s) => s.name?.startsWith('k = '));
      const lineX = px(chart.convertToPixel({ xAxisIndex: 1 }, series!.data![0][0]));
      expect(lineX).toBeGreaterThan(xk);
      expect(lineX).toBeLessThan(xk1);
      expect(lineX).toBeCloseTo((xk + xk1) / 2, 6);
    });
    // and in the exported SVG: a dashed vertical path at that x
    const svg = svgOf(option, 900, 560);
    const dashed = paths(svg).filter((p) => p.dashed && /^M([\d.]+) [\d.]+L\1 [\d.]+$/.test(p.d));
    expect(dashed.length).toBeGreaterThanOrEqual(1);
  });

  it('highlights the row nearest to the cursor, with a line through that row', () => {
    const a = overTraining();
    expect(nearestRow(a.steps, 0)).toBe(0);
    expect(nearestRow(a.steps, 124)).toBe(a.steps.indexOf(120));
    expect(nearestRow(a.steps, 126)).toBe(a.steps.indexOf(130));
    expect(nearestRow(a.steps, 1e9)).toBe(a.steps.length - 1);
    expect(nearestRow([], 3)).toBe(-1);
    const option = attentionHeatmapOption(a, { sequence: 0, mode: 'attention', cursor: 126 });
    const cursor = (option.series as { name?: string; yAxisIndex?: number; markLine?: { data: { yAxis: number }[] } }[]).find((s) => s.name?.startsWith('cursor'));
    expect(cursor?.name).toBe('cursor: step 130');
    const row = cursor!.markLine!.data[0].yAxis;
    expect(row).toBe(a.steps.indexOf(130));
    withChart(option, (chart) => {
      const centre = chart.convertToPixel({ yAxisIndex: 0 }, '130') as number;
      const line = chart.convertToPixel({ yAxisIndex: 1 }, row) as number;
      expect(line).toBeCloseTo(centre, 6);
    });
    const svg = svgOf(option, 900, 560);
    expect(texts(svg)).toContain('step 130');
  });

  it('maps a clicked cell to its step, and ignores clicks elsewhere', () => {
    const a = overTraining();
    expect(heatmapClickStep(a, 'heatmap', [3, 12, 0.1])).toBe(a.steps[12]);
    expect(heatmapClickStep(a, 'line', [3, 12])).toBeNull();
    expect(heatmapClickStep(a, 'heatmap', [3, 999, 0.1])).toBeNull();
    expect(heatmapClickStep(a, 'heatmap', 'x')).toBeNull();
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

  it('labels steps on round values, sparsely enough for dense early snapshots', () => {
    expect(niceUnit(10000)).toBe(1000);
    expect(niceUnit(100)).toBe(10);
    expect(niceUnit(0)).toBe(1);
    const steps = [...Array.from({ length: 101 }, (_, i) => i), ...Array.from({ length: 990 }, (_, i) => 110 + 10 * i)];
    const rows = labelledRows(steps);
    expect(steps.filter((_, i) => rows[i])).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    // a stride that misses the round steps still labels one row per bucket
    const strided = Array.from({ length: 100 }, (_, i) => 7 * i);
    expect(strided.filter((_, i) => labelledRows(strided)[i])).toEqual([0, 105, 203, 301, 406, 504, 602]);
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
    points.push({ x: Math.cos(angle) + (i % 7) * 1e-3, y: Math.sin(angle) + (i % 5) * 1e-3, label: sum, tokens: tok.join('') + '0'.repeat(T - K) });
  }
  return { step: 3000, d, p, k: K, points, explainedVariance: d === 2 ? null : [0.4567, 0.2346, 0.1], silhouette: 0.9234, classes: K * (p - 1) + 1, phaseP: p };
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

  it('groups the 2^5 prefixes into 6 labelled clusters and the 4^5 into 16, one legend entry each', () => {
    const two = embeddingClusters(prefixEmbeddings(2, 2));
    expect(two.map((c) => c.label)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(two.map((c) => c.points.length)).toEqual([1, 5, 10, 10, 5, 1]);
    const four = embeddingClusters(prefixEmbeddings(4, 2));
    expect(four).toHaveLength(16);
    const svg = svgOf(withTitle(embeddingsOption(prefixEmbeddings(2, 2)), 'z_A'), 900, 560);
    const words = texts(svg);
    for (let s = 0; s <= 5; s++) expect(words).toContain(`sum = ${s}`);
    expect(words).not.toContain('sum = 6');
  });

  it('gives each label value its own colour, the same whatever else is plotted, and draws the points in it', () => {
    const two = embeddingClusters(prefixEmbeddings(2, 2));
    const four = embeddingClusters(prefixEmbeddings(4, 2));
    expect(new Set(four.map((c) => c.color)).size).toBe(16);
    for (const c of two) expect(four.find((f) => f.label === c.label)?.color).toBe(c.color);
    for (const c of four) expect(c.color).toBe(categoricalColor(c.label));
    const svg = svgOf(embeddingsOption(prefixEmbeddings(2, 2)), 900, 560);
    const marks = paths(svg).filter((p) => p.kind === 'chart' && p.dataIndex !== null);
    expect(marks).toHaveLength(32);
    for (const c of two) expect(marks.filter((m) => m.series === c.label && m.fill === c.color)).toHaveLength(c.points.length);
  });

  it('colours by the sum mod p on request, and shows the tokens in the tooltip and the CSV', () => {
    const four = embeddingClusters(prefixEmbeddings(4, 2), { colorBy: 'mod' });
    expect(four.map((c) => c.name)).toEqual(['sum mod 4 = 0', 'sum mod 4 = 1', 'sum mod 4 = 2', 'sum mod 4 = 3']);
    expect(four.reduce((a, c) => a + c.points.length, 0)).toBe(4 ** K);
    const option = embeddingsOption(prefixEmbeddings(2, 2));
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    expect(formatter({ value: [0.5, -0.25, '110100000000'], seriesName: 'sum = 3' })).toContain('tokens 11010 0000000');
    const lines = embeddingsCsv(prefixEmbeddings(2, 2)).trim().split('\n');
    expect(lines[0]).toBe('z_A[0],z_A[1],sum_first_5,sum_mod_2,tokens');
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
