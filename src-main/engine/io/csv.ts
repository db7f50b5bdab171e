/**
 * The one CSV writer of the workbench: the CLI's analyses, the experiment and sweep summaries,
 * and the figures' CSV export in the renderer. Pure: no Node or browser APIs, so the renderer
 * imports it too.
 */
import { float32Text } from './float32Text.js';

/** A cell: a number, a string, or null for an empty cell. */
export type CsvCell = string | number | null;

/** A CSV cell for a number: integers as they are, other numbers as float32Text. */
export function csvNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : float32Text(x);
}

/** One cell's text: numbers as csvNumber, strings quoted when they hold a comma, a quote or a line break. */
export function csvCell(x: CsvCell): string {
  if (x === null) return '';
  if (typeof x === 'number') return csvNumber(x);
  return /[",\r\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x;
}

/** CSV text: the header, then one line per row, ending in a line break. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}
