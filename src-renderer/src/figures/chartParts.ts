/** Pieces of ECharts options that several figures share (pure). */
import type { TooltipComponentFormatterCallbackParams } from 'echarts';

/** The one item a tooltip formatter is about (ECharts passes one item, or a list for axis tooltips). */
export function firstItem<T>(p: T | T[]): T | undefined {
  return Array.isArray(p) ? p[0] : p;
}

type TooltipItem = Exclude<TooltipComponentFormatterCallbackParams, unknown[]>;

/**
 * A tooltip on one item at a time, kept inside the chart: `describe` gets the item and its value
 * when that is an array (every figure here plots arrays), else the item's series name is shown.
 */
export function itemTooltip(describe: (item: TooltipItem, value: unknown[]) => string) {
  return {
    trigger: 'item' as const,
    confine: true,
    formatter: (p: TooltipComponentFormatterCallbackParams) => {
      const item = firstItem(p);
      if (!item) return '';
      return Array.isArray(item.value) ? describe(item, item.value) : (item.seriesName ?? '');
    },
  };
}

/** A value axis of a 2-D scatter (embeddings, trajectories): fitted to the data, named in the middle. */
export function scatterAxis(name: string, nameGap: number) {
  return { type: 'value' as const, name, nameLocation: 'middle' as const, nameGap, scale: true, boundaryGap: ['4%', '4%'] as [string, string], axisLine: { onZero: false }, splitLine: { lineStyle: { color: '#eef0f3' } } };
}
