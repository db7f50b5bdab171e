/**
 * Opening what a researcher has: a run folder, a bare ONNX checkpoint, or a folder of ONNX
 * checkpoints (with or without run.json), optionally `PATH@STEP`. Every source becomes the same
 * thing: an evaluation session, the snapshots it offers, and the data to evaluate on.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCheckpoint, OnnxFormatError, type OnnxCheckpoint } from '../onnx/load.js';
import { exportModel } from '../onnx/export.js';
import { EvalSession, openCheckpoint } from '../onnx/session.js';
import { readManifest, readTrajectory, datasetDir, nearestSteps, RunFormatError, type RunManifest } from '../runs/runFolder.js';
import { findDataFolder, readDataset } from '../runs/datasets.js';
import { drawUniforms, taskData, type Dataset, type TaskConfig } from '../task/data.js';

export class SourceError extends Error {
  override name = 'SourceError';
}

export interface SourceData {
  p: number;
  k: number;
  train: Dataset;
  test: Dataset;
  /** where the data came from, for reports */
  origin: string;
}

export interface AnalysisSource {
  kind: 'run' | 'onnx' | 'onnx-folder';
  path: string;
  label: string;
  checkpoint: OnnxCheckpoint;
  session: EvalSession;
  /** steps with weights available, ascending */
  steps: number[];
  /** the step chosen with PATH@STEP, else the last one */
  step: number;
  weightsAt(step: number): Float32Array;
  /** phase boundaries (runs only) */
  phases: { name: string; p: number; start: number; end: number }[];
  data: SourceData;
  manifest: RunManifest | null;
  /** the flat trajectory of a run (snapshot-major), for projections */
  trajectory: { steps: number[]; data: Float32Array; width: number } | null;
}

export interface OpenOptions {
  /** a folder with {train,test}_{tokens,targets}.npy (or p<P>/ subfolders) */
  dataDir?: string | null;
  /** evaluate on the data of this modulus (default: the run's last phase, or the task default) */
  p?: number | null;
}

const TASK_DEFAULTS = { k: 5, nTrain: 2048, nTest: 128, p: 4 };

/** Splits "PATH@STEP" (the step must be an integer). */
export function parseSpec(spec: string): { path: string; step: number | null } {
  const m = /^(.*)@(\d+)$/.exec(spec);
  if (m && !existsSync(spec)) return { path: m[1], step: Number(m[2]) };
  return { path: spec, step: null };
}

function chooseStep(steps: number[], requested: number | null, what: string): number {
  if (requested === null) return steps[steps.length - 1];
  if (!steps.includes(requested)) throw new SourceError(`step ${requested} is not a snapshot of ${what}; the nearest are ${nearestSteps(steps, requested)}`);
  return requested;
}

function loadData(opts: OpenOptions, T: number, V: number, fallback: () => SourceData): SourceData {
  if (!opts.dataDir) return fallback();
  const p = opts.p ?? Math.min(V, TASK_DEFAULTS.p);
  const folder = findDataFolder(opts.dataDir, p, true)!;
  for (const f of ['train_tokens.npy', 'train_targets.npy', 'test_tokens.npy', 'test_targets.npy']) {
    if (!existsSync(join(folder, f))) throw new SourceError(`${folder} has no ${f}; --data needs train_tokens.npy, train_targets.npy, test_tokens.npy and test_targets.npy`);
  }
  // tokens and targets from elsewhere only have to fit the model's vocabulary
  return { p, k: TASK_DEFAULTS.k, train: readDataset(folder, 'train', V, T), test: readDataset(folder, 'test', V, T), origin: folder };
}

function generatedData(T: number, V: number, k: number, p: number, seed: number): SourceData {
  const task: TaskConfig = { T, k: Math.min(k, T), nTrain: TASK_DEFAULTS.nTrain, nTest: TASK_DEFAULTS.nTest, nHeldout: 0 };
  const d = taskData(task, Math.min(p, V), drawUniforms(task, seed), seed);
  return { p: d.p, k: task.k, train: d.train, test: d.test, origin: `generated (p = ${d.p}, T = ${T}, k = ${task.k}, data seed ${seed})` };
}

async function openRun(dir: string, step: number | null, opts: OpenOptions): Promise<AnalysisSource> {
  const manifest = readManifest(dir);
  const trajectory = readTrajectory(dir, manifest);
  if (trajectory.steps.length === 0) throw new SourceError(`${dir} has no snapshots yet`);
  const c = manifest.config;
  // The graph is built from the last snapshot with finite weights: a diverged run still opens.
  const rowAt = (i: number) => trajectory.data.subarray(i * trajectory.width, (i + 1) * trajectory.width);
  let lastFinite = trajectory.steps.length - 1;
  while (lastFinite > 0 && !rowAt(lastFinite).every(Number.isFinite)) lastFinite--;
  const last = rowAt(lastFinite);
  const checkpoint = parseCheckpoint(exportModel(c.model, last), `${dir} (graph built from run.json)`);
  const chosen = chooseStep(trajectory.steps, step ?? trajectory.steps[lastFinite], dir);
  // step → row: a heatmap over training looks up every snapshot (10,000 in a long run)
  const rowOf = new Map(trajectory.steps.map((s, i) => [s, i]));
  // our own export of run.json's model: onnxruntime loads it when an analysis first runs it
  const session = EvalSession.lazy(checkpoint);
  const p = opts.p ?? c.phases[c.phases.length - 1].p;
  const data = loadData(opts, c.task.T, c.model.V, () => {
    if (!existsSync(datasetDir(dir, p))) throw new SourceError(`${dir} has no data for p = ${p} (it trained on p = ${[...new Set(c.phases.map((ph) => ph.p))].join(', ')})`);
    return {
      p,
      k: c.task.k,
      train: readDataset(datasetDir(dir, p), 'train', p, c.task.T),
      test: readDataset(datasetDir(dir, p), 'test', p, c.task.T),
      origin: datasetDir(dir, p),
    };
  });
  return {
    kind: 'run',
    path: dir,
    label: basename(dir),
    checkpoint,
    session,
    steps: trajectory.steps,
    step: chosen,
    weightsAt: (s) => {
      const i = rowOf.get(s) ?? -1;
      if (i < 0) throw new SourceError(`step ${s} is not a snapshot of ${dir}; the nearest are ${nearestSteps(trajectory.steps, s)}`);
      const w = trajectory.data.slice(i * trajectory.width, (i + 1) * trajectory.width);
      if (!w.every(Number.isFinite)) throw new SourceError(`the weights of ${dir} at step ${s} are not finite numbers (the run diverged${manifest.message ? `: ${manifest.message}` : ''}); choose an earlier step`);
      return w;
    },
    phases: manifest.phases,
    data,
    manifest,
    trajectory,
  };
}

function sameLayout(a: OnnxCheckpoint, b: OnnxCheckpoint): string | null {
  if (a.params.length !== b.params.length) return `${a.params.length} weights against ${b.params.length}`;
  for (let i = 0; i < a.params.length; i++) {
    const x = a.params[i];
    const y = b.params[i];
    if (x.name !== y.name || x.shape.join(',') !== y.shape.join(',')) return `'${x.name}' [${x.shape.join(', ')}] against '${y.name}' [${y.shape.join(', ')}]`;
  }
  return null;
}

/** The parameters by name and shape, in name order: two sources can be projected together (alignWeights) exactly when these agree. */
export function layoutSignature(ck: Pick<OnnxCheckpoint, 'params'>): string {
  return ck.params
    .map((p) => `${p.name}[${p.shape.join(',')}]`)
    .sort()
    .join(' ');
}

/** Reorders `b`'s weights into `a`'s layout when they match by name and shape, whatever the order. */
export function alignWeights(a: OnnxCheckpoint, b: OnnxCheckpoint, wb: Float32Array): Float32Array {
  const byName = new Map(b.params.map((p) => [p.name, p]));
  if (a.params.length !== b.params.length) throw new SourceError(`${a.source} and ${b.source} have different parameters (${a.params.length} weights against ${b.params.length}); only checkpoints of the same architecture can be compared`);
  const out = new Float32Array(a.total);
  for (const p of a.params) {
    const q = byName.get(p.name);
    if (!q) throw new SourceError(`${b.source} has no weight '${p.name}', which ${a.source} has; only checkpoints whose parameters match by name and shape can be compared`);
    if (q.shape.join(',') !== p.shape.join(',')) throw new SourceError(`'${p.name}' is [${p.shape.join(', ')}] in ${a.source} but [${q.shape.join(', ')}] in ${b.source}; the layouts differ`);
    out.set(wb.subarray(q.offset, q.offset + q.size), p.offset);
  }
  return out;
}

async function openOnnxFiles(path: string, files: string[], step: number | null, opts: OpenOptions, kind: 'onnx' | 'onnx-folder'): Promise<AnalysisSource> {
  const checkpoints: OnnxCheckpoint[] = [];
  for (const f of files) checkpoints.push(await openCheckpoint(f));
  const first = checkpoints[0];
  for (const ck of checkpoints.slice(1)) {
    const diff = sameLayout(first, ck);
    if (diff) throw new SourceError(`${ck.source} does not have the parameters of ${first.source} (${diff}); a folder of checkpoints must hold one architecture`);
  }
  // Steps from the metadata; files without one are numbered in name order.
  const withSteps = checkpoints.map((ck, i) => ({ ck, step: ck.step ?? i }));
  withSteps.sort((a, b) => a.step - b.step);
  const steps = withSteps.map((x) => x.step);
  if (new Set(steps).size !== steps.length) throw new SourceError(`${path} holds two checkpoints of the same step; keep one per step`);
  const chosen = chooseStep(steps, step, path);
  const session = await EvalSession.create(first);
  // the data of the latest checkpoint (a curriculum's last phase)
  const task = (withSteps[withSteps.length - 1].ck.task ?? null) as { k?: number; p?: number; dataSeed?: number } | null;
  const data = loadData(opts, first.T, first.V, () => generatedData(first.T, first.V, task?.k ?? TASK_DEFAULTS.k, opts.p ?? task?.p ?? TASK_DEFAULTS.p, task?.dataSeed ?? 1));
  return {
    kind,
    path,
    label: basename(path),
    checkpoint: first,
    session,
    steps,
    step: chosen,
    weightsAt: (s) => {
      const entry = withSteps.find((x) => x.step === s);
      if (!entry) throw new SourceError(`step ${s} is not a checkpoint in ${path}; the nearest are ${nearestSteps(steps, s)}`);
      return entry.ck === first ? first.weights : alignWeights(first, entry.ck, entry.ck.weights);
    },
    phases: [],
    data,
    manifest: null,
    trajectory: null,
  };
}

/** Opens a run folder, an ONNX file or a folder of ONNX files, optionally at PATH@STEP. */
export async function openSource(spec: string, opts: OpenOptions = {}): Promise<AnalysisSource> {
  const { path, step } = parseSpec(spec);
  if (!existsSync(path)) throw new SourceError(`${path} does not exist`);
  try {
    if (statSync(path).isDirectory()) {
      if (existsSync(join(path, 'run.json'))) return await openRun(path, step, opts);
      const files = readdirSync(path).filter((f) => f.toLowerCase().endsWith('.onnx')).sort().map((f) => join(path, f));
      if (files.length === 0) throw new SourceError(`${path} is neither a run folder (no run.json) nor a folder of .onnx checkpoints`);
      return await openOnnxFiles(path, files, step, opts, 'onnx-folder');
    }
    return await openOnnxFiles(path, [path], step, opts, 'onnx');
  } catch (err) {
    if (err instanceof SourceError || err instanceof OnnxFormatError || err instanceof RunFormatError) throw err;
    throw new SourceError(`cannot open ${path}: ${(err as Error).message}`);
  }
}
