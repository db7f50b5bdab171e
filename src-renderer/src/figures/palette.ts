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

/** The step cursor's colour, in every figure that marks it. */
export const CURSOR_COLOR = '#ff2d9a';

/** Viridis (sequential, perceptually uniform), five stops: the attention heatmap's scale. */
export const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

/** Viridis at nine stops, for sampling an ordered value. */
const VIRIDIS_9 = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

function hex(rgb: number[]): string {
  return `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`;
}

/** The sequential (viridis) colour of u in [0, 1], interpolated between its stops. */
export function sequentialColor(u: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (VIRIDIS_9.length - 1);
  const i = Math.min(VIRIDIS_9.length - 2, Math.floor(x));
  const [a, b] = [VIRIDIS_9[i], VIRIDIS_9[i + 1]].map((c) => [1, 3, 5].map((j) => parseInt(c.slice(j, j + 2), 16)));
  return hex(a.map((v, j) => v + (b[j] - v) * (x - i)));
}

/**
 * The cyclic colour of residue i of n: n hues evenly around the OKLCH hue circle at one lightness
 * and chroma, so that n − 1 sits next to 0 as it does mod n, and no residue stands out.
 */
export function cyclicColor(i: number, n: number): string {
  const h = ((((i % n) + n) % n) / n) * 2 * Math.PI + 0.5;
  const [L, C] = [0.66, 0.13];
  const a = C * Math.cos(h);
  const b = C * Math.sin(h);
  // OKLab → linear sRGB → sRGB (Björn Ottosson's matrices)
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const lin = [4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s, -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s, -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s];
  return hex(lin.map((c) => 255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.max(c, 0) ** (1 / 2.4) - 0.055)));
}
