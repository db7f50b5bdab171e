/**
 * Everything a training run writes to its folder, in one place: run.json, the datasets,
 * metrics.csv, the trajectory and test-attention appenders, ONNX checkpoints and the resume
 * state. The trainer only optimises and tells the writer what happened.
 *
 * Crash safety: run.json, checkpoints and the resume state are replaced atomically (temporary
 * file + rename); the .npy appenders rewrite their row count after each row; metrics.csv only
 * ever gains whole lines between resume points. run.json's `snapshotSteps` and `resume` say
 * which rows and which state are valid, so a run killed at any moment resumes to the numbers an
 * uninterrupted run gives.
 */
import { accessSync, constants, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { paramLayout } from '../model/config.js';
import type { BackendName } from '../backend.js';
import { NpyRowAppender } from '../io/npy.js';
import type { Dataset, TaskData } from '../task/data.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readDataset, writeTaskData } from './datasets.js';
import { dataSeedOf, modelSeedOf, moduliOf, phaseBoundaries, totalSteps, type TrainConfig } from './runConfig.js';
import {
  RUN_FORMAT,
  RUN_FORMAT_VERSION,
  appendMetrics,
  datasetDir,
  paths,
  readManifest,
  refuseWriteIntoRun,
  startMetrics,
  truncateMetrics,
  writeManifest,
  type MetricRow,
  type RunManifest,
  type RunStatus,
} from './runFolder.js';
import { checkpointBytes } from './snapshot.js';
import { acquireWriterLock, type WriterLock } from './writerLock.js';
import { makeDirectory } from '../io/directories.js';
import { readResumeState, removeStaleResumeStates, writeResumeState, type ResumePoint } from './resumeState.js';
import { clearUnstartedRun, isUnstartedRun } from './unstartedRun.js';

export type { ResumePoint } from './resumeState.js';

/** A run folder that cannot be started or continued; the message says why and what to do. */
export class RunWriteError extends Error {
  override name = 'RunWriteError';
}

/** Adam's state as the optimiser reports it. */
export interface OptimizerState {
  t: number;
  m: Float32Array;
  v: Float32Array;
}

/** Makes a new run's folder; returns true when it holds a run killed before its first run.json, to be started again. */
function prepareNewRunDir(dir: string): boolean {
  refuseWriteIntoRun(dir);
  if (existsSync(dir)) {
    if (readdirSync(dir).length > 0) {
      if (isUnstartedRun(dir)) return true;
      throw new RunWriteError(`${dir} already exists and is not empty; choose a new --out folder, or --resume it to continue a run`);
    }
  } else {
    let parent = dirname(resolve(dir));
    while (!existsSync(parent)) parent = dirname(parent);
    try {
      accessSync(parent, constants.W_OK);
    } catch {
      throw new RunWriteError(`cannot create ${dir}: ${parent} is not writable; choose another --out folder`);
    }
  }
  makeRunDirs(dir);
  return false;
}

function makeRunDirs(dir: string): void {
  try {
    makeDirectory(paths(dir).checkpoints);
    makeDirectory(dirname(paths(dir).resumeState));
  } catch (err) {
    throw new RunWriteError(`cannot create the run folder ${dir}: ${(err as Error).message}`);
  }
}

/** Under the writer lock: clears a run killed before its first run.json, if it still is one. */
function clearForRestart(dir: string): void {
  if (!isUnstartedRun(dir)) throw new RunWriteError(`${dir} already exists and is not empty; choose a new --out folder, or --resume it to continue a run`);
  clearUnstartedRun(dir);
  makeRunDirs(dir);
}

export class RunWriter {
  readonly dir: string;
  /** run.json as it will next be written; the writer keeps it current */
  readonly manifest: RunManifest;
  /** the saved state a resumed run continues from (null for a new run) */
  readonly resumeFrom: ResumePoint | null;
  /** a new run that cleared a run killed in this folder before its first run.json */
  restarted = false;
  private trajectory: NpyRowAppender | null = null;
  private attention: NpyRowAppender | null = null;
  private readonly lock: WriterLock;

  private constructor(dir: string, manifest: RunManifest, resumeFrom: ResumePoint | null, lock: WriterLock) {
    this.dir = dir;
    this.manifest = manifest;
    this.resumeFrom = resumeFrom;
    this.lock = lock;
  }

  /**
   * Creates a new run folder (which must not exist, or be empty) and writes its datasets. run.json
   * is written by start(), once the backend is known.
   */
  static create(dir: string, config: TrainConfig, data: Map<number, TaskData>, opts: { maxSteps: number | null; dataSource: string }): RunWriter {
    const restart = prepareNewRunDir(dir);
    const lock = acquireWriterLock(dir);
    if (restart) {
      try {
        clearForRestart(dir);
      } catch (err) {
        lock.release();
        throw err;
      }
    }
    const layout = paramLayout(config.model);
    const manifest: RunManifest = {
      format: RUN_FORMAT,
      version: RUN_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      updatedAt: '',
      status: 'running',
      message: null,
      config,
      seeds: { seed: config.seed, data: dataSeedOf(config), model: modelSeedOf(config) },
      dataSource: opts.dataSource,
      backend: 'cpu',
      versions: {},
      parameterCount: layout.total,
      layout: layout.params.map((p) => ({ name: p.name, shape: p.shape, offset: p.offset })),
      totalSteps: totalSteps(config),
      maxSteps: opts.maxSteps,
      stepsDone: 0,
      phases: phaseBoundaries(config),
      snapshotSteps: [],
      datasets: {},
      checkpoints: [],
      resume: null,
      seconds: 0,
    };
    try {
      for (const [p, d] of data) {
        writeTaskData(datasetDir(dir, p), d);
        manifest.datasets[`p${p}`] = { train: d.train.n, test: d.test.n, heldout: d.heldout.n, testOverlap: d.testOverlap };
      }
    } catch (err) {
      lock.release();
      throw err;
    }
    const writer = new RunWriter(dir, manifest, null, lock);
    writer.restarted = restart;
    return writer;
  }

  /**
   * Opens a run to continue it from its resume state, checked against run.json. `maxSteps`
   * replaces the run's own limit (undefined or null: the whole schedule).
   */
  static resume(dir: string, maxSteps?: number | null): RunWriter {
    if (isUnstartedRun(dir)) throw new RunWriteError(`${dir} was stopped before its first save, so there is nothing to resume; start it again with the same train --preset … --out ${dir} (the folder is cleared)`);
    readManifest(dir); // a folder that is not a run gets its sentence before any lock is taken
    const lock = acquireWriterLock(dir);
    try {
      return RunWriter.resumeLocked(dir, maxSteps, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private static resumeLocked(dir: string, maxSteps: number | null | undefined, lock: WriterLock): RunWriter {
    const manifest = readManifest(dir);
    const target = maxSteps ?? manifest.totalSteps;
    // A run killed after its last save but before it was marked complete only needs marking.
    const unmarked = manifest.status !== 'complete' && manifest.resume?.step === manifest.stepsDone && target === manifest.stepsDone;
    if (target <= manifest.stepsDone && !unmarked) {
      throw new RunWriteError(`${dir} has already taken ${manifest.stepsDone} of its ${manifest.totalSteps} steps; nothing to resume`);
    }
    if (!manifest.resume) throw new RunWriteError(`${dir} has no resume state (it stopped before its first snapshot); start it again instead`);
    let from: ResumePoint;
    try {
      from = readResumeState(dir, manifest);
    } catch (err) {
      throw new RunWriteError((err as Error).message);
    }
    // A resumed run goes on to the end of its schedule unless told to stop earlier again.
    manifest.maxSteps = maxSteps ?? null;
    return new RunWriter(dir, manifest, from, lock);
  }

  /** The datasets the run trained on, as saved in its data/ folder. */
  readData(): Map<number, TaskData> {
    const m = this.manifest;
    const out = new Map<number, TaskData>();
    for (const p of moduliOf(m.config)) {
      const folder = datasetDir(this.dir, p);
      const read = (split: 'train' | 'test' | 'heldout'): Dataset => readDataset(folder, split, p, m.config.task.T);
      const train = read('train');
      const test = read('test');
      out.set(p, { p, train, test, heldout: read('heldout'), testOverlap: m.datasets[`p${p}`]?.testOverlap ?? 0 });
    }
    return out;
  }

  /** Removes a new run's folder (when it cannot start); a resumed run's folder is left alone. */
  discard(): void {
    this.lock.release();
    if (!this.resumeFrom) rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Opens the appenders (a resumed run drops the rows and metrics past its resume step) and
   * marks the run running. Test attention rows are [nTest, T].
   */
  start(backend: BackendName, versions: Record<string, string>, attentionShape: number[]): void {
    const m = this.manifest;
    const P = m.parameterCount;
    m.backend = backend;
    m.versions = versions;
    const step = this.resumeFrom?.step ?? 0;
    if (this.resumeFrom) {
      m.snapshotSteps = m.snapshotSteps.filter((k) => k <= step);
      this.trajectory = NpyRowAppender.reopen(paths(this.dir).trajectory, [P], m.snapshotSteps.length);
      this.attention = NpyRowAppender.reopen(paths(this.dir).testAttention, attentionShape, m.snapshotSteps.length);
      truncateMetrics(this.dir, step);
    } else {
      startMetrics(this.dir);
      this.trajectory = NpyRowAppender.create(paths(this.dir).trajectory, [P]);
      this.attention = NpyRowAppender.create(paths(this.dir).testAttention, attentionShape);
    }
    m.status = 'running';
    m.message = null;
    m.stepsDone = step;
    // A new run's first run.json is written by its first save (step 0), so that every run.json
    // has a state to resume from.
    if (this.resumeFrom) writeManifest(this.dir, m);
  }

  /** Whether θ_k is already the last snapshot (a stop can ask for the same step twice). */
  hasSnapshot(k: number): boolean {
    return this.manifest.snapshotSteps.at(-1) === k;
  }

  /** Appends θ_k and its test attention as the next snapshot; with `checkpoint`, also θ_k as ONNX. */
  appendSnapshot(k: number, theta: Float32Array, attention: Float32Array, checkpoint: boolean): void {
    const rows = this.trajectory!.rowCount;
    try {
      this.trajectory!.append(theta);
      if (checkpoint) this.writeCheckpoint(k, theta);
      this.attention!.append(attention);
    } catch (err) {
      // All or nothing: both files keep the same rows as run.json's snapshot steps.
      this.trajectory!.truncate(rows);
      this.attention!.truncate(rows);
      throw err;
    }
    this.manifest.snapshotSteps.push(k);
  }

  private writeCheckpoint(k: number, theta: Float32Array): void {
    const file = `step-${String(k).padStart(6, '0')}.onnx`;
    writeFileAtomic(join(paths(this.dir).checkpoints, file), checkpointBytes(this.manifest.config, k, theta));
    this.manifest.checkpoints = this.manifest.checkpoints.filter((x) => x.step !== k).concat({ step: k, file: `checkpoints/${file}` });
  }

  /** Appends finished rows to metrics.csv. */
  appendMetrics(rows: MetricRow[]): void {
    appendMetrics(this.dir, rows);
  }

  /**
   * Saves the state to resume from after `step` updates (θ, Adam's moments) and then run.json,
   * which points at it; `seconds` is the training time so far.
   */
  saveResume(step: number, theta: Float32Array, adam: OptimizerState, seconds: number): void {
    const m = this.manifest;
    const file = writeResumeState(this.dir, step, theta, adam, m.snapshotSteps.length);
    m.resume = { step, adamT: adam.t, file };
    m.stepsDone = step;
    m.seconds = seconds;
    writeManifest(this.dir, m, false);
    removeStaleResumeStates(this.dir, file);
    this.lock.touch();
  }

  /**
   * Closes the appenders and writes the final run.json (durably); returns the final status. A run
   * that ended 'complete' short of its schedule (--max-steps) is 'stopped', with the step: it must
   * not pass for a finished run.
   */
  finish(status: RunStatus, message: string | null, seconds: number): RunStatus {
    const m = this.manifest;
    m.stepsDone = Math.max(m.stepsDone, m.resume?.step ?? 0);
    if (status === 'complete' && m.stepsDone < m.totalSteps) {
      status = 'stopped';
      message = `stopped early by --max-steps at step ${m.stepsDone} of ${m.totalSteps}`;
    }
    m.status = status;
    m.message = message;
    m.stoppedAtStep = status === 'stopped' ? m.stepsDone : null;
    m.seconds = seconds;
    try {
      this.trajectory?.close();
      this.attention?.close();
      writeManifest(this.dir, m);
    } finally {
      this.lock.release();
    }
    return status;
  }
}
