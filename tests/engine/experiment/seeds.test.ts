/** Seed lists are counted before they are listed: a huge range is a sentence, not an aborted process. */
import { describe, expect, it } from 'vitest';
import { parseSeeds } from '../../../src-main/engine/experiment/experiment.js';
import { countSeeds, validate } from '../../../src-main/api/contract.js';

describe('seed lists', () => {
  it('parses ranges and lists', () => {
    expect(parseSeeds('0-4')).toEqual([0, 1, 2, 3, 4]);
    expect(parseSeeds('0,2, 5')).toEqual([0, 2, 5]);
    expect(parseSeeds('3,1-3')).toEqual([3, 1, 2]);
    expect(countSeeds('0-4,7')).toEqual({ count: 6, largest: 7 });
  });

  it('refuses ten billion seeds, or one seed past 1e9, with a sentence and without listing them', () => {
    expect(() => parseSeeds('0-10000000000')).toThrow(/asks for more than 1000 seeds; an experiment runs at most 1000/);
    expect(() => parseSeeds('1e20')).toThrow(/cannot read seeds/);
    expect(() => parseSeeds('99999999999')).toThrow(/the seed 99999999999 is too large; seeds go up to 1000000000/);
    expect(() => parseSeeds('0-999,1000')).toThrow(/more than 1000 seeds/);
    expect(parseSeeds('0-999')).toHaveLength(1000);
    expect(countSeeds('0-10000000000')).toEqual({ count: 10000000001, largest: 10000000000 });
    expect(() => validate('experiment.start', { experiment: 'fig5', seeds: '0-10000000000' })).toThrow(/'seeds' asks for 10000000001 seeds/);
    expect(() => validate('experiment.start', { experiment: 'fig5', seeds: '4-2' })).toThrow(/'seeds' must be a range/);
  });
});
