/**
 * The model against an independent float64 implementation written straight from docs/design.md §1
 * (per-token, no pair table, W_V before pooling), and the whole model's gradient against central
 * finite differences of that implementation, on every training backend (the one-graph ONNX step
 * and tfjs wasm).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend.js';
import { PAPER_MODEL, initParams, paramLayout, type ModelConfig, type ParamLayout } from '../../../src-main/engine/model/config.js';
import { modelOutputs, TRAINING_BACKENDS, type TrainingBackend } from '../../model-backends.js';
import { Rng } from '../../../src-main/engine/task/rng.js';
import { targetsFor } from '../../../src-main/engine/task/data.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Reads parameter `name` as a float64 matrix accessor. */
function view(flat: Float64Array, layout: ParamLayout, name: string) {
  const p = layout.params.find((q) => q.name === name)!;
  const cols = p.shape[1] ?? 1;
  return (i: number, j = 0) => flat[p.offset + i * cols + j];
}

function rms(z: number[]): number[] {
  const norm = Math.sqrt(z.reduce((a, x) => a + x * x, 0) / z.length) + 1e-5;
  return z.map((x) => x / norm);
}

const erf = (x: number): number => {
  // Abramowitz–Stegun 7.1.26 is too coarse; use a series / continued fraction accurate to ~1e-15.
  const t = Math.abs(x);
  if (t < 3) {
    let sum = t, term = t;
    for (let n = 1; n < 200; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
};
const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

function referenceLogits(flat: Float64Array, c: ModelConfig, tokens: Int32Array): { logits: number[][]; attention: number[][] } {
  const L = paramLayout(c);
  const E = view(flat, L, 'token_embedding');
  const P = view(flat, L, 'position_embedding');
  const q = view(flat, L, 'attention.query');
  const Wv = view(flat, L, 'attention.value');
  const W1 = view(flat, L, 'mlp.fc1.kernel');
  const W2 = view(flat, L, 'mlp.fc2.kernel');
  const b1 = c.mlpBias ? view(flat, L, 'mlp.fc1.bias') : () => 0;
  const b2 = c.mlpBias ? view(flat, L, 'mlp.fc2.bias') : () => 0;
  const U = c.tiedUnembedding ? (i: number, v: number) => E(v, i) : view(flat, L, 'unembedding');
  const n = tokens.length / c.T;
  const logits: number[][] = [];
  const attention: number[][] = [];
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  for (let s = 0; s < n; s++) {
    const zn = range(c.T).map((t) => rms(range(c.d).map((j) => E(tokens[s * c.T + t], j) + P(t, j))));
    const scores = zn.map((z) => z.reduce((a, x, j) => a + x * q(j), 0) / Math.sqrt(c.d));
    const m = Math.max(...scores);
    const ex = scores.map((x) => Math.exp(x - m));
    const a = ex.map((x) => x / ex.reduce((u, v) => u + v, 0));
    // value applied per token, then pooled (the reference's order)
    const values = zn.map((z) => range(c.d).map((o) => z.reduce((acc, x, i) => acc + x * Wv(i, o), 0)));
    const zA = range(c.d).map((o) => values.reduce((acc, v, t) => acc + a[t] * v[o], 0));
    const zAn = rms(zA);
    const hid = range(c.h).map((o) => gelu(zAn.reduce((acc, x, i) => acc + x * W1(i, o), 0) + b1(o)));
    const mlp = range(c.d).map((o) => hid.reduce((acc, x, i) => acc + x * W2(i, o), 0) + b2(o));
    const zO = range(c.d).map((o) => (c.residual === 'raw' ? zA[o] : zAn[o]) + mlp[o]);
    logits.push(range(c.V).map((v) => zO.reduce((acc, x, i) => acc + x * U(i, v), 0)));
    attention.push(a);
  }
  return { logits, attention };
}

function referenceLoss(flat: Float64Array, c: ModelConfig, tokens: Int32Array, targets: Int32Array): number {
  const { logits } = referenceLogits(flat, c, tokens);
  let loss = 0;
  logits.forEach((l, i) => {
    const m = Math.max(...l);
    const lse = m + Math.log(l.reduce((a, x) => a + Math.exp(x - m), 0));
    loss += lse - l[targets[i]];
  });
  return loss / logits.length;
}

function randomData(c: ModelConfig, n: number, p: number, k: number, seed: number) {
  const rng = new Rng(seed);
  const tokens = new Int32Array(n * c.T).map(() => rng.int(p));
  return { tokens, targets: targetsFor(tokens, c.T, k, p) };
}

/** Loss, gradient, logits [n][V] and attention [n][T] on a training backend. */
async function lossAndGrads(backend: TrainingBackend, flat: Float32Array, c: ModelConfig, tokens: Int32Array, targets: Int32Array) {
  const out = await modelOutputs(backend, c, flat, tokens, targets);
  const rows = (a: Float32Array, w: number): number[][] => Array.from({ length: a.length / w }, (_, i) => Array.from(a.subarray(i * w, (i + 1) * w)));
  return { loss: out.loss, grads: Float64Array.from(out.grads), logits: rows(out.logits, c.V), attention: rows(out.attention, c.T) };
}

const VARIANTS: [string, ModelConfig, number][] = [
  ['reference (tied, biases, raw residual)', { V: 3, T: 4, d: 4, h: 8, tiedUnembedding: true, mlpBias: true, residual: 'raw' }, 3],
  ['paper-text variant (untied, no MLP bias, normed residual)', { V: 5, T: 5, d: 6, h: 7, tiedUnembedding: false, mlpBias: false, residual: 'normed' }, 5],
];

describe('the model', () => {
  it('has 9,920 trainable parameters in the paper configuration', () => {
    expect(paramLayout(PAPER_MODEL).total).toBe(9920);
    expect(PAPER_MODEL).toMatchObject({ V: 4, T: 12, d: 32, h: 128 });
  });

  it('initialises as PyTorch does: N(0,1) embeddings, U(±1/√fan_in) elsewhere', () => {
    const c = PAPER_MODEL;
    const flat = initParams(c, 20);
    const layout = paramLayout(c);
    const stats = (name: string) => {
      const p = layout.params.find((q) => q.name === name)!;
      const x = flat.subarray(p.offset, p.offset + p.size);
      const mean = x.reduce((a, v) => a + v, 0) / x.length;
      const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length);
      return { mean, sd, max: Math.max(...x.map(Math.abs)) };
    };
    expect(stats('position_embedding').sd).toBeGreaterThan(0.85);
    expect(stats('position_embedding').sd).toBeLessThan(1.15);
    expect(stats('mlp.fc1.kernel').max).toBeLessThanOrEqual(1 / Math.sqrt(32));
    expect(stats('mlp.fc2.kernel').max).toBeLessThanOrEqual(1 / Math.sqrt(128));
    expect(stats('mlp.fc2.kernel').max).toBeGreaterThan(0.9 / Math.sqrt(128));
    expect(initParams(c, 20)).toEqual(flat);
    expect(initParams(c, 21)).not.toEqual(flat);
  });

  for (const [name, c, p, backend] of VARIANTS.flatMap(([n, c, p]) => TRAINING_BACKENDS.map((b) => [`${n}, on ${b}`, c, p, b] as const))) {
    it(`matches a float64 reference implementation: ${name}`, async () => {
      const flat = initParams(c, 7);
      const { tokens, targets } = randomData(c, 9, p, 2, 3);
      const ref = referenceLogits(Float64Array.from(flat), c, tokens);
      const got = await lossAndGrads(backend, flat, c, tokens, targets);
      const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i][j]))));
      expect(maxDiff(got.logits, ref.logits)).toBeLessThan(1e-5);
      expect(maxDiff(got.attention, ref.attention)).toBeLessThan(1e-6);
      expect(Math.abs(got.loss - referenceLoss(Float64Array.from(flat), c, tokens, targets))).toBeLessThan(1e-5);
    });

    it(`has the gradient of central finite differences: ${name}`, async () => {
      const flat = initParams(c, 11);
      const { tokens, targets } = randomData(c, 8, p, 2, 5);
      const { grads } = await lossAndGrads(backend, flat, c, tokens, targets);
      const x = Float64Array.from(flat);
      const h = 1e-6;
      let worst = 0;
      let worstAt = '';
      const layout = paramLayout(c);
      for (let i = 0; i < x.length; i++) {
        const keep = x[i];
        x[i] = keep + h;
        const up = referenceLoss(x, c, tokens, targets);
        x[i] = keep - h;
        const down = referenceLoss(x, c, tokens, targets);
        x[i] = keep;
        const fd = (up - down) / (2 * h);
        const err = Math.abs(fd - grads[i]) / Math.max(1e-2, Math.abs(fd));
        if (err > worst) {
          worst = err;
          worstAt = `${layout.params.find((q) => i >= q.offset && i < q.offset + q.size)!.name}[${i}] fd=${fd} ${backend}=${grads[i]}`;
        }
      }
      expect(worst, worstAt).toBeLessThan(2e-3);
    });
  }
});
