/**
 * A curriculum's datasets for one modulus from those of another. Tokens are floor(u·p) of one
 * table of uniforms (data.ts), so when q divides p, floor(x·q/p) of a p-token x is the q-token of
 * the same uniform: the p = 2 data are the p = 4 data halved, token for token.
 */
import { makeDataset, type Dataset } from './data.js';

/** Whether data of modulus `to` can be derived from data of modulus `from`. */
export function derivable(from: number, to: number): boolean {
  return Number.isInteger(from) && Number.isInteger(to) && to >= 2 && to <= from && from % to === 0;
}

/** p-tokens as q-tokens (q divides p). */
export function reduceTokens(tokens: ArrayLike<number>, from: number, to: number): Int32Array {
  if (!derivable(from, to)) throw new RangeError(`data for p = ${to} cannot be derived from data for p = ${from}; ${to} must divide ${from}`);
  const out = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) out[i] = Math.floor((tokens[i] * to) / from);
  return out;
}

/** A dataset of modulus p as the dataset of modulus q (q divides p), targets recomputed. */
export function reduceDataset(ds: Dataset, k: number, to: number): Dataset {
  return to === ds.p ? ds : makeDataset(reduceTokens(ds.tokens, ds.p, to), ds.T, k, to);
}
