/**
 * SVG export: the figure's option rendered with ECharts' SVG renderer (server-side mode, which also
 * works in plain Node for tests).
 */
import type { EChartsOption } from 'echarts';
import { echarts } from './echarts.js';

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
