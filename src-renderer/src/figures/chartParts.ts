/** Pieces of ECharts options that several figures share (pure). */

/** The one item a tooltip formatter is about (ECharts passes one item, or a list for axis tooltips). */
export function firstItem<T>(p: T | T[]): T | undefined {
  return Array.isArray(p) ? p[0] : p;
}

/** A value axis of a 2-D scatter (embeddings, trajectories): fitted to the data, named in the middle. */
export function scatterAxis(name: string, nameGap: number) {
  return { type: 'value' as const, name, nameLocation: 'middle' as const, nameGap, scale: true, boundaryGap: ['4%', '4%'] as [string, string], axisLine: { onZero: false }, splitLine: { lineStyle: { color: '#eef0f3' } } };
}
