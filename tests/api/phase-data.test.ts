/**
 * The views evaluate on the data of the curriculum phase the cursor is in (issue 9, item 4): the
 * API derives the p = 2 data from the p = 4 data a run was opened with, and picks the phase's
 * modulus unless the user chose the other one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import { train } from '../../src-main/engine/train/trainer.js';
import { drawUniforms, taskData, type TaskConfig } from '../../src-main/engine/task/data.js';
import { derivable, reduceTokens } from '../../src-main/engine/task/modulus.js';
import type { Channel, Request, Response } from '../../src-main/api/contract.js';
import { tempDir, tinyConfig } from '../helpers.js';

const root = tempDir();
const run = join(root, 'curriculum');
const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([root])), jobs: new JobManager(), workspaces: [root] });
const call = <C extends Channel>(c: C, req: Request<C>) => dispatch(handlers, c, req) as Promise<Response<C>>;

beforeAll(async () => {
  const c = tinyConfig('fig5-curriculum', { steps: 10, task: { nHeldout: 0 }, snapshots: { denseUntil: 20, every: 1 } });
  await train({ runDir: run, config: c, backend: 'wasm' });
}, 120_000);

describe('data for a modulus', () => {
  it('halves the p = 4 tokens into exactly the p = 2 tokens the curriculum trained on', () => {
    const task: TaskConfig = { T: 12, k: 5, nTrain: 256, nTest: 64, nHeldout: 0 };
    const u = drawUniforms(task, 7);
    const four = taskData(task, 4, u, 7);
    const two = taskData(task, 2, u, 7);
    expect(Array.from(reduceTokens(four.train.tokens, 4, 2))).toEqual(Array.from(two.train.tokens));
    expect(Array.from(reduceTokens(four.test.tokens, 4, 2))).toEqual(Array.from(two.test.tokens));
    expect(derivable(4, 2)).toBe(true);
    expect(derivable(4, 3)).toBe(false);
    expect(() => reduceTokens([1], 4, 3)).toThrow(/3 must divide 4/);
  });
});

describe('the API follows the phase of the step', () => {
  it('offers both moduli, with p = 2 samples that are the p = 4 samples halved', async () => {
    const info = await call('source.open', { path: run });
    expect(info.moduli.map((m) => m.p)).toEqual([2, 4]);
    const [two, four] = info.moduli;
    expect(two.sampleSequences).toEqual(four.sampleSequences.map((s) => s.map((x) => Math.floor(x / 2))));
    expect(two.sampleSequences.flat().every((x) => x < 2)).toBe(true);
    expect(info.sampleSequences).toEqual(four.sampleSequences);
  });

  it('evaluates attention targets on the phase’s modulus unless another is asked for', async () => {
    const info = await call('source.open', { path: run });
    const tokens = [[1, 1, 1, 0, 1, 0]];
    const early = await call('analysis.attention', { id: info.id, step: 5, tokens });
    expect(early).toMatchObject({ p: 2, phaseP: 2, target: [1] }); // 3 mod 2
    const chosen = await call('analysis.attention', { id: info.id, step: 5, tokens, p: 4 });
    expect(chosen).toMatchObject({ p: 4, phaseP: 2, target: [3] });
    const late = await call('analysis.attention', { id: info.id, step: 20, tokens });
    expect(late).toMatchObject({ p: 4, phaseP: 4, target: [3] });
    await expect(call('analysis.attention', { id: info.id, step: 5, tokens, p: 3 })).rejects.toThrow(/no data for p = 3; it can be evaluated on p = 2 or 4/);
  });

  it('embeds the phase’s prefixes and data sets', async () => {
    const info = await call('source.open', { path: run });
    const early = await call('analysis.embeddings', { id: info.id, step: 10, set: 'prefixes' });
    expect(early.p).toBe(2);
    expect(early.phaseP).toBe(2);
    expect(early.points).toHaveLength(2 ** 3);
    const late = await call('analysis.embeddings', { id: info.id, step: 10, set: 'prefixes', p: 4 });
    expect(late.points).toHaveLength(4 ** 3);
    const test2 = await call('analysis.embeddings', { id: info.id, step: 10, set: 'test' });
    expect(test2.p).toBe(2);
    expect(test2.points.every((pt) => /^[01]+$/.test(pt.tokens))).toBe(true);
    // each point's target is the data's: the sum of the first k tokens mod the phase's p
    expect(test2.points.every((pt) => pt.target === pt.label % 2)).toBe(true);
    expect(early.points.every((pt) => pt.target === pt.label % 2)).toBe(true);
    const test4 = await call('analysis.embeddings', { id: info.id, step: 11, set: 'test' });
    expect(test4.p).toBe(4);
    expect(test4.points.some((pt) => /[23]/.test(pt.tokens))).toBe(true);
  });
});
