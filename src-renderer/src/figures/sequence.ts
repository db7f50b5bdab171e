/** The sequence editor's rules (pure): token parsing, random sequences, short labels. */

/** The token typed in a box, or null unless it is an integer in 0..V-1. */
export function parseToken(text: string, V: number): number | null {
  const s = text.trim();
  if (!/^\d+$/.test(s)) return null;
  const v = Number(s);
  return Number.isInteger(v) && v >= 0 && v < V ? v : null;
}

/** T uniform tokens in 0..p-1. */
export function randomSequence(T: number, p: number, random: () => number = Math.random): number[] {
  return Array.from({ length: T }, () => Math.min(p - 1, Math.floor(random() * p)));
}

/** "10110 0100000": the summed prefix, a space, the rest (a space between tokens when V > 10). */
export function sequenceLabel(tokens: number[], k: number): string {
  const sep = tokens.some((t) => t > 9) ? ' ' : '';
  return `${tokens.slice(0, k).join(sep)} ${tokens.slice(k).join(sep)}`.trim();
}

/** The sequence's target: the sum of the first k tokens mod p. */
export function targetOf(tokens: number[], k: number, p: number): number {
  return tokens.slice(0, k).reduce((a, x) => a + x, 0) % p;
}

/** A sequence of length T with tokens in 0..V-1 (cut, padded with zeros, clamped). */
export function fitSequence(tokens: number[] | undefined, T: number, V: number): number[] {
  return Array.from({ length: T }, (_, t) => Math.min(V - 1, Math.max(0, Math.trunc(tokens?.[t] ?? 0))));
}

/**
 * The sequence to show when the views move to data of another modulus p: a sample of the old
 * data becomes the same sample of the new (the engine gives both); a sequence with a token ≥ p
 * becomes the new data's first sample; any other is kept.
 */
export function followModulus(seq: number[], before: number[][], after: number[][], p: number): number[] {
  const i = before.findIndex((s) => s.length === seq.length && s.every((x, t) => x === seq[t]));
  if (i >= 0 && after[i]) return after[i].slice();
  return seq.some((x) => x >= p) && after[0] ? after[0].slice() : seq;
}
