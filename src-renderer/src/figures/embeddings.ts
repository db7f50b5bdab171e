/**
 * Fig. 4: z_A — the attention output — of many sequences at one step, one colour per value of the
 * sum of the first k tokens (or of that sum mod p). When d = 2 the axes are z_A itself; otherwise
 * its first two principal components, with their share of the variance. Pure.
 */
import type { EChartsOption } from 'echarts';
import type { Response } from '../../../src-main/api/contract.js';
import { toCsv } from './export.js';
import { categoricalColor } from './palette.js';

export type EmbeddingsAnswer = Response<'analysis.embeddings'>;
export type ColorBy = 'sum' | 'mod';

export interface EmbeddingSettings {
  /** colour by the sum of the first k tokens (Fig. 4) or by that sum mod p (the target) */
  colorBy?: ColorBy;
}

export interface Cluster {
  label: number;
  name: string;
  color: string;
  points: { x: number; y: number; tokens: string }[];
}

function pct(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : ` (${(100 * x).toFixed(1)}%)`;
}

/** "z_A[0]"/"z_A[1]" for a d = 2 model, else "PC 1 (xx%)"/"PC 2 (yy%)". */
export function embeddingAxisNames(answer: Pick<EmbeddingsAnswer, 'd' | 'explainedVariance'>): [string, string] {
  if (answer.d === 2) return ['z_A[0]', 'z_A[1]'];
  const ev = answer.explainedVariance ?? [];
  return [`PC 1${pct(ev[0])}`, `PC 2${pct(ev[1])}`];
}

export function clusterName(label: number, colorBy: ColorBy, p: number): string {
  return colorBy === 'sum' ? `sum = ${label}` : `sum mod ${p} = ${label}`;
}

/** The points grouped by label, labels ascending; a label's colour depends on its value only. */
export function embeddingClusters(answer: EmbeddingsAnswer, settings: EmbeddingSettings = {}): Cluster[] {
  const colorBy = settings.colorBy ?? 'sum';
  const groups = new Map<number, Cluster['points']>();
  for (const pt of answer.points) {
    const label = colorBy === 'sum' ? pt.label : ((pt.label % answer.p) + answer.p) % answer.p;
    let g = groups.get(label);
    if (!g) groups.set(label, (g = []));
    g.push({ x: pt.x, y: pt.y, tokens: pt.tokens });
  }
  return [...groups.keys()]
    .sort((a, b) => a - b)
    .map((label) => ({ label, name: clusterName(label, colorBy, answer.p), color: categoricalColor(label), points: groups.get(label) ?? [] }));
}

function spaced(tokens: string, k: number): string {
  return tokens.length > k ? `${tokens.slice(0, k)} ${tokens.slice(k)}` : tokens;
}

export function embeddingsOption(answer: EmbeddingsAnswer, settings: EmbeddingSettings = {}): EChartsOption {
  const clusters = embeddingClusters(answer, settings);
  const [xName, yName] = embeddingAxisNames(answer);
  const n = answer.points.length;
  const size = n > 1500 ? 5 : n > 300 ? 7 : 9;
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        const v = item?.value;
        if (!Array.isArray(v)) return '';
        const [x, y, tokens] = v as [number, number, string];
        return `tokens ${spaced(String(tokens), answer.k)}<br/>${item.seriesName}<br/>(${x.toPrecision(4)}, ${y.toPrecision(4)})`;
      },
    },
    legend: { type: 'scroll', orient: 'vertical', right: 8, top: 40, bottom: 20, data: clusters.map((c) => c.name) },
    grid: { left: 70, right: 140, top: 50, bottom: 56 },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 30, scale: true, boundaryGap: ['4%', '4%'], axisLine: { onZero: false }, splitLine: { lineStyle: { color: '#eef0f3' } } },
    yAxis: { type: 'value', name: yName, nameLocation: 'middle', nameGap: 50, scale: true, boundaryGap: ['4%', '4%'], axisLine: { onZero: false }, splitLine: { lineStyle: { color: '#eef0f3' } } },
    series: clusters.map((c) => ({
      type: 'scatter' as const,
      name: c.name,
      data: c.points.map((pt) => [pt.x, pt.y, pt.tokens]),
      symbolSize: size,
      itemStyle: { color: c.color, opacity: 0.75, borderColor: '#fff', borderWidth: 0.5 },
      emphasis: { focus: 'series' as const },
      large: false,
    })),
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

/** The plotted points: x, y, label (sum of the first k tokens), tokens. */
export function embeddingsCsv(answer: EmbeddingsAnswer): string {
  const [xName, yName] = embeddingAxisNames(answer).map((s) => s.replace(/ \(.*\)$/, ''));
  return toCsv([xName, yName, `sum_first_${answer.k}`, `sum_mod_${answer.p}`, 'tokens'], answer.points.map((pt) => [pt.x, pt.y, pt.label, pt.label % answer.p, pt.tokens]));
}
