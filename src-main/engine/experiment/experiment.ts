/**
 * Named experiments: the paper's claim is about how often each schedule succeeds, which one run
 * cannot show. An experiment is a named sweep (its schedules over seeds, no grid): the CLI's
 * `experiment` and the app's experiment.start run it as one (sweep.ts, localScheduler.ts).
 */
import { ConfigError } from '../train/config.js';

export const EXPERIMENTS: Record<string, { description: string; schedules: { name: string; preset: string }[] }> = {
  fig5: {
    description: 'Fig. 5: scratch (p = 4) against the curriculum (p = 2 → 4), from the same initial weights',
    schedules: [
      { name: 'scratch', preset: 'fig5-scratch' },
      { name: 'curriculum', preset: 'fig5-curriculum' },
    ],
  },
};

/** One run's progress as the CLI's progress bars show it. */
export interface JobProgress {
  run: string;
  step: number;
  totalSteps: number;
  testAcc: number;
  done: boolean;
}

/** The most seeds one experiment runs, and the largest seed (as `train --seed` takes). */
export const MAX_SEEDS = 1_000;
const MAX_SEED = 1e9;

/** Parses "0-4", "0,2,5" or "3" into seeds; counts them before listing them, so 0-10000000000 is a sentence. */
export function parseSeeds(text: string): number[] {
  const ranges: [number, number][] = [];
  let count = 0;
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!range) throw new ConfigError(`cannot read seeds '${text}'; write a range like 0-4 or a list like 0,2,5`);
    const a = Number(range[1]);
    const b = range[2] === undefined ? a : Number(range[2]);
    if (b < a) throw new ConfigError(`the seed range ${part.trim()} is empty`);
    count += b - a + 1;
    if (count > MAX_SEEDS) throw new ConfigError(`'${text.trim()}' asks for more than ${MAX_SEEDS} seeds; an experiment runs at most ${MAX_SEEDS}`);
    if (b > MAX_SEED) throw new ConfigError(`the seed ${b} is too large; seeds go up to ${MAX_SEED}`);
    ranges.push([a, b]);
  }
  const seeds: number[] = [];
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) seeds.push(s);
  return [...new Set(seeds)];
}
