/**
 * Fig. 4: z_A — the attention output — of many sequences at one step, coloured on an ordered scale
 * with its colour bar: the sum of the first k tokens or the target on a sequential scale (viridis),
 * the sum mod p on a cyclic one (p hues around a circle, p − 1 next to 0). When d = 2 the axes
 * are z_A itself; otherwise its first two principal components, with their share of the variance.
 * Pure.
 */
import type { EChartsOption, VisualMapComponentOption } from 'echarts';
import type { Response } from '../../../src-main/api/contract.js';
import { toCsv } from './export.js';
import { cyclicColor, sequentialColor } from './palette.js';
import { itemTooltip, scatterAxis } from './chartParts.js';

export type EmbeddingsAnswer = Response<'analysis.embeddings'>;
export type EmbeddingPoint = EmbeddingsAnswer['points'][number];
/** the sum of the first k tokens (Fig. 4), that sum mod p, or the sequence's target in the data */
export type ColorBy = 'sum' | 'mod' | 'target';

export interface EmbeddingSettings {
  colorBy?: ColorBy;
}

/** The colour scale of one colouring: every value it covers, in order, and the colour of each. */
export interface ColourScale {
  colorBy: ColorBy;
  /** what the colour says, for the colour bar and the title */
  name: string;
  cyclic: boolean;
  /** the values the scale covers (all that can occur, not only those present), ascending */
  values: number[];
  color: (value: number) => string;
}

/** The most values the colour bar lists one by one; past it, a continuous bar. */
export const MAX_PIECES = 32;

function pct(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : ` (${(100 * x).toFixed(1)}%)`;
}

/** "z_A[0]"/"z_A[1]" for a d = 2 model, else "PC 1 (xx%)"/"PC 2 (yy%)". */
export function embeddingAxisNames(answer: Pick<EmbeddingsAnswer, 'd' | 'explainedVariance'>): [string, string] {
  if (answer.d === 2) return ['z_A[0]', 'z_A[1]'];
  const ev = answer.explainedVariance ?? [];
  return [`PC 1${pct(ev[0])}`, `PC 2${pct(ev[1])}`];
}

const mod = (x: number, p: number) => ((x % p) + p) % p;

/** The value a point is coloured by. */
export function pointValue(pt: EmbeddingPoint, colorBy: ColorBy, p: number): number {
  return colorBy === 'sum' ? pt.label : colorBy === 'mod' ? mod(pt.label, p) : pt.target;
}

/** The words for a colouring, as the colour bar and the title say them. */
export function colorByName(colorBy: ColorBy, k: number | string, p: number | string): string {
  return colorBy === 'sum' ? `sum of the first ${k} tokens` : colorBy === 'mod' ? `sum of the first ${k} tokens mod ${p}` : 'target';
}

/**
 * The scale of a colouring: the sums 0..k(p − 1) and the targets 0..p − 1 sequential (an ordered
 * value gets an ordered colour: the order of the clusters can be read), the residues mod p cyclic.
 * A value's colour depends on the scale only, never on which values a step happens to show.
 */
export function colourScale(answer: Pick<EmbeddingsAnswer, 'p' | 'k' | 'points'>, colorBy: ColorBy): ColourScale {
  const { p, k } = answer;
  const top = colorBy === 'sum' ? k * (p - 1) : p - 1;
  // a target outside 0..p − 1 (data made elsewhere) widens the scale rather than vanish
  const seen = colorBy === 'target' ? answer.points.reduce((m, pt) => Math.max(m, pt.target), top) : top;
  const values = Array.from({ length: seen + 1 }, (_, v) => v);
  const color = colorBy === 'mod' ? (v: number) => cyclicColor(v, p) : (v: number) => sequentialColor(seen === 0 ? 0 : v / seen);
  return { colorBy, name: colorByName(colorBy, k, p), cyclic: colorBy === 'mod', values, color };
}

/** The distinct values the points take under a colouring, ascending. */
export function presentValues(answer: EmbeddingsAnswer, colorBy: ColorBy): number[] {
  return [...new Set(answer.points.map((pt) => pointValue(pt, colorBy, answer.p)))].sort((a, b) => a - b);
}

/** The colour bar: one labelled swatch per value (clicking one hides its points), or a continuous bar for many values. */
export function colourBar(scale: ColourScale): VisualMapComponentOption {
  const common = { seriesIndex: 0, dimension: 2, orient: 'vertical' as const, right: 10, top: 'middle' as const, text: [scale.name, ''], textGap: 12, textStyle: { fontSize: 11 } };
  if (scale.values.length <= MAX_PIECES)
    return { type: 'piecewise', ...common, showLabel: true, itemGap: 2, itemWidth: 18, itemHeight: scale.values.length > 16 ? 9 : 13, pieces: scale.values.map((v) => ({ value: v, label: String(v), color: scale.color(v) })), outOfRange: { color: '#c7c7c7' } };
  const last = scale.values[scale.values.length - 1];
  return { type: 'continuous', ...common, min: 0, max: last, calculable: false, itemHeight: 240, precision: 0, inRange: { color: Array.from({ length: 17 }, (_, i) => scale.color(Math.round((i / 16) * last))) } };
}

function spaced(tokens: string, k: number): string {
  return tokens.length > k ? `${tokens.slice(0, k)} ${tokens.slice(k)}` : tokens;
}

export function embeddingsOption(answer: EmbeddingsAnswer, settings: EmbeddingSettings = {}): EChartsOption {
  const colorBy = settings.colorBy ?? 'sum';
  const scale = colourScale(answer, colorBy);
  const [xName, yName] = embeddingAxisNames(answer);
  const n = answer.points.length;
  const size = n > 1500 ? 5 : n > 300 ? 7 : 9;
  // the legend's room: wide enough for the scale's name
  const right = Math.max(110, 30 + 6.2 * scale.name.length);
  return {
    animation: false,
    tooltip: itemTooltip((_, v) => {
      const [x, y, , tokens, sum, target] = v as [number, number, number, string, number, number];
      return `tokens ${spaced(String(tokens), answer.k)}<br/>sum ${sum} · sum mod ${answer.p} = ${mod(sum, answer.p)} · target ${target}<br/>(${x.toPrecision(4)}, ${y.toPrecision(4)})`;
    }),
    grid: { left: 70, right, top: 50, bottom: 56 },
    xAxis: scatterAxis(xName, 30),
    yAxis: scatterAxis(yName, 50),
    visualMap: colourBar(scale),
    series: [
      {
        type: 'scatter',
        name: 'z_A',
        data: answer.points.map((pt) => [pt.x, pt.y, pointValue(pt, colorBy, answer.p), pt.tokens, pt.label, pt.target]),
        symbolSize: size,
        itemStyle: { opacity: 0.8, borderColor: '#fff', borderWidth: 0.5 },
        large: false,
      },
    ],
  };
}

/**
 * The cluster measure under the figure: the silhouette of z_A grouped by the prefix sum (−1..1;
 * Fig. 4 is a high score with 6 sums at the end of p = 2 and 16 at the end of p = 4).
 */
export function silhouetteText(answer: Pick<EmbeddingsAnswer, 'silhouette' | 'classes'>): string {
  if (answer.silhouette === null) return `silhouette by sum: undefined (${answer.classes} sum${answer.classes === 1 ? '' : 's'})`;
  return `silhouette by sum ${answer.silhouette.toFixed(2)} (${answer.classes} sums)`;
}

/** The plotted points: x, y, sum of the first k tokens, that sum mod p, the target, tokens. */
export function embeddingsCsv(answer: EmbeddingsAnswer): string {
  const [xName, yName] = embeddingAxisNames(answer).map((s) => s.replace(/ \(.*\)$/, ''));
  return toCsv([xName, yName, `sum_first_${answer.k}`, `sum_mod_${answer.p}`, 'target', 'tokens'], answer.points.map((pt) => [pt.x, pt.y, pt.label, mod(pt.label, answer.p), pt.target, pt.tokens]));
}
