/** Colours shared by the attention, embedding and trajectory figures (no Vue, no DOM). */

/** Attention grew since the previous snapshot (App.vue's --grow). */
export const GROW = '#d62728';
/** Attention shrank since the previous snapshot (App.vue's --shrink). */
export const SHRINK = '#1f77b4';
/** Unchanged, or no previous snapshot to compare with. */
export const SAME = '#9aa0a6';

/** Twenty well separated categorical colours (Tableau 10, then its lighter companions). */
const CATEGORICAL = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];

/** A stable colour for category `i` (0-based): the table first, then golden-angle hues. */
export function categoricalColor(i: number): string {
  if (i >= 0 && i < CATEGORICAL.length) return CATEGORICAL[i];
  const hue = Math.round((((i * 137.508) % 360) + 360) % 360);
  return `hsl(${hue}, 62%, 46%)`;
}

/**
 * The one colour of the i-th compared run (the order of the workspace's comparison list), in every
 * figure that overlays runs (Curves, Trajectories): the first ten Tableau colours, in order.
 */
export function runColor(i: number): string {
  return categoricalColor(i % 10);
}
