/**
 * UMAP's fuzzy simplicial set as umap-learn defines it: σ solves Σ exp(−(d − ρ)/σ) = log2 k, the
 * graph is the fuzzy union A + Aᵀ − A∘Aᵀ (symmetric, weights in (0, 1]), and each edge is sampled
 * in proportion to its weight.
 */
import { describe, expect, it } from 'vitest';
import { nearestNeighbours } from '../../../src-main/engine/analysis/knn.js';
import { fuzzyGraph, smoothKnnDist } from '../../../src-main/engine/analysis/umap-graph.js';
import { Rng } from '../../../src-main/engine/task/rng.js';

describe('UMAP graph', () => {
  it('finds ρ (nearest distance) and σ with Σ exp(−(d − ρ)/σ) = log2 k over the k − 1 others and the point', () => {
    const rng = new Rng(11);
    const n = 50;
    const others = 9;
    const dist = new Float64Array(n * others);
    for (let i = 0; i < n; i++) {
      let d = 0.1 + rng.uniform();
      for (let t = 0; t < others; t++) dist[i * others + t] = d += rng.uniform();
    }
    const { sigma, rho } = smoothKnnDist(dist, n, others);
    for (let i = 0; i < n; i++) {
      expect(rho[i]).toBe(dist[i * others]);
      let sum = 0;
      for (let t = 0; t < others; t++) sum += Math.exp(-Math.max(0, dist[i * others + t] - rho[i]) / sigma[i]);
      expect(sum).toBeCloseTo(Math.log2(others + 1), 4);
    }
  });

  it('is the symmetric fuzzy union, pruned below max / epochs, each edge sampled in proportion to its weight', async () => {
    const rng = new Rng(12);
    const n = 120;
    const dim = 5;
    const points = Float64Array.from({ length: n * dim }, () => rng.normal());
    const knn = await nearestNeighbours(points, n, dim, 14);
    const epochs = 200;
    const g = fuzzyGraph(knn, n, epochs);
    const weight = new Map<string, number>();
    g.head.forEach((j, e) => weight.set(`${g.tail[e]},${j}`, 1 / g.epochsPerSample[e]));
    // symmetric, the strongest edge sampled every epoch, none rarer than once in `epochs`
    for (const [key, w] of weight) {
      const [i, j] = key.split(',').map(Number);
      expect(i).not.toBe(j);
      expect(weight.get(`${j},${i}`)).toBeCloseTo(w, 12);
    }
    expect(Math.min(...g.epochsPerSample)).toBe(1);
    expect(Math.max(...g.epochsPerSample)).toBeLessThanOrEqual(epochs);
    // the fuzzy union of one pair by hand: a = exp(−(d − ρ_i)/σ_i) for i → j, b for j → i, a + b − ab
    const { sigma, rho } = smoothKnnDist(Float64Array.from(knn.sqDist, Math.sqrt), n, knn.k);
    const i = 0;
    const j = knn.index[3]; // the 4th neighbour of point 0
    const strength = (from: number, to: number): number => {
      for (let t = 0; t < knn.k; t++) {
        if (knn.index[from * knn.k + t] === to) {
          const d = Math.sqrt(knn.sqDist[from * knn.k + t]) - rho[from];
          return d <= 0 ? 1 : Math.exp(-d / sigma[from]);
        }
      }
      return 0;
    };
    const a = strength(i, j);
    const b = strength(j, i);
    let max = 0;
    for (const e of g.epochsPerSample) max = Math.max(max, 1 / e);
    // epochs per sample are max weight / weight, and the largest weight of a union is 1 here
    expect(weight.get(`${i},${j}`)! / max).toBeCloseTo(a + b - a * b, 10);
  });
});
