/**
 * Legends that wrap onto as many rows as they need, never a paged (scrolling) legend: an exported
 * PNG or SVG shows every entry. Pure: the names in, the legend and the room it takes out.
 */
import type { LegendComponentOption } from 'echarts';

const ITEM_PX = 38; // symbol, gaps and padding of one entry
const CHAR_PX = 6.6; // average width of a 12 px character
const ROW_PX = 22;

/** Rows a wrapped legend of these names takes in a chart `width` pixels wide (86 % of it used). */
export function legendRows(names: string[], width = 1000): number {
  const avail = width * 0.86;
  let rows = 1;
  let x = 0;
  for (const n of names) {
    const w = ITEM_PX + n.length * CHAR_PX;
    if (x > 0 && x + w > avail) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return names.length ? rows : 0;
}

/** A horizontal legend under the title that wraps, and the top of the plot below it. */
export function wrappedLegend(names: string[], top = 28, width = 1000): { legend: LegendComponentOption; gridTop: number } {
  return {
    legend: { type: 'plain', data: names, top, left: 'center', width: '86%', itemGap: 10 },
    gridTop: top + legendRows(names, width) * ROW_PX + 20,
  };
}
