/**
 * The training loop. Every door (CLI, job workers, HTTP server, tests) trains through `train()`;
 * everything written to the run folder goes through a RunWriter (runs/runWriter.ts).
 *
 * Per update s (the reference's logging): train loss and accuracy of the forward pass at θ_s
 * (the one whose gradient is taken), test loss and accuracy at θ_{s+1}. Scalars are read back in
 * blocks, not every step; parameters are read only at snapshot steps.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { selectBackend, versions, type BackendName } from '../backend.js';
import { initParams, paramLayout } from '../model/config.js';
import { correctCount, crossEntropy, datasetBatch, forward, makeBatch, type Batch, type Params } from '../model/forward.js';
import { countOverlap, sequenceSet, type Dataset, type TaskData } from '../task/data.js';
import { Rng, deriveSeed } from '../task/rng.js';
import { Adam, flatten } from './adam.js';
import { ConfigError, dataSeedOf, moduliOf, modelSeedOf, phaseBoundaries, snapshotSteps, totalSteps, validateConfig, type TrainConfig } from './config.js';
import type { MetricRow, RunStatus } from '../runs/runFolder.js';
import { emptyDataset, findDataFolder, generateTaskData, readDataset } from '../runs/datasets.js';
import { RunWriter } from '../runs/runWriter.js';

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
  }

  let backend: BackendName;
  try {
    backend = await selectBackend(opts.backend ?? 'auto');
  } catch (err) {
    writer.discard();
    throw new TrainError((err as Error).message);
  }
  const nTest = Math.max(...[...data.values()].map((d) => d.test.n));
  writer.start(backend, versions(), [nTest, writer.manifest.config.task.T]);
  return runLoop(writer, data, opts);
}

async function runLoop(writer: RunWriter, data: Map<number, TaskData>, opts: TrainOptions): Promise<TrainResult> {
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

  // Parameters as variables, in layout order.
  const flat0 = resumeFrom ? resumeFrom.state.subarray(0, P) : initParams(c.model, modelSeedOf(c));
  const vars = layout.params.map((p) => tf.variable(tf.tensor(flat0.subarray(p.offset, p.offset + p.size), p.shape, 'float32'), true));
  const params: Params = Object.fromEntries(layout.params.map((p, i) => [p.name, vars[i]]));
  const adam = new Adam(layout.params.map((p) => p.shape), c.adam);
  const batches = new Map<number, { train: Batch; test: Batch; heldout: Batch | null }>();
  for (const [p, d] of data) {
    batches.set(p, { train: datasetBatch(d.train, c.model.V), test: datasetBatch(d.test, c.model.V), heldout: d.heldout.n > 0 ? datasetBatch(d.heldout, c.model.V) : null });
  }

  let step = 0;
  if (resumeFrom) {
    step = resumeFrom.step;
    adam.load({ t: resumeFrom.adamT, m: resumeFrom.state.slice(P, 2 * P), v: resumeFrom.state.slice(2 * P, 3 * P) });
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
  const snapshot = (k: number, p: number, row: MetricRow | null): void => {
    if (writer.hasSnapshot(k)) return;
    const b = batches.get(p)!;
    const att = tf.tidy(() => forward(params, b.test, c.model).attention.dataSync() as Float32Array);
    const checkpoint = boundaries.some((bd) => bd.end === k) || k === stopAt || (checkpointEvery > 0 && k > 0 && k % checkpointEvery === 0) || opts.signal?.aborted === true;
    writer.appendSnapshot(k, flatten(vars), paddedAttention(att), checkpoint);
    if (row && b.heldout) {
      const [loss, correct] = tf.tidy(() => {
        const out = forward(params, b.heldout!, c.model);
        return [crossEntropy(out.logits, b.heldout!).dataSync()[0], correctCount(out.logits, b.heldout!).dataSync()[0]];
      });
      row.heldout_loss = loss;
      row.heldout_acc = correct / b.heldout.n;
    }
  };

  if (!resumeFrom) {
    // the first save, before any update: a run killed at any later moment can be resumed
    snapshot(0, c.phases[0].p, null);
    writer.saveResume(0, flatten(vars), adam.state(), 0);
  }

  const startTime = performance.now();
  const secondsBefore = manifest.seconds;
  const secondsSoFar = (): number => secondsBefore + (performance.now() - startTime) / 1000;
  let pendingStats: tf.Tensor[] = [];
  let pendingRows: MetricRow[] = [];
  let last: MetricRow | null = null;
  let status: RunStatus = 'complete';
  let message: string | null = null;
  const stepsAtStart = step;
  let lastReport = performance.now();

  const flush = (): void => {
    if (pendingStats.length === 0) return;
    const values = tf.tidy(() => tf.stack(pendingStats).dataSync() as Float32Array);
    tf.dispose(pendingStats);
    pendingStats = [];
    for (let i = 0; i < pendingRows.length; i++) {
      const r = pendingRows[i];
      r.train_loss = values[i * 4];
      r.train_acc = values[i * 4 + 1];
      r.test_loss = values[i * 4 + 2];
      r.test_acc = values[i * 4 + 3];
      if (!Number.isFinite(r.train_loss)) {
        status = 'failed';
        message = `the training loss became ${r.train_loss} at step ${r.step}; try a smaller learning rate`;
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
      if (step === bound.start && ph.restartOptimizer && adam.t > 0) adam.reset();

      const phaseEnd = Math.min(bound.end, stopAt);
      while (step < phaseEnd) {
        let minibatch: Batch | null = null;
        if (ph.batchSize !== null && ph.batchSize < b.train.n) {
          minibatch = minibatchAt(data.get(ph.p)!.train, ph.batchSize, step - bound.start, c, deriveSeed(dataSeedOf(c), `shuffle-${phaseIndex}`));
        }
        const trainBatch = minibatch ?? b.train;
        const stats = tf.tidy(() => {
          let correct: tf.Scalar | null = null;
          const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
            const named: Params = Object.fromEntries(layout.params.map((p, i) => [p.name, ps[i]]));
            const out = forward(named, trainBatch, c.model);
            correct = tf.keep(correctCount(out.logits, trainBatch));
            return crossEntropy(out.logits, trainBatch);
          })(vars);
          adam.apply(vars, grads, ph.lr);
          const test = forward(params, b.test, c.model);
          const result = tf.stack([
            value,
            tf.div(correct!, trainBatch.n),
            crossEntropy(test.logits, b.test),
            tf.div(correctCount(test.logits, b.test), b.test.n),
          ]);
          tf.dispose(correct!);
          return result;
        });
        minibatch?.dispose();
        const row: MetricRow = { step, phase: ph.name, p: ph.p, train_loss: NaN, train_acc: NaN, test_loss: NaN, test_acc: NaN, heldout_loss: NaN, heldout_acc: NaN };
        pendingStats.push(stats);
        pendingRows.push(row);
        step += 1;
        const stopping = opts.signal?.aborted === true || step === stopAt;
        if (keep.has(step) || stopping) snapshot(step, ph.p, row);
        if (pendingStats.length >= reportEvery || step === phaseEnd || stopping) {
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
          if (cancelled) snapshot(step, ph.p, null);
          if (step % resumeEvery === 0 || step === phaseEnd || stopping || cancelled || status !== 'complete') {
            writer.saveResume(step, flatten(vars), adam.state(), secondsSoFar());
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
    message = (err as Error).message;
    throw err;
  } finally {
    tf.dispose(pendingStats);
    writer.finish(status, message, secondsSoFar());
    tf.dispose(vars);
    adam.dispose();
    for (const b of batches.values()) {
      b.train.dispose();
      b.test.dispose();
      b.heldout?.dispose();
    }
  }
  return { runDir: writer.dir, status, message, stepsDone: manifest.stepsDone, seconds: manifest.seconds, last };
}

/** The minibatch of a phase's i-th step: a seeded shuffle per epoch, batches in order. */
function minibatchAt(ds: Dataset, batchSize: number, i: number, c: TrainConfig, seed: number): Batch {
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
  return makeBatch(tokens, targets, ds.T, c.model.V);
}

let orderCache: { key: string; order: Int32Array } | null = null;
function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const key = `${n}:${seed}:${epoch}`;
  if (orderCache?.key !== key) orderCache = { key, order: new Rng(deriveSeed(seed, `epoch-${epoch}`)).permutation(n) };
  return orderCache.order;
}
