/** Option parsers shared by the commands: each rejects a bad value with one sentence. */
import { InvalidArgumentError } from 'commander';

export const int = (name: string) => (v: string): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'.`);
  return Number(v);
};

export const num = (name: string) => (v: string): number => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'.`);
  return x;
};

/** For repeatable options. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A count: a whole number ≥ 1 (a stride of 0 or -1 first sequences mean nothing). */
export const count = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1, got '${v}'.`);
  return Number(v);
};
