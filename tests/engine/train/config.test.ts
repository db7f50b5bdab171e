/** Training configurations: the fig4 preset, the MLP learning-rate discount and its validation. */
import { describe, expect, it } from 'vitest';
import { ConfigError, applyOverride, learningRateScales, presetConfig, totalSteps, validateConfig } from '../../../src-main/engine/train/config.js';
import { paramLayout } from '../../../src-main/engine/model/config.js';

describe('the MLP learning-rate discount', () => {
  const names = paramLayout(presetConfig('fig4').model).params.map((p) => p.name);

  it('divides the learning rate of the MLP parameters only', () => {
    const ph = { ...presetConfig('fig5-curriculum').phases[1], mlpLrDiscount: 4 };
    const scales = learningRateScales(names, ph)!;
    expect(scales).toHaveLength(names.length);
    names.forEach((n, i) => expect(scales[i]).toBe(n.startsWith('mlp.') ? 0.25 : 1));
    expect(names.filter((n) => n.startsWith('mlp.'))).toEqual(['mlp.fc1.kernel', 'mlp.fc1.bias', 'mlp.fc2.kernel', 'mlp.fc2.bias']);
    // absent (older runs) or 1: one group, as before
    expect(learningRateScales(names, presetConfig('fig5-curriculum').phases[1])).toBeNull();
    expect(learningRateScales(names, { ...ph, mlpLrDiscount: 1 })).toBeNull();
  });

  it('can be set with an override on a preset that does not name it', () => {
    const c = presetConfig('fig5-curriculum');
    expect('mlpLrDiscount' in c.phases[1]).toBe(false);
    applyOverride(c, 'phases.1.mlpLrDiscount=10');
    expect(c.phases[1].mlpLrDiscount).toBe(10);
    expect(() => validateConfig(c)).not.toThrow();
    expect(() => applyOverride(c, 'phases.1.mlpLrDiscount=fast')).toThrow(/takes a number/);
    expect(() => applyOverride(c, 'phases.1.mlpDiscount=10')).toThrow(/unknown setting 'phases.1.mlpDiscount'/);
  });

  it.each([0, -2, Number.NaN, Number.POSITIVE_INFINITY])('rejects a discount of %s with a sentence', (bad) => {
    const c = presetConfig('fig4');
    c.phases[1].mlpLrDiscount = bad;
    expect(() => validateConfig(c)).toThrow(ConfigError);
    expect(() => validateConfig(c)).toThrow(/phase 2 \(p4\): mlpLrDiscount divides the MLP's learning rate and must be a positive number/);
  });
});

describe('the fig4 preset', () => {
  it("is the authors' visualization setup: d = 2, h = 4d, a table for the finetuning vocabulary, 1,000 epochs of minibatches of 32 per phase", () => {
    const c = presetConfig('fig4');
    expect(() => validateConfig(c)).not.toThrow();
    expect(c.model).toMatchObject({ d: 2, h: 8, V: 4, T: 12, tiedUnembedding: true, mlpBias: true, residual: 'raw' });
    expect(c.task).toMatchObject({ T: 12, k: 5, nTrain: 2048 });
    const epochSteps = c.task.nTrain / 32;
    expect(c.phases.map((ph) => [ph.p, ph.batchSize, ph.lr, ph.steps / epochSteps, ph.restartOptimizer])).toEqual([
      [2, 32, 3e-3, 1000, false],
      [4, 32, 3e-3, 1000, true],
    ]);
    expect(totalSteps(c)).toBe(128_000);
  });
});
