/**
 * The one CSV writer of the workbench: metrics.csv, the CLI's analyses, the experiment and sweep
 * summaries, and the figures' CSV export in the renderer. Pure: no Node or browser APIs, so the renderer
 * imports it too.
 */
import { float32Text } from './float32Text.js';

/** A cell: a number, a string, or null for an empty cell. */
export type CsvCell = string | number | null;

/** A CSV cell for a number: integers as they are, other numbers as float32Text. */
export function csvNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : float32Text(x);
}

/**
 * A p-value's cell: four significant digits with its exponent. A p-value is a float64 that may lie
 * far below float32's range (Fisher's test over 1,000 seeds a side), where csvNumber would write 0.
 */
export function pValueCell(p: number | null): string | null {
  return p === null ? null : p.toPrecision(4);
}

/** One cell's text: numbers as csvNumber, strings quoted when they hold a comma, a quote or a line break. */
export function csvCell(x: CsvCell): string {
  if (x === null) return '';
  if (typeof x === 'number') return csvNumber(x);
  return /[",\r\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x;
}

/** One line of CSV, without its line break (for files that grow a row at a time). */
export function csvRow(cells: CsvCell[]): string {
  return cells.map(csvCell).join(',');
}

/** CSV text: the header, then one line per row, ending in a line break. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [csvRow(header), ...rows.map(csvRow)].join('\n') + '\n';
}
