/**
 * ONNX checkpoints and the analysis engine on the real onnxruntime-node, against the tfjs model,
 * the `onnx` package's checker, PyTorch's own exporter, numpy's SVD, and bad files of every kind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-main/engine/backend.js';
import { PAPER_MODEL, initParams, paramLayout, type ModelConfig } from '../../../src-main/engine/model/config.js';
import { forward, makeBatch, paramsFromFlat } from '../../../src-main/engine/model/forward.js';
import { exportModel } from '../../../src-main/engine/onnx/export.js';
import { OnnxFormatError, parseCheckpoint, readCheckpointDraft } from '../../../src-main/engine/onnx/load.js';
import { encodeModel } from '../../../src-main/engine/onnx/proto.js';
import { EvalSession } from '../../../src-main/engine/onnx/session.js';
import { openSource, SourceError } from '../../../src-main/engine/analysis/source.js';
import { accuracy, attention, attentionOverTraining, embeddings, interpolate, prefixSequences, projectTrajectories } from '../../../src-main/engine/analysis/analyses.js';
import { CancelledError, pca, project } from '../../../src-main/engine/analysis/projection.js';
import { train } from '../../../src-main/engine/train/trainer.js';
import type { TrainConfig } from '../../../src-main/engine/train/config.js';
import { readManifest } from '../../../src-main/engine/runs/runFolder.js';
import { writeNpy } from '../../../src-main/engine/io/npy.js';
import { Rng } from '../../../src-main/engine/task/rng.js';
import { targetsFor } from '../../../src-main/engine/task/data.js';
import { cli, DEBIAN_PYTHON, tempDir, tinyConfig } from '../../helpers.js';

const root = tempDir();

function perturbed(c: ModelConfig, seed: number, scale = 0.5): Float32Array {
  const flat = initParams(c, seed);
  const rng = new Rng(seed + 1000);
  return flat.map((x) => x + scale * rng.normal());
}

function randomTokens(n: number, T: number, p: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n * T }, () => rng.int(p));
}

function python(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(DEBIAN_PYTHON, args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** A small two-phase run with checkpoints, trained once for the whole file. */
function tinyCurriculum(): TrainConfig {
  const c = tinyConfig('fig5-curriculum', { steps: 30, task: { nTrain: 96 }, snapshots: { denseUntil: 10, every: 5, checkpointEvery: 20 } });
  c.phases[1].lr = 1e-2;
  return c;
}
const runDir = join(root, 'run');
const scratchDir = join(root, 'scratch');

beforeAll(async () => {
  await selectBackend('wasm');
  const c = tinyCurriculum();
  await train({ runDir, config: c, backend: 'wasm' });
  const s = tinyCurriculum();
  s.phases = [{ ...s.phases[1], restartOptimizer: false }];
  await train({ runDir: scratchDir, config: s, backend: 'wasm' });
});

const VARIANT: ModelConfig = { V: 5, T: 6, d: 8, h: 16, tiedUnembedding: false, mlpBias: false, residual: 'normed' };

describe('ONNX checkpoints', () => {
  for (const [name, c, p] of [['the paper model', PAPER_MODEL, 4], ['the paper-text variant', VARIANT, 5]] as const) {
    it(`agree with the tfjs model on 300 sequences: ${name}`, async () => {
      const flat = perturbed(c, 7);
      const tokens = randomTokens(300, c.T, p, 3);
      const ck = parseCheckpoint(exportModel(c, flat), 'memory');
      const session = await EvalSession.create(ck);
      const ort = await session.run(ck.weights, session.tokens(tokens));
      const batch = makeBatch(tokens, targetsFor(tokens, c.T, Math.min(5, c.T), p), c.T, c.V);
      const ref = tf.tidy(() => {
        const out = forward(paramsFromFlat(flat, paramLayout(c)), batch, c);
        return { logits: out.logits.dataSync(), attention: out.attention.dataSync(), zAttn: out.zAttn.dataSync() };
      });
      batch.dispose();
      const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
      expect(ort.logits.length).toBe(300 * c.V);
      expect(maxDiff(ort.logits, ref.logits)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(ort.attention, ref.attention)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(ort.zAttn, ref.zAttn)).toBeLessThanOrEqual(1e-4);
      await session.release();
    });
  }

  it('pass the onnx checker with full_check, as opset 17 / IR 8 files with their config inside', () => {
    const files = [join(root, 'paper.onnx'), join(root, 'variant.onnx')];
    writeFileSync(files[0], exportModel(PAPER_MODEL, initParams(PAPER_MODEL, 1), { step: 5 }));
    writeFileSync(files[1], exportModel(VARIANT, initParams(VARIANT, 1)));
    const script = [
      'import sys, json, onnx',
      'for f in sys.argv[1:]:',
      '    m = onnx.load(f)',
      '    onnx.checker.check_model(m, full_check=True)',
      '    meta = {p.key: p.value for p in m.metadata_props}',
      '    print(m.ir_version, m.opset_import[0].version, [i.name for i in m.graph.input], [o.name for o in m.graph.output], len(m.graph.initializer), json.loads(meta["circuit_workbench.model"])["d"])',
    ].join('\n');
    const r = python(['-c', script, ...files]);
    if (r.code !== 0 && /No module named 'onnx'/.test(r.out)) throw new Error('the onnx checker is missing: apt-get install python3-onnx');
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(["8 17 ['tokens'] ['logits', 'attention', 'z_attn'] 8 32", "8 17 ['tokens'] ['logits', 'attention', 'z_attn'] 7 8"]);
  });

  it('are written at phase ends, every N steps on request and at the end; export writes any snapshot', async () => {
    const m = readManifest(runDir);
    expect(m.checkpoints.map((c) => c.step)).toEqual([20, 30, 40, 60]);
    const ck = readCheckpointDraft(join(runDir, 'checkpoints', 'step-000030.onnx'));
    expect(ck.step).toBe(30);
    expect(ck.model).toMatchObject({ d: 8, T: 6 });
    const src = await openSource(`${runDir}@30`);
    expect(Array.from(ck.weights)).toEqual(Array.from(src.weightsAt(30)));
    const out = join(root, 'exported-15.onnx');
    const r = cli(['export', runDir, '--step', '15', '--out', out]);
    expect(r.stdout).toMatch(/^step 15 → /);
    expect(Array.from(readCheckpointDraft(out).weights)).toEqual(Array.from(src.weightsAt(15)));
    const bad = cli(['export', runDir, '--step', '17', '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: step 17 is not a snapshot of .*; the nearest are 15 and 20/);
  });
});

describe('opening what a researcher has', () => {
  /** The authors' model with perturbed weights, as a case for torch_export.py, and data for it. */
  let torchCase: { caseDir: string; dataDir: string; test: Int32Array; ours: string } | null = null;
  function makeTorchCase(): NonNullable<typeof torchCase> {
    if (torchCase) return torchCase;
    const c = PAPER_MODEL;
    const flat = perturbed(c, 11, 0.2);
    const caseDir = join(root, 'torch-case');
    mkdirSync(caseDir);
    const layout = paramLayout(c);
    writeNpy(join(caseDir, 'params.npy'), flat, [flat.length]);
    writeFileSync(join(caseDir, 'config.json'), JSON.stringify({ ...c, params: layout.params.map((p) => ({ name: p.name, shape: p.shape, offset: p.offset, size: p.size })) }));
    const ours = join(root, 'ours-same-weights.onnx');
    writeFileSync(ours, exportModel(c, flat));
    const dataDir = join(root, 'torch-data');
    mkdirSync(dataDir);
    const train = randomTokens(256, 12, 4, 5);
    const test = randomTokens(64, 12, 4, 6);
    writeNpy(join(dataDir, 'train_tokens.npy'), train, [256, 12]);
    writeNpy(join(dataDir, 'train_targets.npy'), targetsFor(train, 12, 5, 4), [256]);
    writeNpy(join(dataDir, 'test_tokens.npy'), test, [64, 12]);
    writeNpy(join(dataDir, 'test_targets.npy'), targetsFor(test, 12, 5, 4), [64]);
    torchCase = { caseDir, dataDir, test, ours };
    return torchCase;
  }
  /** One PyTorch process for several exports: [[out, flags], …]. */
  function torchExport(...exports: [string, string[]][]): void {
    const script = new URL('../model/torch_export.py', import.meta.url).pathname;
    const r = python([script, makeTorchCase().caseDir, ...exports.flatMap(([out, flags], i) => [...(i ? ['--'] : []), out, ...flags])]);
    if (r.code !== 0 && /No module named 'torch'/.test(r.out)) throw new Error('PyTorch is missing: apt-get install python3-torch');
    expect(r.code, r.out).toBe(0);
  }

  it('opens a model exported from PyTorch (its own names and graph) and analyses it like ours', async () => {
    const { dataDir, test, ours } = makeTorchCase();
    const torchFile = join(root, 'from-torch.onnx');
    const asInputs = join(root, 'from-torch-inputs.onnx');
    torchExport([torchFile, []], [asInputs, ['--initializers-as-inputs']]);
    const mine = await openSource(ours, { dataDir });
    const expected = await accuracy(mine);
    for (const file of [torchFile, asInputs]) {
      const src = await openSource(file, { dataDir });
      expect(src.checkpoint).toMatchObject({ T: 12, V: 4, d: 32 });
      expect(src.checkpoint.params.map((p) => p.name)).not.toContain('token_embedding'); // PyTorch's names
      const got = await accuracy(src);
      expect(got.train.accuracy).toBe(expected.train.accuracy);
      expect(got.train.loss).toBeCloseTo(expected.train.loss, 4);
      expect(got.test.loss).toBeCloseTo(expected.test.loss, 4);
      const seq = test.slice(0, 12);
      const a = await attention(src, seq);
      const b = await attention(mine, seq);
      Array.from(a.attention).forEach((x, i) => expect(x).toBeCloseTo(b.attention[i], 5));
      const emb = await embeddings(src, { set: 'prefixes', p: 2, k: 5 });
      expect(emb.n).toBe(32);
    }
    // two PyTorch exports interpolate with each other (same names and shapes)
    const rows = await interpolate(await openSource(torchFile, { dataDir }), await openSource(asInputs, { dataDir }), { points: 3 });
    rows.forEach((r) => expect(r.train_loss).toBeCloseTo(expected.train.loss, 4));
    // without --data, a model without config gets the task defaults from its shapes
    const defaults = await openSource(torchFile);
    expect(defaults.data).toMatchObject({ p: 4, k: 5 });
    expect(defaults.data.train.n).toBe(2048);
  });

  it('infers T, V and d of PyTorch exports whose shapes are all symbolic, opsets 14 to 17; refuses float16 weights', async () => {
    const { dataDir, test, ours } = makeTorchCase();
    const expected = await accuracy(await openSource(ours, { dataDir }));
    // (Debian's torch 1.13 and onnx 1.12 stop at opset 17; 18 cannot be made here.)
    const cases: [string, string[]][] = [14, 15, 16, 17].map((o) => [join(root, `dyn-opset${o}.onnx`), ['--dynamic-all', '--opset', String(o)]]);
    cases.push([join(root, 'dyn-inputs.onnx'), ['--dynamic-all', '--initializers-as-inputs', '--opset', '17']]);
    const half = join(root, 'float16.onnx');
    torchExport(...cases, [half, ['--float16']]);
    for (const [file] of cases) {
      const name = basename(file);
      const src = await openSource(file, { dataDir });
      expect(src.checkpoint, name).toMatchObject({ T: 12, V: 4, d: 32 });
      const got = await accuracy(src);
      expect(got.train.accuracy, name).toBe(expected.train.accuracy);
      expect(got.test.loss, name).toBeCloseTo(expected.test.loss, 4);
      expect((await attention(src, test.slice(0, 12))).attention.length).toBe(12);
    }
    await expect(openSource(half)).rejects.toThrow(/stores its weight '.*' as float16; the workbench analyses float32 weights/);
  });

  it('opens a folder of ONNX checkpoints without run.json, ordered by step', async () => {
    const folder = join(root, 'ckpt-folder');
    mkdirSync(folder);
    for (const f of ['step-000060.onnx', 'step-000020.onnx', 'step-000040.onnx']) copyFileSync(join(runDir, 'checkpoints', f), join(folder, f));
    const src = await openSource(folder);
    expect(src.kind).toBe('onnx-folder');
    expect(src.steps).toEqual([20, 40, 60]);
    expect(src.step).toBe(60);
    expect(src.data.p).toBe(4); // from the checkpoints' metadata
    const overTraining = await attentionOverTraining(src, src.data.test.tokens.slice(0, 12));
    expect(overTraining.steps).toEqual([20, 40, 60]);
  });

  it('refuses bad files with a sentence that says what is wrong, and keeps working', async () => {
    const good = readFileSync(join(runDir, 'checkpoints', 'step-000060.onnx'));
    const cut = join(root, 'truncated.onnx');
    writeFileSync(cut, good.subarray(0, Math.floor(good.length / 2)));
    await expect(openSource(cut)).rejects.toThrow(/is not an ONNX model/);
    const noise = join(root, 'noise.onnx');
    const rng = new Rng(9);
    writeFileSync(noise, Uint8Array.from({ length: 4096 }, () => rng.int(256)));
    await expect(openSource(noise)).rejects.toThrow(/is not an ONNX model/);
    const empty = join(root, 'empty.onnx');
    writeFileSync(empty, '');
    await expect(openSource(empty)).rejects.toThrow(OnnxFormatError);

    // a valid ONNX model with another interface: an image classifier
    const classifier = join(root, 'classifier.onnx');
    writeFileSync(
      classifier,
      encodeModel({
        ir_version: 8,
        opset_import: [{ domain: '', version: 17 }],
        graph: {
          name: 'classifier',
          node: [
            { op_type: 'Flatten', input: ['image'], output: ['flat'], name: 'flatten' },
            { op_type: 'MatMul', input: ['flat', 'w'], output: ['scores'], name: 'fc' },
            { op_type: 'Softmax', input: ['scores'], output: ['probabilities'], name: 'softmax' },
          ],
          initializer: [{ name: 'w', dims: [12, 10], data_type: 1, float_data: new Array(120).fill(0.1) }],
          input: [{ name: 'image', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 3 }, { dim_value: 2 }, { dim_value: 2 }] } } } }],
          output: [{ name: 'probabilities', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 10 }] } } } }],
        },
      }),
    );
    await expect(openSource(classifier)).rejects.toThrow(/is an ONNX model with inputs \[image\] and outputs \[probabilities\]; the workbench analyses models with the input 'tokens'/);

    // NaN weights
    const withNaN = initParams(PAPER_MODEL, 3);
    withNaN[500] = NaN;
    const nanFile = join(root, 'nan.onnx');
    writeFileSync(nanFile, exportModel(PAPER_MODEL, withNaN));
    await expect(openSource(nanFile)).rejects.toThrow(/the weight 'position_embedding' holds NaN at index 372/);

    // mismatched layouts cannot be interpolated
    const wide = join(root, 'wide.onnx');
    writeFileSync(wide, exportModel({ ...PAPER_MODEL, d: 16, h: 64 }, initParams({ ...PAPER_MODEL, d: 16, h: 64 }, 1)));
    const paper = join(root, 'paper-b.onnx');
    writeFileSync(paper, exportModel(PAPER_MODEL, initParams(PAPER_MODEL, 2)));
    await expect(interpolate(await openSource(paper), await openSource(wide))).rejects.toThrow(/'token_embedding' is \[4, 32\] in .* but \[4, 16\] in .*; the layouts differ/);

    // run folders with missing or truncated files
    const broken = join(root, 'broken-run');
    spawnSync('cp', ['-r', runDir, broken]);
    truncateSync(join(broken, 'trajectory.npy'), 1000);
    await expect(openSource(broken)).rejects.toThrow(/trajectory.npy is truncated/);
    rmSync(join(broken, 'trajectory.npy'));
    await expect(openSource(broken)).rejects.toThrow(/cannot read .*trajectory.npy: there is no such file or folder$/);
    rmSync(join(broken, 'run.json'));
    await expect(openSource(broken)).rejects.toThrow(/is neither a run folder \(no run.json\) nor a folder of .onnx checkpoints/);
    await expect(openSource(join(root, 'no-such-thing'))).rejects.toThrow(/does not exist/);
    await expect(openSource(`${runDir}@7777`)).rejects.toThrow(SourceError);

    // and the engine still works after all of that
    expect((await accuracy(await openSource(runDir))).test.accuracy).toBeGreaterThanOrEqual(0);
  });
});

describe('analyses', () => {
  it('interpolation end points equal the two checkpoints’ own losses, and t may leave [0, 1]', async () => {
    const a = await openSource(scratchDir);
    const b = await openSource(runDir);
    const rows = await interpolate(a, b, { points: 5, from: -0.5, to: 1.5 });
    expect(rows.map((r) => r.t)).toEqual([-0.5, 0, 0.5, 1, 1.5]);
    const own = await interpolate(a, b, { points: 101 });
    expect(own).toHaveLength(101);
    expect(own[27].t).toBe(0.27);
    const ea = await accuracy(a);
    // B evaluated on A's data (the default): open B with A's data folder
    const eb = await accuracy(await openSource(runDir, { dataDir: join(scratchDir, 'data', 'p4') }));
    expect(own[0].train_loss).toBeCloseTo(ea.train.loss, 5);
    expect(own[0].test_acc).toBe(ea.test.accuracy);
    expect(own[100].train_loss).toBeCloseTo(eb.train.loss, 5);
    expect(own[100].test_acc).toBe(eb.test.accuracy);
    expect(rows[1]).toEqual(own[0]);
  });

  it('attention over training marks where attention grew and shrank', async () => {
    const src = await openSource(runDir);
    expect(src.session.loaded).toBe(false); // opening a run starts no ONNX session
    const tokens = src.data.test.tokens.slice(0, 2 * 6);
    const r = await attentionOverTraining(src, tokens, { from: 0, to: 30 });
    // a run's attention over training comes from its trajectory (attention-over-training.test.ts), without a session
    expect(src.session.loaded).toBe(false);
    expect(r.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30]);
    for (let s = 0; s < r.steps.length; s++) {
      for (let i = 0; i < 2; i++) {
        const row = r.values.subarray((s * 2 + i) * 6, (s * 2 + i + 1) * 6);
        expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
      }
    }
    const idx = (s: number, i: number, t: number) => (s * 2 + i) * 6 + t;
    expect(r.change[idx(0, 0, 0)]).toBe(0);
    for (let t = 0; t < 6; t++) expect(r.change[idx(5, 1, t)]).toBe(Math.sign(r.values[idx(5, 1, t)] - r.values[idx(4, 1, t)]));
    const single = await attention(src, tokens, 15);
    const over = r.values.subarray(idx(11, 0, 0), idx(12, 0, 0));
    for (let t = 0; t < over.length; t++) expect(Math.abs(over[t] - single.attention[t])).toBeLessThan(1e-6);
  });

  it('embeds all p^k prefixes, labelled by the sum of the first k tokens, with a 2-D PCA when d > 2', async () => {
    expect(Array.from(prefixSequences(2, 2, 3))).toEqual([0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0]);
    const src = await openSource(runDir);
    const e = await embeddings(src, { p: 2, k: 3 });
    expect(e.n).toBe(8);
    expect(e.d).toBe(8);
    expect(Array.from(e.labels)).toEqual([0, 1, 1, 2, 1, 2, 2, 3]);
    expect(e.explainedVariance!.length).toBe(2);
    expect(e.xy.every(Number.isFinite)).toBe(true);
    const test = await embeddings(src, { set: 'test' });
    expect(test.n).toBe(32);
    await expect(embeddings(src, { p: 9 })).rejects.toThrow(/p = 9 is larger than the vocabulary V = 4/);
  });

  it('PCA by randomised SVD matches numpy’s SVD', async () => {
    const rng = new Rng(4);
    const n = 200;
    const width = 300;
    const data = new Float32Array(n * width);
    for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) data[i * width + j] = (i / n) * Math.sin(j) * 3 + Math.cos(i / 7) * (j % 5) + 0.1 * rng.normal();
    const file = join(root, 'pca.npy');
    writeNpy(file, data, [n, width]);
    const r = await pca({ data, n, width }, 3);
    const np = python(['-c', `import numpy as np\nx = np.load('${file}').astype(np.float64)\nx -= x.mean(0)\nu, s, vt = np.linalg.svd(x, full_matrices=False)\nprint(' '.join(str(v) for v in (s**2 / (s**2).sum())[:3]))\nprint(' '.join(str(abs(v)) for v in (u[:, 0] * s[0])[:5]))`]);
    expect(np.code, np.out).toBe(0);
    const [ev, pc0] = np.out.trim().split('\n').map((l) => l.split(' ').map(Number));
    r.explained.forEach((v, i) => expect(v).toBeCloseTo(ev[i], 5));
    for (let i = 0; i < 5; i++) expect(Math.abs(r.coords[i * r.k])).toBeCloseTo(pc0[i], 3);
  });

  it('projects several runs together with start, switch and end markers; t-SNE and UMAP run and cancel', async () => {
    const runs = [await openSource(scratchDir), await openSource(runDir)];
    const p = await projectTrajectories(runs, { method: 'pca' });
    expect(runs.map((s) => s.session.loaded)).toEqual([false, false]); // a projection needs no ONNX session
    expect(p.runs[1].markers.map((m) => [m.kind, m.step])).toEqual([['start', 0], ['switch', 30], ['end', 60]]);
    expect(p.runs[0].markers.map((m) => m.kind)).toEqual(['start', 'end']);
    expect(p.points).toHaveLength(runs[0].steps.length + runs[1].steps.length);
    expect(p.explainedVariance![0]).toBeGreaterThan(p.explainedVariance![1]);
    // both runs start from the same initial weights (seed 0): the same point
    expect(p.points[0].x).toBeCloseTo(p.points[runs[0].steps.length].x, 4);
    for (const method of ['tsne', 'umap'] as const) {
      const stages: string[] = [];
      const r = await projectTrajectories(runs, { method, iterations: 300, onProgress: (s) => stages.push(s) });
      expect(r.points.every((q) => Number.isFinite(q.x) && Number.isFinite(q.y))).toBe(true);
      expect(new Set(r.points.map((q) => q.x)).size).toBeGreaterThan(10);
      expect(stages.length).toBeGreaterThan(3);
      const controller = new AbortController();
      const pending = project({ data: runs[1].trajectory!.data, n: runs[1].steps.length, width: runs[1].checkpoint.total }, { method, signal: controller.signal, onProgress: () => controller.abort() });
      await expect(pending).rejects.toThrow(CancelledError);
    }
  });
});

describe('circuit-workbench analyze', () => {
  it('accuracy --json prints {"train": {"loss", "accuracy"}, "test": {…}} on its last line', () => {
    const r = cli(['analyze', 'accuracy', join(runDir, 'checkpoints', 'step-000060.onnx'), '--data', join(runDir, 'data', 'p4'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!) as { train: { loss: number; accuracy: number }; test: { loss: number; accuracy: number } };
    expect(Object.keys(last.train)).toEqual(['loss', 'accuracy']);
    expect(last.test.accuracy).toBeGreaterThanOrEqual(0);
    const same = JSON.parse(cli(['analyze', 'accuracy', runDir, '--json']).stdout.trim()) as typeof last;
    expect(same.train).toEqual(last.train);
  });

  it('interpolate writes t,train_loss,train_acc,test_loss,test_acc; the other analyses write CSV', async () => {
    const out = join(root, 'interp.csv');
    const r = cli(['analyze', 'interpolate', scratchDir, `${runDir}@60`, '--points', '11', '--from', '-0.5', '--to', '1.5', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('t,train_loss,train_acc,test_loss,test_acc');
    expect(lines).toHaveLength(12);
    expect(lines[1].startsWith('-0.5,')).toBe(true);
    for (const [args, header] of [
      [['attention', runDir, '--over-training', '--first', '2'], 'step,sequence,position,attention,change'],
      [['embeddings', runDir, '--p', '2', '--k', '3'], 'index,label,tokens,x,y,z0,z1,z2,z3,z4,z5,z6,z7'],
      [['project', scratchDir, runDir, '--method', 'pca'], 'run,label,step,x,y,marker'],
    ] as const) {
      const file = join(root, `${args[0]}.csv`);
      const res = cli(['analyze', ...args, '--out', file]);
      expect(res.code, res.stderr).toBe(0);
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(header);
    }
    // numpy reads every loss and accuracy as the float32 the engine computed, and t as its decimal
    const grid = join(root, 'interp-101.csv');
    expect(cli(['analyze', 'interpolate', scratchDir, `${runDir}@60`, '--out', grid]).code).toBe(0);
    const text = readFileSync(grid, 'utf8').split('\n');
    expect(text[2].startsWith('0.01,')).toBe(true);
    expect(text.join('\n')).not.toMatch(/\d{10}/);
    const check = python([
      '-c',
      [
        'import csv, json, sys, numpy as np',
        'rows = list(csv.DictReader(open(sys.argv[1])))',
        'print(json.dumps({"t": [float(r["t"]) for r in rows], "bits": [[int(np.float32(r[c]).view(np.uint32)) for c in ("train_loss", "train_acc", "test_loss", "test_acc")] for r in rows]}))',
      ].join('\n'),
      grid,
    ]);
    expect(check.code, check.out).toBe(0);
    const read = JSON.parse(check.out) as { t: number[]; bits: number[][] };
    const rows101 = await interpolate(await openSource(scratchDir), await openSource(`${runDir}@60`), { points: 101 });
    expect(read.t).toEqual(rows101.map((_, i) => i / 100));
    const bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];
    expect(read.bits).toEqual(rows101.map((r) => [r.train_loss, r.train_acc, r.test_loss, r.test_acc].map(bits)));
    const help = cli(['analyze', 'interpolate', '--help']);
    expect(help.stdout).toMatch(/Example:/);
    const bad = cli(['analyze', 'accuracy', join(root, 'noise.onnx')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*noise.onnx is not an ONNX model/);
  });
});
