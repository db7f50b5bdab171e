/**
 * t-SNE's input affinities: each row's conditional probabilities have the asked perplexity
 * (entropy log(perplexity) computed directly, −Σ p log p), whatever precision the search starts from.
 */
import { describe, expect, it } from 'vitest';
import { rowAffinities } from '../../../src-main/engine/analysis/tsne.js';
import { Rng } from '../../../src-main/engine/task/rng.js';

describe('rowAffinities', () => {
  it('gives each row the perplexity asked for, from a good or a bad starting precision', () => {
    const rng = new Rng(3);
    const k = 91;
    const perplexity = 30;
    for (const scale of [1e-3, 0.06, 2.3, 500]) {
      // ascending squared distances of one point's k neighbours, at very different scales
      const sqDist = Float64Array.from({ length: k }, () => rng.uniform() * scale).sort();
      for (const start of [1, 1e-6, 1e6]) {
        const p = new Float64Array(k);
        const beta = rowAffinities(sqDist, 0, k, perplexity, p, start);
        expect(beta).toBeGreaterThan(0);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        const entropy = -p.reduce((h, x) => (x > 0 ? h + x * Math.log(x) : h), 0);
        expect(Math.abs(entropy - Math.log(perplexity))).toBeLessThan(1e-4);
        // nearer neighbours are more likely
        for (let u = 1; u < k; u++) expect(p[u]).toBeLessThanOrEqual(p[u - 1]);
      }
    }
  });
});
