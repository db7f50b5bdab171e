/**
 * Fig. 7: the parameter trajectories of several runs projected to 2-D (PCA, t-SNE or UMAP), each
 * run a line through its snapshots, start / switch / end marked, and every run's point at the
 * cursor step ringed. The cursor is an input, so moving it rebuilds the option, never the
 * projection. Pure.
 */
import type { EChartsOption } from 'echarts';
import type { ProjectionResult } from '../../../src-main/api/contract.js';
import { toCsv } from './export.js';
import { CURSOR_COLOR, runColor } from './palette.js';
import { itemTooltip, scatterAxis } from './chartParts.js';
import { wrappedLegend } from './legend.js';

export type { ProjectionResult };
export type MarkerKind = 'start' | 'switch' | 'end';
export interface TrajectoryPoint {
  run: number;
  step: number;
  x: number;
  y: number;
}

export interface TrajectorySettings {
  /** the cursor step (each run is ringed at its nearest projected step); null for none */
  cursor: number | null;
}

export const MARKER_SYMBOL: Record<MarkerKind, string> = { start: 'circle', switch: 'diamond', end: 'triangle' };
export { CURSOR_COLOR };
const METHOD_NAME: Record<ProjectionResult['method'], string> = { pca: 'PC', tsne: 't-SNE', umap: 'UMAP' };

export function trajectoryAxisNames(result: Pick<ProjectionResult, 'method' | 'explainedVariance'>): [string, string] {
  const base = METHOD_NAME[result.method];
  if (result.method !== 'pca') return [`${base} 1`, `${base} 2`];
  const ev = result.explainedVariance ?? [];
  const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : ` (${(100 * x).toFixed(1)}% of variance)`);
  return [`${base} 1${pct(ev[0])}`, `${base} 2${pct(ev[1])}`];
}

/** Legend names of the runs, made unique (two runs may share a label). */
export function runNames(result: ProjectionResult): string[] {
  const seen = new Map<string, number>();
  return result.runs.map((r) => {
    const c = (seen.get(r.label) ?? 0) + 1;
    seen.set(r.label, c);
    return c === 1 ? r.label : `${r.label} (${c})`;
  });
}

function pointsByRun(result: ProjectionResult): TrajectoryPoint[][] {
  const by: TrajectoryPoint[][] = result.runs.map(() => []);
  for (const pt of result.points) by[pt.run]?.push(pt);
  return by;
}

/** Each run's point nearest to `cursor` (ties to the earlier step). */
export function cursorPoints(result: ProjectionResult, cursor: number): TrajectoryPoint[] {
  const out: TrajectoryPoint[] = [];
  for (const pts of pointsByRun(result)) {
    let best: TrajectoryPoint | null = null;
    for (const pt of pts) if (!best || Math.abs(pt.step - cursor) < Math.abs(best.step - cursor)) best = pt;
    if (best) out.push(best);
  }
  return out;
}

/** The point a marker refers to (by its global index, checked; else by run and step). */
export function markerPoint(result: ProjectionResult, run: number, marker: { step: number; index: number }): TrajectoryPoint | null {
  const at = result.points[marker.index];
  if (at && at.run === run && at.step === marker.step) return at;
  return result.points.find((pt) => pt.run === run && pt.step === marker.step) ?? null;
}

/** The step of a clicked point: every series carries [x, y, step]. */
export function trajectoryClickStep(value: unknown): number | null {
  if (!Array.isArray(value) || typeof value[2] !== 'number' || !Number.isFinite(value[2])) return null;
  return value[2];
}

export function markerName(kind: MarkerKind): string {
  return kind;
}

export function trajectoriesOption(result: ProjectionResult, settings: TrajectorySettings): EChartsOption {
  const names = runNames(result);
  const byRun = pointsByRun(result);
  const [xName, yName] = trajectoryAxisNames(result);
  const kinds: MarkerKind[] = ['start', 'switch', 'end'];
  const present = kinds.filter((k) => result.runs.some((r) => r.markers.some((m) => m.kind === k)));
  const cursor = settings.cursor === null ? [] : cursorPoints(result, settings.cursor);
  const cursorName = settings.cursor === null ? 'cursor' : `cursor: step ${settings.cursor}`;

  const runSeries = result.runs.map((_, r) => ({
    type: 'line' as const,
    name: names[r],
    data: byRun[r].map((pt) => [pt.x, pt.y, pt.step]),
    showSymbol: true,
    showAllSymbol: true,
    symbol: 'circle',
    symbolSize: 3,
    itemStyle: { color: runColor(r) },
    lineStyle: { color: runColor(r), width: 1.4, opacity: 0.85 },
    emphasis: { focus: 'series' as const },
    z: 2,
  }));
  const markerSeries = present.map((kind) => ({
    type: 'scatter' as const,
    name: markerName(kind),
    symbol: MARKER_SYMBOL[kind],
    symbolSize: kind === 'switch' ? 18 : 15,
    itemStyle: { color: '#444', borderColor: '#111', borderWidth: 1.5 },
    data: result.runs.flatMap((run, r) =>
      run.markers
        .filter((m) => m.kind === kind)
        .map((m) => {
          const pt = markerPoint(result, r, m);
          return pt ? { value: [pt.x, pt.y, pt.step], name: names[r], itemStyle: { color: runColor(r), borderColor: '#111', borderWidth: 1.5 } } : null;
        })
        .filter((d): d is NonNullable<typeof d> => d !== null),
    ),
    label: { show: true, position: 'right' as const, formatter: kind === 'switch' ? (p: { value?: unknown }) => `switch (step ${Array.isArray(p.value) ? p.value[2] : ''})` : kind, fontSize: 11, color: '#1d2430' },
    z: 5,
  }));
  const cursorSeries = {
    type: 'scatter' as const,
    name: cursorName,
    symbol: 'circle',
    symbolSize: 22,
    data: cursor.map((pt) => ({ value: [pt.x, pt.y, pt.step], name: names[pt.run] })),
    itemStyle: { color: 'rgba(255,45,154,0.12)', borderColor: CURSOR_COLOR, borderWidth: 3 },
    label: { show: true, position: 'top' as const, formatter: (p: { value?: unknown }) => `step ${Array.isArray(p.value) ? p.value[2] : ''}`, color: CURSOR_COLOR, fontWeight: 'bold' as const, fontSize: 11 },
    z: 10,
  };

  const wrapped = wrappedLegend([...names, ...present.map(markerName), ...(cursor.length ? [cursorName] : [])], 30);
  return {
    animation: false,
    tooltip: itemTooltip((item, v) => {
      const run = item.seriesType === 'line' ? item.seriesName : item.name;
      const what = item.seriesType === 'line' ? '' : `${item.seriesName === cursorName ? 'cursor' : item.seriesName} · `;
      return `${what}${run}<br/>step ${v[2]}<br/>(${Number(v[0]).toPrecision(4)}, ${Number(v[1]).toPrecision(4)})`;
    }),
    legend: wrapped.legend,
    grid: { left: 70, right: 40, top: Math.max(70, wrapped.gridTop), bottom: 56 },
    xAxis: scatterAxis(xName, 30),
    yAxis: scatterAxis(yName, 50),
    series: [...runSeries, ...markerSeries, ...(cursor.length ? [cursorSeries] : [])],
  };
}

/** The plotted points: run, step, x, y, and the marker at that point if any. */
export function trajectoriesCsv(result: ProjectionResult): string {
  const names = runNames(result);
  const [xName, yName] = trajectoryAxisNames(result).map((s) => s.replace(/ \(.*\)$/, ''));
  const marks = new Map<string, string>();
  result.runs.forEach((run, r) => run.markers.forEach((m) => marks.set(`${r}:${m.step}`, m.kind)));
  return toCsv(
    ['run', 'id', 'step', xName, yName, 'marker'],
    result.points.map((pt) => [names[pt.run] ?? String(pt.run), result.runs[pt.run]?.id ?? '', pt.step, pt.x, pt.y, marks.get(`${pt.run}:${pt.step}`) ?? '']),
  );
}

/** Whether a job's result looks like a ProjectionResult (results arrive as unknown). */
export function isProjectionResult(x: unknown): x is ProjectionResult {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Partial<ProjectionResult>;
  return (r.method === 'pca' || r.method === 'tsne' || r.method === 'umap') && Array.isArray(r.runs) && Array.isArray(r.points);
}
