/**
 * The trainer end to end on each real training backend (the one-graph ONNX step on onnxruntime,
 * the default, and tfjs wasm), writing real run folders.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../../../src-main/engine/train/trainer.js';
import { presetConfig, snapshotSteps, type TrainConfig } from '../../../src-main/engine/train/config.js';
import { readManifest, readMetrics, readTrajectory, RunFormatError } from '../../../src-main/engine/runs/runFolder.js';
import { readDataset } from '../../../src-main/engine/runs/datasets.js';
import { initParams, paramLayout } from '../../../src-main/engine/model/config.js';
import { evaluate } from '../../../src-main/engine/model/forward.js';
import { readNpy, writeNpy } from '../../../src-main/engine/io/npy.js';
import { targetsFor } from '../../../src-main/engine/task/data.js';
import { tempDir, tinyConfig } from '../../helpers.js';
import { TRAINING_BACKENDS } from '../../model-backends.js';

const top = tempDir();

/** A two-phase curriculum small enough to train in a second. */
const tinyCurriculum = (): TrainConfig => tinyConfig('fig5-curriculum', { snapshots: { denseUntil: 5, every: 4 } });

describe.each(TRAINING_BACKENDS)('training on %s', (backend) => {
  const root = join(top, backend);
  mkdirSync(root);

  it('learns a small sparse-addition task to high held-out accuracy', async () => {
    const c = presetConfig('fig5-scratch');
    c.seed = 1;
    c.task = { T: 10, k: 3, nTrain: 256, nTest: 128, nHeldout: 256 };
    c.model = { ...c.model, T: 10, d: 16, h: 64 };
    c.phases = [{ name: 'p2', p: 2, steps: 300, lr: 0.01, restartOptimizer: false, batchSize: null }];
    const dir = join(root, 'learn');
    const result = await train({ runDir: dir, config: c, backend });
    expect(result.status).toBe('complete');
    const rows = readMetrics(dir);
    expect(rows).toHaveLength(300);
    const last = rows[rows.length - 1];
    expect(rows[0].train_acc).toBeLessThan(0.7);
    expect(last.train_acc).toBe(1);
    expect(last.test_acc).toBeGreaterThanOrEqual(0.95);
    // held-out sequences never occur in training: this is generalisation, not memory
    expect(last.heldout_acc).toBeGreaterThanOrEqual(0.95);
  });

  it("holds the MLP still when a phase's mlpLrDiscount divides its learning rate to nothing", async () => {
    const c = tinyCurriculum();
    c.phases[1].mlpLrDiscount = 1e12;
    const dir = join(root, 'mlp-discount');
    await train({ runDir: dir, config: c, backend: 'wasm' });
    const m = readManifest(dir);
    expect(m.config.phases[1].mlpLrDiscount).toBe(1e12);
    const traj = readTrajectory(dir, m);
    const theta = (k: number) => traj.data.slice(traj.steps.indexOf(k) * traj.width, (traj.steps.indexOf(k) + 1) * traj.width);
    const moved = (a: Float32Array, b: Float32Array, name: string) => {
      const spec = paramLayout(c.model).params.find((p) => p.name === name)!;
      let d = 0;
      for (let i = spec.offset; i < spec.offset + spec.size; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      return d;
    };
    // phase 1 (no discount) trains the MLP; phase 2 moves everything but the MLP
    expect(moved(theta(0), theta(20), 'mlp.fc1.kernel')).toBeGreaterThan(1e-3);
    for (const name of ['mlp.fc1.kernel', 'mlp.fc1.bias', 'mlp.fc2.kernel', 'mlp.fc2.bias']) expect(moved(theta(20), theta(40), name)).toBeLessThan(1e-7);
    for (const name of ['token_embedding', 'attention.query', 'attention.value']) expect(moved(theta(20), theta(40), name)).toBeGreaterThan(1e-3);
  });

  it('writes a complete run folder whose logs follow the reference semantics', async () => {
    const c = tinyCurriculum();
    const dir = join(root, 'folder');
    await train({ runDir: dir, config: c, backend });
    const m = readManifest(dir);
    expect(m).toMatchObject({ status: 'complete', backend, stepsDone: 40, totalSteps: 40, parameterCount: paramLayout(c.model).total });
    expect(m.phases).toEqual([{ name: 'p2', p: 2, start: 0, end: 20 }, { name: 'p4', p: 4, start: 20, end: 40 }]);
    expect(m.snapshotSteps).toEqual(snapshotSteps(c));
    expect(m.snapshotSteps).toEqual([0, 1, 2, 3, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    expect(m.versions.tfjs).toMatch(/^4\./);
    // the fresh Adam of the second phase has taken exactly its 20 steps
    expect(m.resume).toEqual({ step: 40, adamT: 20, file: 'resume/state-000040.npy' });

    const traj = readTrajectory(dir, m);
    expect(traj.steps).toEqual(m.snapshotSteps);
    expect(traj.data.subarray(0, traj.width)).toEqual(initParams(c.model, m.seeds.model));
    expect(readNpy(join(dir, 'test_attention.npy')).shape).toEqual([m.snapshotSteps.length, 32, 6]);

    // datasets as .npy, p = 2 tokens the p = 4 tokens halved
    const p2 = readDataset(join(dir, 'data', 'p2'), 'train', 2, 6);
    const p4 = readDataset(join(dir, 'data', 'p4'), 'train', 4, 6);
    expect(Array.from(p2.tokens)).toEqual(Array.from(p4.tokens, (x) => x >> 1));
    expect(Array.from(p4.targets)).toEqual(Array.from(targetsFor(p4.tokens, 6, 3, 4)));

    // step s: train metrics at θ_s (before the update), test metrics at θ_{s+1}
    const rows = readMetrics(dir);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(rows[19].phase).toBe('p2');
    expect(rows[20]).toMatchObject({ phase: 'p4', p: 4 });
    const layout = paramLayout(c.model);
    const theta = (k: number) => traj.data.slice(traj.steps.indexOf(k) * traj.width, (traj.steps.indexOf(k) + 1) * traj.width);
    const test2 = readDataset(join(dir, 'data', 'p2'), 'test', 2, 6);
    const test4 = readDataset(join(dir, 'data', 'p4'), 'test', 4, 6);
    expect(rows[0].train_loss).toBeCloseTo(evaluate(theta(0), layout, c.model, p2).loss, 5);
    expect(rows[7].test_loss).toBeCloseTo(evaluate(theta(8), layout, c.model, test2).loss, 5);
    expect(rows[20].train_loss).toBeCloseTo(evaluate(theta(20), layout, c.model, p4).loss, 5);
    expect(rows[39].test_acc).toBeCloseTo(evaluate(theta(40), layout, c.model, test4).accuracy, 6);
    expect(Number.isFinite(rows[39].heldout_acc)).toBe(true);
    expect(Number.isNaN(rows[38].heldout_acc)).toBe(true); // held-out only at snapshot steps
  });

  it('resumes an interrupted run to exactly the result of an uninterrupted one', async () => {
    const c = tinyCurriculum();
    const whole = join(root, 'whole');
    const parts = join(root, 'parts');
    await train({ runDir: whole, config: c, backend });
    const first = await train({ runDir: parts, config: c, backend, maxSteps: 27, resumeEvery: 10 });
    expect(first.stepsDone).toBe(27);
    expect(readManifest(parts).snapshotSteps.at(-1)).toBe(27); // the last step's snapshot is written
    await train({ runDir: parts, resume: true, backend });
    // the extra snapshot at 27 gives row 26 held-out metrics; everything else is identical
    const withoutHeldout = (rows: ReturnType<typeof readMetrics>) => rows.map((r) => ({ ...r, heldout_loss: r.step === 26 ? 0 : r.heldout_loss, heldout_acc: r.step === 26 ? 0 : r.heldout_acc }));
    expect(withoutHeldout(readMetrics(parts))).toEqual(withoutHeldout(readMetrics(whole)));
    const ma = readManifest(whole);
    const mb = readManifest(parts);
    expect(mb.status).toBe('complete');
    const ta = readTrajectory(whole, ma);
    const tb = readTrajectory(parts, mb);
    // 27 is an extra snapshot in the resumed run; every other row is identical
    const rowOf = (t: typeof ta, k: number) => Array.from(t.data.subarray(t.steps.indexOf(k) * t.width, (t.steps.indexOf(k) + 1) * t.width));
    expect(tb.steps.filter((k) => k !== 27)).toEqual(ta.steps);
    for (const k of ta.steps) expect(rowOf(tb, k)).toEqual(rowOf(ta, k));
  });

  it('stops cleanly when cancelled, leaving a readable run that resumes', async () => {
    const c = tinyCurriculum();
    const dir = join(root, 'cancel');
    const controller = new AbortController();
    const r = await train({
      runDir: dir,
      config: c,
      backend,
      signal: controller.signal,
      reportEvery: 5,
      onProgress: (p) => {
        if (p.step >= 10) controller.abort();
      },
    });
    expect(r.status).toBe('cancelled');
    const m = readManifest(dir);
    expect(m.status).toBe('cancelled');
    expect(m.message).toMatch(/cancelled at step 1\d of 40/);
    expect(readMetrics(dir)).toHaveLength(m.stepsDone);
    expect(readTrajectory(dir, m).steps.at(-1)).toBe(m.stepsDone);
    const resumed = await train({ runDir: dir, resume: true, backend });
    expect(resumed.status).toBe('complete');
    expect(readMetrics(dir)).toHaveLength(40);
    await expect(train({ runDir: dir, resume: true, backend })).rejects.toThrow(/has already taken 40 of its 40 steps; nothing to resume/);
  });

  it('trains minibatches with a seeded shuffle, and on datasets imported from .npy', async () => {
    const c = tinyCurriculum();
    c.phases = [{ name: 'p4', p: 4, steps: 12, lr: 1e-3, restartOptimizer: false, batchSize: 16 }];
    const data = join(root, 'imported');
    mkdirSync(data);
    const tokens = Int32Array.from({ length: 64 * 6 }, (_, i) => (i * 7 + (i >> 3)) % 4);
    writeNpy(join(data, 'train_tokens.npy'), tokens, [64, 6]);
    writeNpy(join(data, 'train_targets.npy'), targetsFor(tokens, 6, 3, 4), [64]);
    writeNpy(join(data, 'test_tokens.npy'), tokens.slice(0, 32 * 6), [32, 6]);
    writeNpy(join(data, 'test_targets.npy'), targetsFor(tokens.slice(0, 32 * 6), 6, 3, 4), [32]);
    const a = join(root, 'mb-a');
    const b = join(root, 'mb-b');
    await train({ runDir: a, config: c, backend, dataDir: data });
    await train({ runDir: b, config: c, backend, dataDir: data });
    expect(readMetrics(a)).toEqual(readMetrics(b));
    expect(readManifest(a).dataSource).toMatch(/imported from/);
    expect(readManifest(a).datasets.p4).toMatchObject({ train: 64, test: 32, heldout: 0, testOverlap: 32 });
    expect(readDataset(join(a, 'data', 'p4'), 'train', 4, 6).tokens).toEqual(tokens);

    const bad = join(root, 'imported-bad');
    mkdirSync(bad);
    writeNpy(join(bad, 'train_tokens.npy'), Int32Array.from(tokens, (x) => x + 1), [64, 6]);
    writeNpy(join(bad, 'train_targets.npy'), targetsFor(tokens, 6, 3, 4), [64]);
    await expect(train({ runDir: join(root, 'mb-c'), config: c, backend, dataDir: bad })).rejects.toThrow(/holds the token 4, outside \{0..3\} for p = 4/);
    expect(existsSync(join(root, 'mb-c'))).toBe(false);
  });

  it('refuses folders that are not runs, and corrupt manifests, with a sentence', async () => {
    const notRun = join(root, 'not-a-run');
    mkdirSync(notRun);
    expect(() => readManifest(notRun)).toThrow(/is not a run folder: it has no run.json/);
    writeFileSync(join(notRun, 'run.json'), '{"format": "circuit-workbench-run", "vers');
    expect(() => readManifest(notRun)).toThrow(/not valid JSON/);
    writeFileSync(join(notRun, 'run.json'), '{"format": "something-else"}');
    expect(() => readManifest(notRun)).toThrow(RunFormatError);
    await expect(train({ runDir: notRun, resume: true })).rejects.toThrow(/not a Circuit Workbench run manifest/);
    const full = join(root, 'folder');
    await expect(train({ runDir: full, config: tinyCurriculum() })).rejects.toThrow(/already exists and is not empty/);
    // a metrics.csv cut mid-line by a crash loses only the partial row
    const text = readFileSync(join(full, 'metrics.csv'), 'utf8');
    writeFileSync(join(full, 'metrics.csv'), text.slice(0, text.length - 10));
    expect(readMetrics(full)).toHaveLength(39);
  });
});

describe('the default backend', () => {
  it('is the one-graph ONNX step on onnxruntime, and run.json says so', async () => {
    const dir = join(top, 'default');
    const r = await train({ runDir: dir, config: tinyCurriculum(), maxSteps: 3 });
    expect(r.status).toBe('stopped'); // cut short by maxSteps
    expect(readManifest(dir)).toMatchObject({ backend: 'onnxruntime', stepsDone: 3 });
    expect(readManifest(dir).versions['onnxruntime-node']).toMatch(/^1\./);
  });
});
