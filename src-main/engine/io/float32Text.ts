/**
 * Numbers as CSV text. The model computes in float32, so a loss such as Math.fround(0.01) printed
 * with JavaScript's String() shows float64 digits that were never there (0.009999999776482582);
 * float32Text prints the shortest decimal that reads back as the same float32 (0.01), which is what
 * numpy's float32 and pandas then hold. Pure: no Node or browser APIs, so the renderer uses it too.
 */

/** The shortest decimal whose float32 is Math.fround(x); NaN and ±Infinity as String() writes them. */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const f = Math.fround(x);
  if (f === 0) return '0';
  // 9 significant digits always identify a float32; the first precision that does is the shortest
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(Number(f.toPrecision(9)));
}
