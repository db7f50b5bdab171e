import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-main/engine/backend.js';
import { Adam } from '../../../src-main/engine/train/adam.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** PyTorch's Adam, written out by hand in float64. */
function handAdam(theta: number[], gradsPerStep: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const th = [...theta];
  gradsPerStep.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < th.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps;
      th[i] -= (lr / (1 - b1 ** t)) * (m[i] / denom);
    }
  });
  return th;
}

describe('Adam', () => {
  it('takes the step PyTorch takes, by hand, over three steps', () => {
    const theta = [0.5, -1.25, 3, 0];
    const grads = [
      [0.1, -2, 1e-3, 0],
      [-0.3, 0.5, 2e-3, 1e-9],
      [0.2, 4, -1e-3, -5],
    ];
    const x = tf.variable(tf.tensor1d(theta));
    const adam = new Adam([[4]]);
    for (const g of grads) tf.tidy(() => adam.apply([x], [tf.tensor1d(g)], 1e-2));
    const got = Array.from(x.dataSync());
    const want = handAdam(theta, grads, 1e-2);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    // the first step moves every coordinate with a non-zero gradient by about lr
    const first = new Adam([[4]]);
    const y = tf.variable(tf.tensor1d(theta));
    tf.tidy(() => first.apply([y], [tf.tensor1d(grads[0])], 1e-2));
    expect(Math.abs(y.dataSync()[1] - theta[1])).toBeCloseTo(1e-2, 6);
  });

  it('gives each parameter group its own learning rate (the MLP discount)', () => {
    const theta = [0.5, -1.25];
    const grads = [[0.1, -2], [-0.3, 0.5], [0.2, 4]];
    const x = tf.variable(tf.tensor1d([theta[0]]));
    const y = tf.variable(tf.tensor1d([theta[1]]));
    const adam = new Adam([[1], [1]]);
    // y learns at lr / 10, as PyTorch's second group {"params": mlp, "lr": lr / discount}
    for (const g of grads) tf.tidy(() => adam.apply([x, y], [tf.tensor1d([g[0]]), tf.tensor1d([g[1]])], 1e-2, [1, 0.1]));
    expect(x.dataSync()[0]).toBeCloseTo(handAdam([theta[0]], grads.map((g) => [g[0]]), 1e-2)[0], 6);
    expect(y.dataSync()[0]).toBeCloseTo(handAdam([theta[1]], grads.map((g) => [g[1]]), 1e-3)[0], 6);
    expect(() => tf.tidy(() => adam.apply([x, y], [tf.tensor1d([1]), tf.tensor1d([1])], 1e-2, [1]))).toThrow(/2 parameters/);
  });

  it('restarts fresh and restores saved state exactly', () => {
    const a = new Adam([[2], [1, 2]]);
    const p = [tf.variable(tf.tensor1d([1, 2])), tf.variable(tf.tensor2d([[3, 4]]))];
    tf.tidy(() => a.apply(p, [tf.tensor1d([1, -1]), tf.tensor2d([[0.5, 0.5]])], 1e-3));
    const saved = a.state();
    expect(saved.t).toBe(1);
    expect(Array.from(saved.m)).toEqual([0.1, -0.1, 0.05, 0.05].map(Math.fround));
    const b = new Adam([[2], [1, 2]]);
    b.load(saved);
    expect(b.state()).toEqual(saved);
    a.reset();
    expect(a.t).toBe(0);
    expect(Array.from(a.state().v)).toEqual([0, 0, 0, 0]);
  });
});
