/**
 * The contract's request checks say what is wrong in the call's own words: its bounds (not zod's
 * 2^53 integer bound), a missing field as missing, and the same seed range as `train --seed`.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, MAX_SEED, validate } from '../../src-main/api/contract.js';

function refusal(channel: Parameters<typeof validate>[0], payload: unknown): string {
  try {
    validate(channel, payload);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as Error).message;
  }
  throw new Error(`${channel} accepted ${JSON.stringify(payload)}`);
}

describe('request checks', () => {
  it('name the call’s own bound for numbers past 2^53, and a missing field as missing', () => {
    expect(refusal('train.start', { preset: 'fig5-scratch', seed: 1e20 })).toBe(`train.start: 'seed' must be at most ${MAX_SEED.toLocaleString('en-US')}`);
    expect(refusal('train.start', { preset: 'fig5-scratch', maxSteps: 1e20 })).toBe("train.start: 'maxSteps' must be at most 10,000,000");
    expect(refusal('train.start', { preset: 'fig5-scratch', seed: -1 })).toBe("train.start: 'seed' must be at least 0");
    expect(refusal('train.start', { preset: 'fig5-scratch', seed: 0.5 })).toBe("train.start: 'seed' must be a whole number");
    expect(refusal('analysis.accuracy', { id: 'x', step: 1e20 })).toBe("analysis.accuracy: 'step' is too large");
    expect(refusal('source.open', {})).toBe("source.open: 'path' is missing (it must be a string)");
  });
  it('takes every seed that train --seed takes', () => {
    expect(validate('train.start', { preset: 'fig5-scratch', seed: MAX_SEED }).seed).toBe(MAX_SEED);
    expect(refusal('train.start', { preset: 'fig5-scratch', seed: MAX_SEED + 1 })).toMatch(/'seed' must be at most/);
  });
});
