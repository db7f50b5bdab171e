/**
 * How a sweep starts its runs: runSweepLocally calls the RunLauncher it is given (never the CLI),
 * workerRunLauncher turns a run (its preset, seed and overrides) into a train job on a worker, and
 * the Electron launcher puts that worker in a utility process (electron mocked, the utility
 * process a fake). There is one launcher: no second copy for sweeps.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers.js';

class FakeChild extends EventEmitter {
  postMessage = vi.fn();
  kill = vi.fn(() => true);
}

const electron = vi.hoisted(() => ({ utilityProcess: { fork: vi.fn() } }));
vi.mock('electron', () => electron);

import { runSweepLocally } from '../../src-main/engine/experiment/localScheduler.js';
import { openSweep } from '../../src-main/engine/experiment/sweep.js';
import { runConfig } from '../../src-main/engine/experiment/sweepSpec.js';
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

describe('runSweepLocally', () => {
  const spec = { schedules: [{ name: 'scratch', preset: 'fig5-scratch' }, { name: 'curriculum', preset: 'fig5-curriculum' }], seeds: [0, 3], grid: [{ path: 'lr', values: ['1e-2'] }], set: ['task.nTrain=64'], maxSteps: 7 };

  it('trains every run through the launcher it is given, with its overrides, and records its failures', async () => {
    const out = tempDir('cw-launch-');
    const sweep = openSweep(out, spec, 'local');
    const specs: TrainRunSpec[] = [];
    const launch: RunLauncher = async (s, _signal, onProgress) => {
      specs.push(s);
      onProgress(progress);
      if (s.kind === 'new' && s.preset === 'fig5-scratch') throw new Error(`${s.runDir} failed: the training loss became NaN`);
    };
    const seen: string[] = [];
    const r = await runSweepLocally({ sweepDir: out, sweep, launch, jobs: 1, onProgress: (p) => seen.push(`${p.run.dir}:${p.done ? 'done' : p.step}`) });
    const cell = join(out, 'lr=1e-2');
    const overrides = ['task.nTrain=64', 'lr=1e-2'];
    expect(specs).toEqual([
      { kind: 'new', preset: 'fig5-scratch', seed: 0, overrides, runDir: join(cell, 'scratch-s0'), maxSteps: 7 },
      { kind: 'new', preset: 'fig5-scratch', seed: 3, overrides, runDir: join(cell, 'scratch-s3'), maxSteps: 7 },
      { kind: 'new', preset: 'fig5-curriculum', seed: 0, overrides, runDir: join(cell, 'curriculum-s0'), maxSteps: 7 },
      { kind: 'new', preset: 'fig5-curriculum', seed: 3, overrides, runDir: join(cell, 'curriculum-s3'), maxSteps: 7 },
    ]);
    expect(seen.slice(0, 2)).toEqual([`${join('lr=1e-2', 'scratch-s0')}:5`, `${join('lr=1e-2', 'scratch-s0')}:done`]);
    expect(r.failures.map((f) => f.message)).toEqual([`${join(cell, 'scratch-s0')} failed: the training loss became NaN`, `${join(cell, 'scratch-s3')} failed: the training loss became NaN`]);
    expect(readFileSync(join(out, 'local', '0.err'), 'utf8')).toMatch(/loss became NaN/);
  });

  it('a run stopped by cancelling the sweep is not a failure, and the runs after it never start', async () => {
    const out = tempDir('cw-launch-');
    const sweep = openSweep(out, spec, 'local');
    const controller = new AbortController();
    const started: string[] = [];
    const launch: RunLauncher = (s, signal) =>
      new Promise((_resolve, reject) => {
        started.push(s.runDir);
        controller.abort();
        if (signal.aborted) reject(new Error(`${s.runDir} was cancelled; run the sweep again to resume it`));
      });
    const r = await runSweepLocally({ sweepDir: out, sweep, launch, jobs: 1, signal: controller.signal });
    expect(started).toHaveLength(1);
    expect(r.failures).toEqual([]);
    expect(existsSync(join(out, 'local'))).toBe(false);
  });

  it('a new run’s train job has the configuration a SLURM task would train: preset, seed, then the overrides in order', () => {
    const job = trainJobSpec({ kind: 'new', preset: 'fig5-curriculum', seed: 4, overrides: ['task.nTrain=64', 'lr=1e-2', 'phases.0.steps=500'], runDir: '/r', maxSteps: null });
    expect(job).toEqual({ kind: 'train', runDir: '/r', config: runConfig({ preset: 'fig5-curriculum', seed: 4, overrides: ['task.nTrain=64', 'lr=1e-2', 'phases.0.steps=500'] }), maxSteps: null, backend: undefined });
    expect(job.kind === 'train' && job.config).toMatchObject({ seed: 4, task: { nTrain: 64 }, phases: [{ steps: 500, lr: 0.01 }, { lr: 0.01 }] });
  });

  it('refuses invalid overrides before any worker starts', async () => {
    const w = fakeWorkers();
    let launched = 0;
    const launch: WorkerLauncher = (m, e) => (launched++, w.launch(m, e));
    await expect(workerRunLauncher(launch)({ kind: 'new', preset: 'fig5-scratch', seed: 0, overrides: ['model.d=-3'], runDir: '/r', maxSteps: null }, new AbortController().signal, () => {})).rejects.toThrow('d must be a positive integer, got -3');
    expect(launched).toBe(0);
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
    await expect(run).rejects.toThrow('/runs/s0 was cancelled; run the sweep again to resume it');
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
