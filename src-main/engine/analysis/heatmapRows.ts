/**
 * Which snapshots an attention-over-training heatmap draws, shared by the engine (which computes
 * only those for the app) and the figure: each snapshot's stretch of the step axis, and for a long
 * run about one row per pixel row. No imports: the renderer uses the same functions.
 */

/**
 * Where each row lies on the step axis: from halfway to the previous snapshot to halfway to the
 * next, the first row starting at its step and the last ending at its step, so that the axis runs
 * exactly from the first to the last step and a row's height is proportional to the steps it stands
 * for. A single row spans one step around its own.
 */
export function rowSpans(steps: number[]): [number, number][] {
  const n = steps.length;
  if (n === 1) return [[steps[0] - 0.5, steps[0] + 0.5]];
  return steps.map((s, i) => [i === 0 ? s : (steps[i - 1] + s) / 2, i === n - 1 ? s : (s + steps[i + 1]) / 2]);
}

/**
 * The most rows a heatmap draws: more than the tallest plot has pixel rows. A long run has
 * 10,001 snapshots, and ECharts draws each cell as its own rectangle (120,000 of them took
 * seconds); the CSV keeps every snapshot.
 */
export const HEATMAP_DRAWN_ROWS = 600;

/**
 * The rows drawn, with the stretch of the step axis each covers: every row when they fit, else
 * per band of (bottom − top) / maxRows steps the last snapshot in it (the one a canvas would paint
 * over the others), stretched over the band's rows so that the drawn rows tile the axis.
 */
export function drawnRows(spans: [number, number][], maxRows = HEATMAP_DRAWN_ROWS): { row: number; from: number; to: number }[] {
  if (spans.length <= maxRows) return spans.map(([from, to], row) => ({ row, from, to }));
  const top = spans[0][0];
  const band = (spans[spans.length - 1][1] - top) / maxRows;
  const bandOf = (r: number) => Math.min(maxRows - 1, Math.floor((spans[r][0] - top) / band));
  const out: { row: number; from: number; to: number }[] = [];
  for (let first = 0; first < spans.length; ) {
    let last = first;
    while (last + 1 < spans.length && bandOf(last + 1) === bandOf(first)) last++;
    out.push({ row: last, from: spans[first][0], to: spans[last][1] });
    first = last + 1;
  }
  return out;
}
