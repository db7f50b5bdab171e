/** A run cut short by --max-steps must say so: a sweep reuses only runs that ran their whole schedule. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { train } from '../../../src-main/engine/train/trainer.js';
import type { TrainConfig } from '../../../src-main/engine/train/config.js';
import { readManifest } from '../../../src-main/engine/runs/runFolder.js';
import { isFinished } from '../../../src-main/engine/experiment/sweepState.js';
import { tempDir, tinyConfig } from '../../helpers.js';

const root = tempDir();

const tiny = (): TrainConfig => tinyConfig('fig5-scratch', { steps: 30, task: { nTrain: 32, nTest: 16, nHeldout: 8 } });

describe('a run stopped by --max-steps', () => {
  it("is 'stopped' at its step, not 'complete', and becomes complete once resumed to the end", async () => {
    const dir = join(root, 'cut');
    const first = await train({ runDir: dir, config: tiny(), backend: 'wasm', maxSteps: 12 });
    expect(first.status).toBe('stopped');
    const m = readManifest(dir);
    expect(m).toMatchObject({ status: 'stopped', stoppedAtStep: 12, stepsDone: 12, totalSteps: 30 });
    expect(m.message).toMatch(/stopped early by --max-steps at step 12 of 30/);
    // finished for a sweep that asks for 12 steps (or fewer), not for one that wants the schedule
    expect([isFinished(m, 12), isFinished(m, 10), isFinished(m, 20), isFinished(m, null)]).toEqual([true, true, false, false]);
    const rest = await train({ runDir: dir, resume: true, backend: 'wasm' });
    expect(rest.status).toBe('complete');
    expect(readManifest(dir)).toMatchObject({ status: 'complete', stoppedAtStep: null, stepsDone: 30 });
  });

  it('is complete when --max-steps covers the whole schedule', async () => {
    const r = await train({ runDir: join(root, 'whole'), config: tiny(), backend: 'wasm', maxSteps: 30 });
    expect(r.status).toBe('complete');
  });
});
