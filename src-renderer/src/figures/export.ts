/**
 * Figure export: PNG from the live chart, SVG by rendering the same option with ECharts' SVG
 * renderer (server-side mode, which also works in plain Node for tests), CSV of the plotted data.
 */
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { csvNumber } from '../../../src-main/engine/io/float32Text.js';

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

/** CSV text: a header and rows; numbers as the shortest decimal of their float32 (integers as they are), strings quoted when needed. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (x: string | number | null) => (x === null ? '' : typeof x === 'number' ? csvNumber(x) : /[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

/** A file name from a figure title. */
export function fileStem(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'figure';
}
