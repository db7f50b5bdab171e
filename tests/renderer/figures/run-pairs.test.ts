/**
 * Which runs the single-run views show side by side, at which step and on which data, and where the
 * Embeddings view opens on the bundled demo (src-renderer/src/figures/runPairs.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SourceInfo } from '../../../src-main/api/contract.js';
import { evalPFor, nearestStep, paperPicture, phaseAt, samplesFor, scratchCurriculumPair } from '../../../src-renderer/src/figures/runPairs.js';

function source(id: string, over: Partial<SourceInfo> = {}): SourceInfo {
  const curriculum = over.preset === 'fig5-curriculum';
  return {
    id,
    path: `/runs/${id}`,
    label: id,
    kind: 'run',
    status: 'complete',
    preset: 'fig5-scratch',
    seed: 0,
    T: 12,
    V: 4,
    d: 32,
    parameterCount: 9920,
    parameterLayout: 'layout-of-d-32',
    p: 4,
    k: 5,
    dataOrigin: 'generated',
    steps: [0, 10, 20, 30, 40],
    phases: curriculum ? [{ name: 'p2', p: 2, start: 0, end: 20 }, { name: 'p4', p: 4, start: 20, end: 40 }] : [{ name: 'p4', p: 4, start: 0, end: 40 }],
    stepsDone: 40,
    totalSteps: 40,
    config: {},
    sampleSequences: [[3, 3, 3]],
    moduli: curriculum ? [{ p: 2, sampleSequences: [[1, 1, 1]] }, { p: 4, sampleSequences: [[3, 3, 3]] }] : [{ p: 4, sampleSequences: [[3, 3, 3]] }],
    ...over,
  };
}

describe('side by side', () => {
  it('finds the nearest snapshot and the phase of a step', () => {
    expect(nearestStep([0, 10, 100, 1000], 56)).toBe(100);
    expect(nearestStep([0, 10, 20], 15)).toBe(10); // ties to the earlier
    expect(nearestStep([], 3)).toBeNull();
    const c = source('c', { preset: 'fig5-curriculum' });
    expect(phaseAt(c.phases, 0)?.p).toBe(2);
    expect(phaseAt(c.phases, 20)?.p).toBe(2); // the step that ends a phase belongs to it
    expect(phaseAt(c.phases, 21)?.p).toBe(4);
    expect(phaseAt([], 5)).toBeNull();
  });

  it('evaluates each run on its own phase’s data, or on the chosen modulus when the run has it', () => {
    const c = source('c', { preset: 'fig5-curriculum' });
    const s = source('s');
    expect(evalPFor(c, 10, null)).toBe(2);
    expect(evalPFor(c, 30, null)).toBe(4);
    expect(evalPFor(s, 10, null)).toBe(4);
    expect(evalPFor(c, 30, 2)).toBe(2);
    expect(evalPFor(s, 10, 2)).toBe(4); // a scratch run has no p = 2 data
    expect(samplesFor(c, 2)).toEqual([[1, 1, 1]]);
    expect(samplesFor(s, 2)).toEqual([[3, 3, 3]]);
  });

  it('pairs a scratch and a curriculum run of the same task, the fig5 pair of one seed first', () => {
    const runs = [
      source('other-shape', { T: 8, preset: 'fig5-curriculum', seed: 1 }),
      source('scratch-s0', { seed: 0 }),
      source('curriculum-s1', { preset: 'fig5-curriculum', seed: 1 }),
      source('scratch-s1', { seed: 1 }),
      source('curriculum-s0', { preset: 'fig5-curriculum', seed: 0 }),
    ];
    const pair = scratchCurriculumPair(runs, 'curriculum-s1');
    expect([pair?.scratch.id, pair?.curriculum.id]).toEqual(['scratch-s1', 'curriculum-s1']);
    expect(scratchCurriculumPair(runs.slice(0, 3))?.scratch.id).toBe('scratch-s0');
    expect(scratchCurriculumPair([runs[1], runs[3]])).toBeNull(); // two scratch runs
    expect(scratchCurriculumPair([runs[0], runs[1]])).toBeNull(); // different task shapes
    expect(scratchCurriculumPair([source('a.onnx', { kind: 'onnx' }), runs[2]])).toBeNull(); // a checkpoint is not a run
  });

  it('opens the Embeddings view on the demo’s d = 2 fig4 run at the end of its p = 2 phase', () => {
    const fig4 = source('fig4-s9', { preset: 'fig4', d: 2, path: '/demo/fig4-s9', steps: [0, 400, 63600, 64000, 64400, 70400], phases: [{ name: 'p2', p: 2, start: 0, end: 64000 }, { name: 'p4', p: 4, start: 64000, end: 70400 }] });
    const demo = ['/demo/curriculum-s4/', '/demo/fig4-s9/'];
    expect(paperPicture([source('c', { preset: 'fig5-curriculum', path: '/demo/curriculum-s4' }), fig4], demo)).toEqual({ id: 'fig4-s9', step: 64000 });
    // not a demo run, or not d = 2: no default
    expect(paperPicture([fig4], ['/elsewhere'])).toBeNull();
    expect(paperPicture([{ ...fig4, d: 32 }], demo)).toBeNull();
  });
});
