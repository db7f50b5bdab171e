/**
 * Figure export without ECharts: CSV of the plotted data and file names. (PNG comes from the live
 * chart, SVG from `svg.ts`, which needs ECharts: views load it only when a figure is drawn.)
 */
/** CSV text: the engine's one writer (a pure module, numbers as the shortest decimal of their float32; p-values with their exponent). */
export { pValueCell, toCsv } from '../../../src-main/engine/io/csv.js';

/** A file name from a figure title. */
export function fileStem(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'figure';
}
