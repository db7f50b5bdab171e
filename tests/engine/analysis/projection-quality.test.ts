/**
 * The projections keep neighbourhoods: scikit-learn's trustworthiness (Venna & Kaski) of the
 * t-SNE and UMAP layouts of trajectory-like data, and exact nearest neighbours against brute force.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { project } from '../../../src-main/engine/analysis/projection.js';
import { nearestNeighbours } from '../../../src-main/engine/analysis/knn.js';
import { writeNpy } from '../../../src-main/engine/io/npy.js';
import { Rng } from '../../../src-main/engine/task/rng.js';
import { DEBIAN_PYTHON } from '../../helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-quality-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two noisy random-walk trajectories from one start, 300 snapshots × 200 parameters each. */
function trajectories(): { data: Float32Array; n: number; width: number } {
  const rng = new Rng(7);
  const n = 600;
  const width = 200;
  const data = new Float32Array(n * width);
  const drift = [Array.from({ length: width }, () => rng.normal()), Array.from({ length: width }, () => rng.normal())];
  for (let r = 0; r < 2; r++) {
    for (let i = 1; i < 300; i++) {
      const row = (r * 300 + i) * width;
      for (let j = 0; j < width; j++) data[row + j] = data[row - width + j] + 0.05 * drift[r][j] * Math.cos(i / 60) + 0.02 * rng.normal();
    }
  }
  return { data, n, width };
}

function trustworthiness(input: { data: Float32Array; n: number; width: number }, coords: Float64Array, name: string): number {
  writeNpy(join(dir, `${name}-x.npy`), input.data, [input.n, input.width]);
  writeNpy(join(dir, `${name}-y.npy`), Float32Array.from(coords), [input.n, 2]);
  const py = `import numpy as np\nfrom sklearn.manifold import trustworthiness\nprint(trustworthiness(np.load('${dir}/${name}-x.npy'), np.load('${dir}/${name}-y.npy'), n_neighbors=10))`;
  const r = spawnSync(DEBIAN_PYTHON, ['-c', py], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

describe('projections', () => {
  it('t-SNE and UMAP layouts keep the neighbourhoods of the snapshots (trustworthiness ≥ 0.95)', async () => {
    const input = trajectories();
    for (const method of ['tsne', 'umap'] as const) {
      const p = await project(input, { method });
      expect(trustworthiness(input, p.coords, method), method).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('finds the exact nearest neighbours, nearest first', async () => {
    const rng = new Rng(2);
    const n = 500;
    const dim = 50;
    const points = Float64Array.from({ length: n * dim }, () => rng.normal());
    const knn = await nearestNeighbours(points, n, dim, 15);
    for (const i of [0, 17, 499]) {
      const d = Array.from({ length: n }, (_, j) => [j, points.subarray(j * dim, (j + 1) * dim).reduce((s, v, c) => s + (v - points[i * dim + c]) ** 2, 0)] as const).filter(([j]) => j !== i);
      d.sort((a, b) => a[1] - b[1]);
      expect(Array.from(knn.index.subarray(i * 15, (i + 1) * 15))).toEqual(d.slice(0, 15).map(([j]) => j));
      knn.sqDist.subarray(i * 15, (i + 1) * 15).forEach((v, t) => expect(v).toBeCloseTo(d[t][1], 9));
    }
  });
});
