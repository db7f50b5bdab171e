/**
 * The training loop. Every door (CLI, job workers, HTTP server, tests) trains through `train()`;
 * everything written to the run folder goes through a RunWriter (runs/runWriter.ts).
 *
 * Per update s (the reference's logging): train loss and accuracy of the forward pass at θ_s
 * (the one whose gradient is taken), test loss and accuracy at θ_{s+1}. Scalars are read back in
 * blocks, not every step; parameters are read only at snapshot steps. The steps themselves are
 * computed by a StepBackend (step-backend.ts): one ONNX graph per step on onnxruntime by default,
 * or the TensorFlow.js model.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { selectBackend, versions, type BackendName } from '../backend.js';
import { initParams, paramLayout } from '../model/config.js';
import { countOverlap, sequenceSet, type Dataset, type TaskData } from '../task/data.js';
import { Rng, deriveSeed } from '../task/rng.js';
import { openStepBackend, type PreparedBatch, type StepBackend } from './step-backend.js';
import { ConfigError, dataSeedOf, learningRateScales, moduliOf, modelSeedOf, phaseBoundaries, snapshotSteps, totalSteps, validateConfig, type TrainConfig } from './config.js';
import type { MetricRow, RunStatus } from '../runs/runFolder.js';
import { emptyDataset, findDataFolder, generateTaskData, readDataset } from '../runs/datasets.js';
import { RunWriter } from '../runs/runWriter.js';
import { fileSystemSentence } from '../io/atomic.js';

export interface TrainProgress {
  step: number;
  totalSteps: number;
  phase: string;
  p: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  stepsPerSecond: number;
}

export interface TrainOptions {
  /** the run folder itself; must not exist or be empty (unless resuming) */
  runDir: string;
  /** a new run's configuration (ignored when resuming: the run's own is used) */
  config?: TrainConfig;
  /** continue the run in runDir */
  resume?: boolean;
  backend?: BackendName | 'auto';
  /** stop after this many updates in total */
  maxSteps?: number | null;
  /** a folder of .npy datasets to train on instead of generated ones (p<P>/ subfolders, or the files themselves for a one-modulus schedule) */
  dataDir?: string | null;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** a sentence the user should read that is not an error (a folder cleared to start again) */
  onNotice?: (sentence: string) => void;
  /** steps between scalar read-backs and progress reports */
  reportEvery?: number;
  /** steps between resume states (always at phase ends and at the stop) */
  resumeEvery?: number;
}

export interface TrainResult {
  runDir: string;
  status: RunStatus;
  /** why the run failed or stopped early (null when complete) */
  message: string | null;
  stepsDone: number;
  seconds: number;
  last: MetricRow | null;
}

export class TrainError extends Error {
  override name = 'TrainError';
}

/** The datasets of every modulus the schedule uses: generated, or imported from `dataDir`. */
function buildData(c: TrainConfig, dataDir: string | null): Map<number, TaskData> {
  if (!dataDir) return generateTaskData(c);
  const ps = moduliOf(c);
  const out = new Map<number, TaskData>();
  for (const p of ps) {
    const folder = findDataFolder(dataDir, p, ps.length === 1);
    if (!folder) throw new TrainError(`${dataDir} has no p${p}/ folder; a schedule with several moduli needs one folder of .npy files per modulus (p2/, p4/, …)`);
    const train = readDataset(folder, 'train', p, c.task.T);
    const test = readDataset(folder, 'test', p, c.task.T);
    const heldout = existsSync(join(folder, 'heldout_tokens.npy')) ? readDataset(folder, 'heldout', p, c.task.T) : emptyDataset(p, c.task.T);
    out.set(p, { p, train, test, heldout, testOverlap: countOverlap(test, sequenceSet(train)) });
  }
  return out;
}

/** Trains a new run or resumes one, writing the run folder as it goes. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  let writer: RunWriter;
  let data: Map<number, TaskData>;
  if (opts.resume) {
    writer = RunWriter.resume(opts.runDir, opts.maxSteps);
    try {
      // run.json is untrusted: its schedule must pass the same checks as a new run's
      validateConfig(writer.manifest.config);
    } catch (err) {
      throw new TrainError(`${join(opts.runDir, 'run.json')} holds a configuration that cannot run: ${(err as Error).message}`);
    }
    data = writer.readData();
  } else {
    if (!opts.config) throw new ConfigError('a new run needs a configuration (a preset)');
    const c = opts.config;
    validateConfig(c);
    if (opts.maxSteps !== undefined && opts.maxSteps !== null && (!Number.isInteger(opts.maxSteps) || opts.maxSteps < 1)) {
      throw new ConfigError(`--max-steps must be a positive integer, got ${opts.maxSteps}`);
    }
    data = buildData(c, opts.dataDir ?? null);
    const dataSource = opts.dataDir ? `imported from ${resolve(opts.dataDir)}` : 'generated from the data seed';
    writer = RunWriter.create(opts.runDir, c, data, { maxSteps: opts.maxSteps ?? null, dataSource });
    if (writer.restarted) opts.onNotice?.(`${opts.runDir} held a run that was stopped before its first save (it had no run.json); starting it again from step 0`);
  }

  let backend: BackendName;
  try {
    // A resumed run continues on the backend that trained it (the backends differ in the last bits).
    const recorded = opts.resume && (!opts.backend || opts.backend === 'auto') ? writer.manifest.backend : null;
    backend = await selectBackend(recorded ?? opts.backend ?? 'auto');
  } catch (err) {
    writer.discard();
    throw new TrainError((err as Error).message);
  }
  const nTest = Math.max(...[...data.values()].map((d) => d.test.n));
  writer.start(backend, versions(), [nTest, writer.manifest.config.task.T]);
  return runLoop(writer, data, backend, opts);
}

async function runLoop(writer: RunWriter, data: Map<number, TaskData>, backend: BackendName, opts: TrainOptions): Promise<TrainResult> {
  const manifest = writer.manifest;
  const resumeFrom = writer.resumeFrom;
  const c = manifest.config;
  const layout = paramLayout(c.model);
  const P = layout.total;
  const total = totalSteps(c);
  const stopAt = Math.min(total, manifest.maxSteps ?? total);
  const keep = new Set(snapshotSteps(c));
  const reportEvery = opts.reportEvery ?? 25;
  const resumeEvery = opts.resumeEvery ?? 250;
  const boundaries = phaseBoundaries(c);
  const nTest = Math.max(...[...data.values()].map((d) => d.test.n));

  const theta0 = resumeFrom ? resumeFrom.state.slice(0, P) : initParams(c.model, modelSeedOf(c));
  let stepper: StepBackend;
  try {
    stepper = await openStepBackend(backend, { model: c.model, adam: c.adam, theta: theta0 });
  } catch (err) {
    const message = `the ${backend} backend could not start: ${(err as Error).message.split('\n')[0]}; try another --backend`;
    writer.finish('failed', message, manifest.seconds);
    throw new TrainError(message);
  }
  const prepare = (d: Dataset): PreparedBatch => stepper.prepare(d.tokens, d.targets);
  const batches = new Map<number, { train: PreparedBatch; test: PreparedBatch; heldout: PreparedBatch | null }>();
  for (const [p, d] of data) batches.set(p, { train: prepare(d.train), test: prepare(d.test), heldout: d.heldout.n > 0 ? prepare(d.heldout) : null });

  let step = 0;
  if (resumeFrom) {
    step = resumeFrom.step;
    stepper.loadOptimizer({ t: resumeFrom.adamT, m: resumeFrom.state.slice(P, 2 * P), v: resumeFrom.state.slice(2 * P, 3 * P) });
  }

  const phaseAt = (s: number): number => boundaries.findIndex((b) => s >= b.start && s < b.end);
  const paddedAttention = (att: Float32Array): Float32Array => {
    if (att.length === nTest * c.task.T) return att;
    const out = new Float32Array(nTest * c.task.T).fill(NaN);
    out.set(att);
    return out;
  };

  /** Appends θ_k (the current parameters) and its test attention; fills held-out metrics. */
  const checkpointEvery = c.snapshots.checkpointEvery ?? 0;
  const snapshot = async (k: number, p: number, row: MetricRow | null): Promise<void> => {
    if (writer.hasSnapshot(k)) return;
    const b = batches.get(p)!;
    const att = (await stepper.evaluate(b.test)).attention;
    const checkpoint = boundaries.some((bd) => bd.end === k) || k === stopAt || (checkpointEvery > 0 && k > 0 && k % checkpointEvery === 0) || opts.signal?.aborted === true;
    writer.appendSnapshot(k, stepper.parameters(), paddedAttention(att), checkpoint);
    if (row && b.heldout) {
      const heldout = await stepper.evaluate(b.heldout);
      row.heldout_loss = heldout.loss;
      row.heldout_acc = heldout.accuracy;
    }
  };

  if (!resumeFrom) {
    // the first save, before any update: a run killed at any later moment can be resumed
    await snapshot(0, c.phases[0].p, null);
    writer.saveResume(0, stepper.parameters(), stepper.optimizerState(), 0);
  }

  const startTime = performance.now();
  const secondsBefore = manifest.seconds;
  const secondsSoFar = (): number => secondsBefore + (performance.now() - startTime) / 1000;
  let pendingRows: MetricRow[] = [];
  let last: MetricRow | null = null;
  let status: RunStatus = 'complete';
  let message: string | null = null;
  const stepsAtStart = step;
  let lastReport = performance.now();

  const flush = (): void => {
    if (pendingRows.length === 0) return;
    const values = stepper.takeStats();
    for (let i = 0; i < pendingRows.length; i++) {
      const r = pendingRows[i];
      r.train_loss = values[i * 4];
      r.train_acc = values[i * 4 + 1];
      r.test_loss = values[i * 4 + 2];
      r.test_acc = values[i * 4 + 3];
      if (!Number.isFinite(r.train_loss) && status === 'complete') {
        status = 'diverged';
        message = `the training diverged: its loss became ${r.train_loss} at step ${r.step}; try a smaller learning rate`;
      }
    }
    writer.appendMetrics(pendingRows);
    last = pendingRows[pendingRows.length - 1];
    pendingRows = [];
  };

  try {
    let phaseIndex = phaseAt(step);
    while (step < stopAt && status === 'complete') {
      phaseIndex = phaseAt(step);
      const ph = c.phases[phaseIndex];
      const bound = boundaries[phaseIndex];
      const b = batches.get(ph.p)!;
      if (step === bound.start && ph.restartOptimizer && stepper.adamT > 0) stepper.resetOptimizer();
      const lrScales = learningRateScales(layout.params.map((p) => p.name), ph);

      const phaseEnd = Math.min(bound.end, stopAt);
      while (step < phaseEnd) {
        let minibatch: PreparedBatch | null = null;
        if (ph.batchSize !== null && ph.batchSize < b.train.n) {
          const mb = minibatchAt(data.get(ph.p)!.train, ph.batchSize, step - bound.start, deriveSeed(dataSeedOf(c), `shuffle-${phaseIndex}`));
          minibatch = stepper.prepare(mb.tokens, mb.targets);
        }
        await stepper.step(minibatch ?? b.train, b.test, ph.lr, lrScales);
        minibatch?.dispose();
        const row: MetricRow = { step, phase: ph.name, p: ph.p, train_loss: NaN, train_acc: NaN, test_loss: NaN, test_acc: NaN, heldout_loss: NaN, heldout_acc: NaN };
        pendingRows.push(row);
        step += 1;
        const stopping = opts.signal?.aborted === true || step === stopAt;
        if (keep.has(step) || stopping) await snapshot(step, ph.p, row);
        if (pendingRows.length >= reportEvery || step === phaseEnd || stopping) {
          flush();
          const now = performance.now();
          if (last && opts.onProgress) {
            const l: MetricRow = last;
            opts.onProgress({
              step,
              totalSteps: stopAt,
              phase: l.phase,
              p: l.p,
              trainLoss: l.train_loss,
              trainAcc: l.train_acc,
              testLoss: l.test_loss,
              testAcc: l.test_acc,
              stepsPerSecond: ((step - stepsAtStart) * 1000) / Math.max(1, now - startTime),
            });
          }
          if (now - lastReport > 200) {
            lastReport = now;
            // Let signals (Ctrl-C) and IPC messages through.
            await new Promise((r) => setImmediate(r));
          }
          // A cancel that arrived during the report stops here, with this step's snapshot.
          const cancelled = opts.signal?.aborted === true;
          if (cancelled) await snapshot(step, ph.p, null);
          if (step % resumeEvery === 0 || step === phaseEnd || stopping || cancelled || status !== 'complete') {
            writer.saveResume(step, stepper.parameters(), stepper.optimizerState(), secondsSoFar());
          }
          if (status !== 'complete') break;
          if (cancelled) {
            status = 'cancelled';
            const reason: unknown = opts.signal?.reason;
            message = `cancelled at step ${step} of ${stopAt}${typeof reason === 'string' ? `: ${reason}` : ''}`;
            break;
          }
        }
      }
      if (status !== 'complete') break;
    }
  } catch (err) {
    status = 'failed';
    message = fileSystemSentence(err) ?? (err as Error).message;
    // run.json says why, if the disk still takes it; the files written so far stay readable
    try {
      writer.finish(status, message, secondsSoFar());
    } catch {
      // the previous run.json, which still opens and resumes, stays
    }
    throw fileSystemSentence(err) ? new TrainError(message) : err;
  } finally {
    if (status !== 'failed') status = writer.finish(status, message, secondsSoFar());
    await stepper.dispose();
    for (const b of batches.values()) {
      b.train.dispose();
      b.test.dispose();
      b.heldout?.dispose();
    }
  }
  return { runDir: writer.dir, status, stepsDone: manifest.stepsDone, seconds: manifest.seconds, last, message };
}

/** The minibatch of a phase's i-th step: a seeded shuffle per epoch, batches in order. */
function minibatchAt(ds: Dataset, batchSize: number, i: number, seed: number): { tokens: Int32Array; targets: Int32Array } {
  const perEpoch = Math.floor(ds.n / batchSize);
  const epoch = Math.floor(i / perEpoch);
  const within = i % perEpoch;
  const order = epochOrder(ds.n, seed, epoch);
  const tokens = new Int32Array(batchSize * ds.T);
  const targets = new Int32Array(batchSize);
  for (let j = 0; j < batchSize; j++) {
    const idx = order[within * batchSize + j];
    tokens.set(ds.tokens.subarray(idx * ds.T, (idx + 1) * ds.T), j * ds.T);
    targets[j] = ds.targets[idx];
  }
  return { tokens, targets };
}

let orderCache: { key: string; order: Int32Array } | null = null;
function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const key = `${n}:${seed}:${epoch}`;
  if (orderCache?.key !== key) orderCache = { key, order: new Rng(deriveSeed(seed, `epoch-${epoch}`)).permutation(n) };
  return orderCache.order;
}
