/**
 * Parity with the authors' PyTorch model (facebookresearch/pal, softmax_model.py): the same
 * weights and data go through each of our training backends (the one-graph ONNX step on
 * onnxruntime, and TensorFlow.js wasm; float32) and through tests/engine/model/torch_reference.py
 * (Debian's PyTorch, float64), and the logits, attention, z_attn, loss and the gradient of the
 * loss w.r.t. every parameter must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../../../src-main/engine/backend.js';
import { PAPER_MODEL, initParams, paramLayout, type ModelConfig, type ParamLayout } from '../../../src-main/engine/model/config.js';
import { readNpy, writeNpy } from '../../../src-main/engine/io/npy.js';
import { modelOutputs, TRAINING_BACKENDS, type TrainingBackend } from '../../model-backends.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_reference.py');

/** A small seeded generator of the test's own (mulberry32), so the data does not depend on the engine's. */
function makeRng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal() {
      const u1 = 1 - uniform();
      const u2 = uniform();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
}

/** n random sequences over {0..p-1}; the target is the sum of the first 5 tokens mod p. */
function makeData(n: number, T: number, p: number, seed: number): { tokens: Int32Array; targets: Int32Array } {
  const rng = makeRng(seed);
  const tokens = new Int32Array(n * T);
  const targets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const v = Math.floor(rng.uniform() * p);
      tokens[i * T + t] = v;
      if (t < 5) sum += v;
    }
    targets[i] = sum % p;
  }
  return { tokens, targets };
}

function perturbed(flat: Float32Array, scale: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return flat.map((v) => v + scale * rng.normal());
}

interface Case {
  name: string;
  c: ModelConfig;
  layout: ParamLayout;
  flat: Float32Array;
  tokens: Int32Array;
  targets: Int32Array;
  dir: string;
}

interface Outputs {
  logits: ArrayLike<number>;
  attention: ArrayLike<number>;
  zAttn: ArrayLike<number>;
  loss: number;
  grads: ArrayLike<number>;
}

const VARIANT: ModelConfig = { V: 5, T: 6, d: 8, h: 16, tiedUnembedding: false, mlpBias: false, residual: 'normed' };

const SPECS: { name: string; c: ModelConfig; flat: (c: ModelConfig) => Float32Array; p: number; seed: number }[] = [
  // 1. the paper's model at the PyTorch-default initialisation
  { name: 'paper model at init', c: PAPER_MODEL, flat: (c) => initParams(c, 20), p: 4, seed: 1 },
  // 2. every switch flipped; initParams draws every tensor (the unembedding too) at random, and the
  //    perturbation keeps the untied unembedding far from anything structured
  { name: 'variant (untied, no bias, normed residual)', c: VARIANT, flat: (c) => perturbed(initParams(c, 7), 0.3, 70), p: 5, seed: 2 },
  // 3. trained-ish points: every parameter moved by 0.5·N(0, 1)
  { name: 'paper model, perturbed (trained-ish)', c: PAPER_MODEL, flat: (c) => perturbed(initParams(c, 20), 0.5, 200), p: 4, seed: 3 },
  { name: 'variant, perturbed (trained-ish)', c: VARIANT, flat: (c) => perturbed(initParams(c, 7), 0.5, 700), p: 5, seed: 4 },
];

function defineCases(root: string): Case[] {
  return SPECS.map((s, i) => {
    const { tokens, targets } = makeData(300, s.c.T, s.p, s.seed);
    return { name: s.name, c: s.c, layout: paramLayout(s.c), flat: s.flat(s.c), tokens, targets, dir: path.join(root, `case${i}`) };
  });
}

function writeCase(k: Case): void {
  mkdirSync(k.dir, { recursive: true });
  writeNpy(path.join(k.dir, 'params.npy'), k.flat, [k.flat.length]);
  writeNpy(path.join(k.dir, 'tokens.npy'), k.tokens, [k.targets.length, k.c.T]);
  writeNpy(path.join(k.dir, 'targets.npy'), k.targets, [k.targets.length]);
  const params = k.layout.params.map(({ name, shape, offset, size }) => ({ name, shape, offset, size }));
  writeFileSync(path.join(k.dir, 'config.json'), JSON.stringify({ ...k.c, params }));
}

function readCase(k: Case): Outputs {
  const get = (file: string, shape: number[]): ArrayLike<number> => {
    const a = readNpy(path.join(k.dir, file));
    expect(a.shape, `${file} from the reference`).toEqual(shape);
    return a.data as ArrayLike<number>;
  };
  const n = k.targets.length;
  return {
    logits: get('logits.npy', [n, k.c.V]),
    attention: get('attention.npy', [n, k.c.T]),
    zAttn: get('z_attn.npy', [n, k.c.d]),
    loss: get('loss.npy', [1])[0],
    grads: get('grads.npy', [k.layout.total]),
  };
}

/** Our engine on one backend: forward outputs, loss and the gradient of the loss, flattened in layout order. */
async function ours(k: Case, backend: TrainingBackend): Promise<Outputs> {
  const out = await modelOutputs(backend, k.c, k.flat, k.tokens, k.targets);
  return { ...out, grads: Float64Array.from(out.grads) };
}

function maxAbs(a: ArrayLike<number>, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length): number {
  expect(a.length, 'compared arrays have different lengths').toBe(b.length);
  let m = 0;
  for (let i = from; i < to; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

const fmt = (x: number): string => x.toExponential(2);

describe('parity with the PyTorch reference (facebookresearch/pal softmax_model.py)', () => {
  let root = '';
  const cases: Case[] = [];
  const reference = new Map<Case, Outputs>();

  // A setup failure (no torch, a crashing script) is kept and rethrown by every test, so that each
  // one FAILS with the reason rather than being reported as skipped.
  let setupError: Error | null = null;

  beforeAll(async () => {
    try {
      await selectBackend('wasm');
      const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
      if (probe.error || probe.status !== 0) {
        throw new Error(
          `${PYTHON} cannot import torch and numpy, which this parity test needs (the PyTorch reference). ` +
            `Install Debian's PyTorch with: sudo apt-get install python3-torch python3-numpy\n` +
            `${probe.error ? String(probe.error) : probe.stderr.trim()}`,
        );
      }
      root = mkdtempSync(path.join(os.tmpdir(), 'torch-parity-'));
      cases.push(...defineCases(root));
      for (const k of cases) writeCase(k);
      const run = spawnSync(PYTHON, [SCRIPT, ...cases.map((k) => k.dir)], { encoding: 'utf8', timeout: 120_000 });
      if (run.error || run.status !== 0) {
        throw new Error(`${SCRIPT} failed (status ${run.status}):\n${run.error ? String(run.error) : ''}${run.stdout}${run.stderr}`);
      }
      for (const k of cases) reference.set(k, readCase(k));
    } catch (err) {
      setupError = err instanceof Error ? err : new Error(String(err));
    }
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it.each(SPECS.flatMap((s) => TRAINING_BACKENDS.map((b) => [s.name, b] as const)))('%s, on %s: logits, attention, z_attn, loss and every gradient match', async (name, backend) => {
    if (setupError) throw setupError;
    const k = cases.find((c) => c.name === name)!;
    const ref = reference.get(k)!;
    const got = await ours(k, backend);

    const logitScale = Math.max(1, maxAbs(ref.logits));
    const dLogits = maxAbsDiff(got.logits, ref.logits);
    const dAttn = maxAbsDiff(got.attention, ref.attention);
    const dZ = maxAbsDiff(got.zAttn, ref.zAttn);
    const dLoss = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
    const gradReport: string[] = [];
    const gradChecks: { name: string; diff: number; tol: number }[] = [];
    for (const p of k.layout.params) {
      const scale = Math.max(1, maxAbs(ref.grads, p.offset, p.offset + p.size));
      const diff = maxAbsDiff(got.grads, ref.grads, p.offset, p.offset + p.size);
      gradChecks.push({ name: p.name, diff, tol: 1e-5 * scale });
      gradReport.push(`${p.name} ${fmt(diff)} (max|g| ${fmt(maxAbs(ref.grads, p.offset, p.offset + p.size))})`);
    }
    console.log(
      `[torch parity] ${name}, on ${backend}: loss ${ref.loss.toFixed(6)}, max|logit| ${fmt(maxAbs(ref.logits))}; ` +
        `max diffs: logits ${fmt(dLogits)}, attention ${fmt(dAttn)}, z_attn ${fmt(dZ)}, loss (rel) ${fmt(dLoss)}; ` +
        `gradients: ${gradReport.join(', ')}`,
    );

    // the data and weights must make a non-trivial comparison
    expect(maxAbs(ref.attention), 'reference attention').toBeGreaterThan(0);
    for (const p of k.layout.params) {
      expect(maxAbs(k.flat, p.offset, p.offset + p.size), `weights of ${p.name} are all zero`).toBeGreaterThan(0);
      expect(maxAbs(ref.grads, p.offset, p.offset + p.size), `reference gradient of ${p.name} is all zero`).toBeGreaterThan(0);
    }

    expect(dLogits, `logits: max |diff| ${fmt(dLogits)} (max |logit| ${fmt(logitScale)})`).toBeLessThanOrEqual(1e-5 * logitScale);
    expect(dAttn, `attention: max |diff| ${fmt(dAttn)}`).toBeLessThanOrEqual(1e-5);
    expect(dZ, `z_attn: max |diff| ${fmt(dZ)}`).toBeLessThanOrEqual(2e-5);
    expect(dLoss, `loss: ours ${got.loss}, torch ${ref.loss}`).toBeLessThanOrEqual(2e-6);
    for (const g of gradChecks) {
      expect(g.diff, `gradient of ${g.name}: max |diff| ${fmt(g.diff)} > tolerance ${fmt(g.tol)}`).toBeLessThanOrEqual(g.tol);
    }
  });
});
