/**
 * The silhouette score (Rousseeuw 1987) of points grouped by integer labels, with Euclidean
 * distances and scikit-learn's conventions: a point alone in its class scores 0, and the score
 * is the mean over all points. It measures how well z_A separates the prefix sums (Fig. 4):
 * near 1 when every sum is a tight cluster far from the others, near 0 or below when they mix.
 */

export interface Silhouette {
  /** mean silhouette over all points; null when undefined (fewer than 2 classes, or every point its own class) */
  score: number | null;
  /** how many distinct labels */
  classes: number;
}

/**
 * Silhouette of `n` points of width `d` (row-major `data`) grouped by `labels`.
 * O(n²·d) time and O(n·classes) memory: 1,024 prefixes of a d = 2 model take a few milliseconds.
 */
export function silhouette(data: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>): Silhouette {
  if (data.length !== n * d) throw new RangeError(`silhouette: ${data.length} values for ${n} points of width ${d}`);
  if (labels.length !== n) throw new RangeError(`silhouette: ${labels.length} labels for ${n} points`);
  const classOf = new Map<number, number>();
  const cls = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = classOf.get(labels[i]);
    if (c === undefined) {
      c = classOf.size;
      classOf.set(labels[i], c);
    }
    cls[i] = c;
  }
  const classes = classOf.size;
  // scikit-learn requires 2 ≤ classes ≤ n − 1
  if (classes < 2 || classes > n - 1) return { score: null, classes };
  const size = new Float64Array(classes);
  for (let i = 0; i < n; i++) size[cls[i]] += 1;
  // sums[i·classes + c]: total distance from point i to the points of class c
  const sums = new Float64Array(n * classes);
  const x = Float64Array.from(data);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = x[i * d + k] - x[j * d + k];
        s += diff * diff;
      }
      const dist = Math.sqrt(s);
      sums[i * classes + cls[j]] += dist;
      sums[j * classes + cls[i]] += dist;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = cls[i];
    if (size[own] <= 1) continue; // a singleton scores 0
    const a = sums[i * classes + own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < classes; c++) if (c !== own) b = Math.min(b, sums[i * classes + c] / size[c]);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return { score: total / n, classes };
}
