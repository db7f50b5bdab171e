/**
 * The statistics a sweep reports: how sure a success rate is (Wilson's interval, which stays
 * inside [0, 1] and behaves at 0/n and n/n where the normal approximation does not), and whether
 * two schedules differ (Fisher's exact test, exact for the small counts seeds give).
 */

/** The 0.975 quantile of the standard normal: a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/** Wilson score interval for `successes` out of `n` trials; [0, 1] when there are no trials. */
export function wilsonInterval(successes: number, n: number, z = Z95): [number, number] {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`a success count needs integers 0 ≤ successes ≤ n, got ${successes} of ${n}`);
  }
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0/n and n/n one end is exactly 0 or 1; rounding must not push it past.
  return [successes === 0 ? 0 : Math.max(0, centre - half), successes === n ? 1 : Math.min(1, centre + half)];
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) logFactorials.push(logFactorials[k - 1] + Math.log(k));
  return logFactorials[n];
}

/**
 * Two-sided Fisher exact test of the 2×2 table [[a, b], [c, d]] (rows: groups; columns: success,
 * failure): the probability, with the margins fixed, of a table at most as likely as this one.
 * Same convention as scipy.stats.fisher_exact (tables within a relative 1e-7 count as equal).
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  for (const x of [a, b, c, d]) if (!Number.isInteger(x) || x < 0) throw new RangeError(`a 2×2 table needs non-negative integer counts, got [[${a}, ${b}], [${c}, ${d}]]`);
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const n = row1 + row2;
  if (row1 === 0 || row2 === 0 || col1 === 0 || col1 === n) return 1;
  const logP = (x: number) =>
    logFactorial(row1) + logFactorial(row2) + logFactorial(col1) + logFactorial(n - col1) -
    logFactorial(n) - logFactorial(x) - logFactorial(row1 - x) - logFactorial(col1 - x) - logFactorial(row2 - col1 + x);
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, col1 - row2); x <= Math.min(row1, col1); x++) {
    const lp = logP(x);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** The median of the finite values (NaN when there are none). */
export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
