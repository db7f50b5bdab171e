/**
 * The attention over training of a run folder, computed from the trajectory's rows in plain
 * TypeScript (engine/analysis/attentionKernel.ts), against the same analysis on onnxruntime's
 * evaluation graph: the numbers within 1e-5, the same refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../../../src-main/engine/backend.js';
import { openSource, type AnalysisSource } from '../../../src-main/engine/analysis/source.js';
import { attentionOverTraining } from '../../../src-main/engine/analysis/analyses.js';
import { attentionFromTrajectory } from '../../../src-main/engine/analysis/attentionKernel.js';
import { train } from '../../../src-main/engine/train/trainer.js';
import { readNpy, writeNpy } from '../../../src-main/engine/io/npy.js';
import { PAPER_MODEL } from '../../../src-main/engine/model/config.js';
import { Rng } from '../../../src-main/engine/task/rng.js';
import { tempDir, tinyConfig } from '../../helpers.js';

const root = tempDir();
const tiny = join(root, 'tiny');
const paper = join(root, 'paper');

beforeAll(async () => {
  await selectBackend('wasm');
  const c = tinyConfig('fig5-curriculum', { steps: 30, snapshots: { denseUntil: 10, every: 3, checkpointEvery: 1000 } });
  c.phases[1].lr = 3e-2; // large steps: attention that moves far from uniform
  await train({ runDir: tiny, config: c, backend: 'wasm' });
  // the paper's sizes (T = 12, d = 32), briefly
  const p = tinyConfig('fig5-scratch', { steps: 12, task: { T: 12, k: 5, nTrain: 64 }, snapshots: { denseUntil: 12, every: 1, checkpointEvery: 1000 } });
  p.model = { ...PAPER_MODEL };
  p.phases[0].lr = 5e-2;
  await train({ runDir: paper, config: p, backend: 'wasm' });
});

/** The same source seen as a checkpoint folder: the analysis then runs the ONNX graph per snapshot. */
const throughOnnx = (src: AnalysisSource): AnalysisSource => ({ ...src, kind: 'onnx-folder' });

function sequences(n: number, T: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n * T }, () => rng.int(V));
}

describe('attention over training from the trajectory', () => {
  for (const [name, dir] of [['a tiny curriculum run', tiny], ['a run of the paper model', paper]] as const) {
    it(`equals the ONNX evaluation within 1e-5 at every snapshot: ${name}`, async () => {
      const src = await openSource(dir);
      expect(attentionFromTrajectory(src)).not.toBeNull();
      const { T, V } = src.checkpoint;
      const tokens = sequences(16, T, V, 5);
      const fast = await attentionOverTraining(src, tokens);
      const slow = await attentionOverTraining(throughOnnx(src), tokens);
      expect(fast.steps).toEqual(src.steps);
      expect(fast.steps).toEqual(slow.steps);
      expect(fast.values.length).toBe(src.steps.length * 16 * T);
      let worst = 0;
      for (let i = 0; i < fast.values.length; i++) worst = Math.max(worst, Math.abs(fast.values[i] - slow.values[i]));
      expect(worst).toBeLessThan(1e-5);
      // the attention is not uniform: the comparison tests something
      expect(Math.max(...fast.values) - Math.min(...fast.values)).toBeGreaterThan(0.05);
      // a range and a stride pick the same snapshots either way
      const a = await attentionOverTraining(src, tokens.subarray(0, T), { from: src.steps[2], to: src.steps[src.steps.length - 2], stride: 2 });
      const b = await attentionOverTraining(throughOnnx(src), tokens.subarray(0, T), { from: src.steps[2], to: src.steps[src.steps.length - 2], stride: 2 });
      expect(a.steps).toEqual(b.steps);
      // the direction of change agrees wherever it is larger than the numbers' difference
      const disagree = Array.from(a.change).filter((c, i) => i >= T && Math.abs(a.values[i] - a.values[i - T]) > 1e-5 && c !== b.change[i]);
      expect(disagree).toEqual([]);
      expect(a.change.some((c) => c !== 0)).toBe(true);
      await src.session.release();
    });
  }

  it('refuses a snapshot whose weights are not finite, as the ONNX path does', async () => {
    const diverged = join(root, 'diverged');
    cpSync(tiny, diverged, { recursive: true });
    const file = join(diverged, 'trajectory.npy');
    const traj = readNpy(file);
    const data = Float32Array.from(traj.data as Float32Array);
    // a weight the attention does not read (the last, in the MLP), in the fourth snapshot
    data[4 * traj.shape[1] - 1] = NaN;
    writeNpy(file, data, traj.shape);
    const src = await openSource(`${diverged}@${0}`);
    const tokens = sequences(1, src.checkpoint.T, src.checkpoint.V, 1);
    const message = /the weights of .* at step \d+ are not finite numbers/;
    await expect(attentionOverTraining(src, tokens)).rejects.toThrow(message);
    await expect(attentionOverTraining(throughOnnx(src), tokens)).rejects.toThrow(message);
    // before that snapshot, both answer
    expect((await attentionOverTraining(src, tokens, { to: src.steps[2] })).steps).toEqual(src.steps.slice(0, 3));
    await src.session.release();
  });

  it('computes only the rows a heatmap draws when given maxRows: the same numbers and signs of change as the full table at those rows', async () => {
    const src = await openSource(tiny);
    const { T, V } = src.checkpoint;
    const tokens = sequences(2, T, V, 9);
    const full = await attentionOverTraining(src, tokens);
    const maxRows = 10;
    expect(full.steps.length).toBeGreaterThan(maxRows);
    for (const s of [src, throughOnnx(src)]) {
      const some = await attentionOverTraining(s, tokens, { maxRows });
      expect(some.snapshots).toBe(full.steps.length);
      expect(some.steps.length).toBeLessThanOrEqual(maxRows);
      expect(some.spans).toHaveLength(some.steps.length);
      // the rows tile the step axis from the first snapshot to the last
      expect(some.spans![0][0]).toBe(full.steps[0]);
      expect(some.spans!.at(-1)![1]).toBe(full.steps.at(-1));
      some.spans!.forEach(([from, to], i) => {
        expect(from).toBeLessThanOrEqual(some.steps[i]);
        expect(to).toBeGreaterThanOrEqual(some.steps[i]);
        if (i > 0) expect(from).toBe(some.spans![i - 1][1]);
      });
      const width = 2 * T;
      some.steps.forEach((step, i) => {
        const r = full.steps.indexOf(step);
        for (let j = 0; j < width; j++) {
          expect(Math.abs(some.values[i * width + j] - full.values[r * width + j])).toBeLessThan(1e-5);
          // the change since the snapshot before, drawn or not
          if (Math.abs(full.values[r * width + j] - (r > 0 ? full.values[(r - 1) * width + j] : NaN)) > 1e-5) expect(some.change[i * width + j]).toBe(full.change[r * width + j]);
        }
      });
      expect(some.change.some((c) => c !== 0)).toBe(true);
    }
    // without maxRows: every snapshot, as before
    expect(full.spans).toBeUndefined();
    expect(full.snapshots).toBe(full.steps.length);
    await src.session.release();
  });

  it('is not used for checkpoints, whose graphs may compute attention otherwise', async () => {
    const src = await openSource(tiny);
    expect(attentionFromTrajectory(throughOnnx(src))).toBeNull();
    expect(attentionFromTrajectory({ ...src, trajectory: null })).toBeNull();
  });
});
