/**
 * ECharts with only what the figures use (line, scatter, custom and graph series; grid, legend,
 * tooltip, title, visual map, mark lines and points, axis pointer, graphic text; the canvas
 * renderer on screen and the SVG one for export): less to load and evaluate when the first figure
 * of a page is drawn. A figure that needs another part registers it here.
 */
import * as echarts from 'echarts/core';
import { CustomChart, GraphChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  AxisPointerComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  ScatterChart,
  CustomChart,
  GraphChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  TitleComponent,
  VisualMapComponent,
  MarkLineComponent,
  MarkPointComponent,
  AxisPointerComponent,
  GraphicComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export { echarts };
