/**
 * How an experiment starts its runs: runExperiment calls the RunLauncher it is given (never the
 * CLI), workerRunLauncher turns a run into a train job on a worker, and the Electron launcher
 * puts that worker in a utility process (electron mocked, the utility process a fake).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers.js';

class FakeChild extends EventEmitter {
  postMessage = vi.fn();
  kill = vi.fn(() => true);
}

const electron = vi.hoisted(() => ({ utilityProcess: { fork: vi.fn() } }));
vi.mock('electron', () => electron);

import { runExperiment } from '../../src-main/engine/experiment/experiment.js';
import type { RunLauncher, TrainRunSpec } from '../../src-main/engine/experiment/launcher.js';
import type { TrainProgress } from '../../src-main/engine/train/trainer.js';
import { trainJobSpec, workerRunLauncher } from '../../src-main/jobs/launchers.js';
import type { FromWorker, ToWorker, WorkerLauncher } from '../../src-main/jobs/protocol.js';
import { utilityProcessRunLauncher } from '../../src-main/app/utility-process-launcher.js';

const progress: TrainProgress = { step: 5, totalSteps: 10, phase: 'p4', p: 4, trainLoss: 1, trainAcc: 0.5, testLoss: 1.1, testAcc: 0.4, stepsPerSecond: 100 };

/** A WorkerLauncher whose worker is driven by the test. */
function fakeWorkers() {
  const sent: ToWorker[] = [];
  let reply: (m: FromWorker) => void = () => {};
  let exit: (code: number | null) => void = () => {};
  const launch: WorkerLauncher = (onMessage, onExit) => {
    reply = onMessage;
    exit = onExit;
    return { send: (m) => sent.push(m), kill: () => {} };
  };
  return { launch, sent, reply: (m: FromWorker) => reply(m), exit: (c: number | null) => exit(c) };
}

describe('runExperiment', () => {
  it('trains every schedule and seed through the launcher it is given, and records its failures', async () => {
    const out = tempDir('cw-launch-');
    const specs: TrainRunSpec[] = [];
    const launch: RunLauncher = async (spec, _signal, onProgress) => {
      specs.push(spec);
      onProgress(progress);
      if (spec.kind === 'new' && spec.preset === 'fig5-scratch') throw new Error(`${spec.runDir} failed: the training loss became NaN`);
    };
    const seen: string[] = [];
    const r = await runExperiment({ experiment: 'fig5', seeds: [0, 3], outDir: out, jobs: 1, maxSteps: 7, backend: 'wasm', launch, onProgress: (p) => seen.push(`${p.run}:${p.done ? 'done' : p.step}`) });
    expect(specs).toEqual([
      { kind: 'new', preset: 'fig5-scratch', seed: 0, runDir: join(out, 'scratch-s0'), maxSteps: 7, backend: 'wasm' },
      { kind: 'new', preset: 'fig5-scratch', seed: 3, runDir: join(out, 'scratch-s3'), maxSteps: 7, backend: 'wasm' },
      { kind: 'new', preset: 'fig5-curriculum', seed: 0, runDir: join(out, 'curriculum-s0'), maxSteps: 7, backend: 'wasm' },
      { kind: 'new', preset: 'fig5-curriculum', seed: 3, runDir: join(out, 'curriculum-s3'), maxSteps: 7, backend: 'wasm' },
    ]);
    expect(seen.slice(0, 2)).toEqual([`${join(out, 'scratch-s0')}:5`, `${join(out, 'scratch-s0')}:done`]);
    expect(r.failures.map((f) => f.message)).toEqual([`${join(out, 'scratch-s0')} failed: the training loss became NaN`, `${join(out, 'scratch-s3')} failed: the training loss became NaN`]);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).failures).toHaveLength(2);
  });
});

describe('workerRunLauncher', () => {
  it('sends a train job, passes progress on, and resolves when the worker is done', async () => {
    const w = fakeWorkers();
    const onProgress = vi.fn();
    const spec: TrainRunSpec = { kind: 'new', preset: 'fig5-curriculum', seed: 2, runDir: '/runs/c-s2', maxSteps: 50, backend: 'wasm' };
    const done = workerRunLauncher(w.launch)(spec, new AbortController().signal, onProgress);
    expect(w.sent).toEqual([{ type: 'start', spec: trainJobSpec(spec) }]);
    const job = w.sent[0].type === 'start' ? w.sent[0].spec : null;
    expect(job).toMatchObject({ kind: 'train', runDir: '/runs/c-s2', maxSteps: 50, backend: 'wasm', config: { preset: 'fig5-curriculum', seed: 2 } });
    w.reply({ type: 'progress', fraction: 0.5, stage: 'step 5', train: progress });
    w.reply({ type: 'progress', fraction: 0.6, stage: 'no report' });
    expect(onProgress).toHaveBeenCalledTimes(1);
    expect(onProgress).toHaveBeenCalledWith(progress);
    w.reply({ type: 'done', result: null });
    w.exit(0);
    await expect(done).resolves.toBeUndefined();
  });

  it('resumes a run, cancels it through the signal, and rejects with a sentence', async () => {
    const w = fakeWorkers();
    const controller = new AbortController();
    const run = workerRunLauncher(w.launch)({ kind: 'resume', runDir: '/runs/s0', maxSteps: null }, controller.signal, () => {});
    expect(w.sent[0]).toEqual({ type: 'start', spec: { kind: 'train', runDir: '/runs/s0', config: null, resume: true, maxSteps: null, backend: undefined } });
    controller.abort();
    expect(w.sent[1]).toEqual({ type: 'cancel' });
    w.reply({ type: 'cancelled' });
    await expect(run).rejects.toThrow('/runs/s0 was cancelled; run the experiment again to resume it');
  });

  it('rejects with the worker’s message when training fails, or when the worker dies', async () => {
    const w = fakeWorkers();
    const failing = workerRunLauncher(w.launch)({ kind: 'resume', runDir: '/r', maxSteps: null }, new AbortController().signal, () => {});
    w.reply({ type: 'failed', message: 'the training loss became NaN at step 3; try a smaller learning rate' });
    await expect(failing).rejects.toThrow(/loss became NaN at step 3/);
    const dying = workerRunLauncher(w.launch)({ kind: 'resume', runDir: '/r', maxSteps: null }, new AbortController().signal, () => {});
    w.exit(9);
    await expect(dying).rejects.toThrow('the worker training /r ended unexpectedly (exit code 9)');
  });
});

describe('the Electron run launcher', () => {
  it('trains each run in a utility process on the job-worker entry', async () => {
    const child = new FakeChild();
    electron.utilityProcess.fork.mockReturnValue(child);
    const onProgress = vi.fn();
    const run = utilityProcessRunLauncher('/opt/cw/out/main/job-worker.js')({ kind: 'new', preset: 'fig5-scratch', seed: 1, runDir: '/runs/s1', maxSteps: 20 }, new AbortController().signal, onProgress);
    expect(electron.utilityProcess.fork.mock.calls[0][0]).toBe('/opt/cw/out/main/job-worker.js');
    expect(child.postMessage.mock.calls[0][0]).toMatchObject({ type: 'start', spec: { kind: 'train', runDir: '/runs/s1', maxSteps: 20, config: { preset: 'fig5-scratch', seed: 1 } } });
    child.emit('message', { type: 'progress', fraction: 0.5, stage: 'step 10', train: progress });
    expect(onProgress).toHaveBeenCalledWith(progress);
    child.emit('message', { type: 'done', result: null });
    await expect(run).resolves.toBeUndefined();
  });
});
