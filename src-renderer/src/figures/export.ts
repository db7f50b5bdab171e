/**
 * Figure export: PNG from the live chart, SVG by rendering the same option with ECharts' SVG
 * renderer (server-side mode, which also works in plain Node for tests), CSV of the plotted data.
 */
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';

/** The option as a standalone SVG document (no animation), width × height pixels. */
export function svgOf(option: EChartsOption, width = 900, height = 560): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false, backgroundColor: '#ffffff' });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** CSV text: the engine's one writer (a pure module, numbers as the shortest decimal of their float32; p-values with their exponent). */
export { pValueCell, toCsv } from '../../../src-main/engine/io/csv.js';

/** A file name from a figure title. */
export function fileStem(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'figure';
}
