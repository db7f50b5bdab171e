/** How the tables show an accuracy. */

/** An accuracy for a table: "0.993", or "—" when missing. */
export function formatAcc(x: number | null): string {
  return x === null ? '—' : x.toFixed(3);
}
