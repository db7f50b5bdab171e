/**
 * One handler per call: validate, call the engine, shape the answer. The IPC registrar, the
 * HTTP server and the tests all use this table; none of them computes anything of its own.
 */
import { existsSync } from 'node:fs';
import { makeDirectory } from '../engine/io/directories.js';
import { join } from 'node:path';
import { ApiError, validate, type Channel, type Request, type Response, type SourceInfo } from './contract.js';
import { SourceRegistry, describe, discover } from './sources.js';
import { dataFor, modulusAt, phaseAt } from './phaseData.js';
import type { JobManager } from '../jobs/manager.js';
import { accuracy, attention, attentionOverTraining, embeddings, interpolate } from '../engine/analysis/analyses.js';
import { RunFormatError } from '../engine/runs/runFolder.js';
import { readMetricColumnsCached, warmMetricColumns } from '../engine/runs/metricsTable.js';
import { curvesTable } from '../engine/analysis/curves.js';
import { ConfigError, PRESETS, applyOverride, presetConfig, validateConfig } from '../engine/train/config.js';
import { EXPERIMENTS, parseSeeds } from '../engine/experiment/experiment.js';
import { SweepError } from '../engine/experiment/sweepSpec.js';
import { SourceError } from '../engine/analysis/source.js';
import { OnnxFormatError } from '../engine/onnx/load.js';
import { NpyError } from '../engine/io/npy.js';
import { discoverSweeps, startSweep, sweepInfo, sweepSpecOf } from './sweeps.js';
import { ProjectionCache } from './projectionCache.js';

export interface HandlerContext {
  sources: SourceRegistry;
  jobs: JobManager;
  /** folders runs are discovered in; new runs are written under the first */
  workspaces: string[];
  /** the bundled demo runs (resources/demo/*), opened when nothing else is */
  demo?: string[];
}

type Handlers = { [C in Channel]: (req: Request<C>) => Promise<Response<C>> };

const toMatrix = (flat: ArrayLike<number>, rows: number, cols: number): number[][] => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => flat[i * cols + j]));

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

export function createHandlers(ctx: HandlerContext): Handlers {
  const { sources, jobs } = ctx;
  const projections = new ProjectionCache(jobs);
  const info = (id: string): SourceInfo => describe(id, sources.get(id));
  const workspaceOut = (name: string): string => {
    if (ctx.workspaces.length === 0) throw new ApiError('failed', 'no workspace folder to write new runs into; start the workbench with a workspace');
    const dir = join(ctx.workspaces[0], name);
    if (existsSync(dir)) throw new ApiError('invalid', `a run named '${name}' already exists in ${ctx.workspaces[0]}; choose another name`);
    return dir;
  };

  return {
    'workspace.list': async () => ({
      sources: sources.entries().map(([id, s]) => describe(id, s)),
      available: discover(ctx.workspaces, sources.policy),
      workspaces: ctx.workspaces,
      demo: ctx.demo ?? [],
    }),
    'source.open': async ({ path }) => {
      const { id } = await sources.openPath(path);
      const src = sources.get(id);
      // the first views draw its curves: read them now, in the background, as source.metrics will
      if (src.kind === 'run') warmMetricColumns(sources.policy.check(src.path));
      return info(id);
    },
    'source.close': async ({ id }) => ({ closed: await sources.close(id) }),
    'source.metrics': async ({ id, maxPoints, smoothing, logSteps, drawn, from, to }) => {
      const src = sources.get(id);
      if (src.kind !== 'run') throw new ApiError('invalid', `${src.label} is a checkpoint, not a run: it has no training curves`);
      // check again on every call that nothing in the run now links out of bounds; the parsed
      // columns are kept while metrics.csv keeps its size and modification time
      const t = curvesTable(readMetricColumnsCached(sources.policy.check(src.path)), { maxPoints, smoothing, logSteps, drawn, from, to });
      return { step: t.step, p: t.p, ...t.columns, rows: t.rows, rowsInRange: t.rowsInRange, smoothing: t.smoothing, summary: t.summary };
    },
    'analysis.accuracy': async ({ id, step }) => accuracy(sources.get(id), step),
    'analysis.attention': async ({ id, step, tokens, p: requested }) => {
      const src = sources.get(id);
      const flat = Int32Array.from(tokens.flat());
      if (tokens.some((t) => t.length !== src.checkpoint.T)) throw new ApiError('invalid', `every sequence needs T = ${src.checkpoint.T} tokens`);
      const p = dataFor(src, modulusAt(src, step, requested)).p;
      const now = await attention(src, flat, step);
      const i = src.steps.indexOf(step);
      const previousStep = i > 0 ? src.steps[i - 1] : null;
      const prev = previousStep === null ? null : await attention(src, flat, previousStep);
      const T = src.checkpoint.T;
      const target = tokens.map((s) => s.slice(0, src.data.k).reduce((a, x) => a + x, 0) % p);
      return {
        step,
        previousStep,
        attention: toMatrix(now.attention, now.n, T),
        previous: prev ? toMatrix(prev.attention, prev.n, T) : null,
        prediction: Array.from(now.prediction),
        target,
        p,
        phaseP: phaseAt(src.phases, step)?.p ?? null,
      };
    },
    'analysis.attentionOverTraining': async ({ id, tokens, from, to, stride, maxRows }) => {
      const src = sources.get(id);
      if (tokens.some((t) => t.length !== src.checkpoint.T)) throw new ApiError('invalid', `every sequence needs T = ${src.checkpoint.T} tokens`);
      const r = await attentionOverTraining(src, Int32Array.from(tokens.flat()), { from, to, stride, maxRows });
      // [steps][n][T] from the flat arrays (10,001 snapshots in a long run)
      const cube = (flat: Float32Array | Int8Array) => r.steps.map((_, s) => Array.from({ length: r.n }, (_, i) => Array.from(flat.subarray((s * r.n + i) * r.T, (s * r.n + i + 1) * r.T))));
      return { steps: r.steps, T: r.T, k: src.data.k, values: cube(r.values), change: cube(r.change), snapshots: r.snapshots, ...(r.spans ? { spans: r.spans } : {}) };
    },
    'analysis.embeddings': async ({ id, step, set, p, k }) => {
      const opened = sources.get(id);
      // the data of the step's phase (or of the chosen modulus): p = 2 prefixes and sets in a p = 2 phase
      const at = modulusAt(opened, step, p);
      const src = set === 'prefixes' ? opened : { ...opened, data: dataFor(opened, at) };
      const r = await embeddings(src, { step, set, p: at, k });
      const T = src.checkpoint.T;
      return {
        step: r.step,
        d: r.d,
        p: at,
        phaseP: phaseAt(opened.phases, step)?.p ?? null,
        k: k ?? src.data.k,
        points: Array.from({ length: r.n }, (_, i) => ({ x: r.xy[2 * i], y: r.xy[2 * i + 1], label: r.labels[i], target: r.targets[i], tokens: Array.from(r.tokens.subarray(i * T, (i + 1) * T)).join('') })),
        explainedVariance: r.explainedVariance,
        silhouette: r.silhouette,
        classes: r.classes,
      };
    },
    'analysis.interpolate': async ({ a, b, points, from, to }) => {
      const sa = sources.get(a.id);
      const sb = sources.get(b.id);
      const at = (src: typeof sa, step?: number) => (step === undefined ? src : { ...src, step });
      const rows = await interpolate(at(sa, a.step), at(sb, b.step), { points, from, to });
      return { rows, a: `${sa.label}@${a.step ?? sa.step}`, b: `${sb.label}@${b.step ?? sb.step}` };
    },
    'analysis.project': async ({ ids, method, every, seed }) => {
      const list = ids.map((i) => sources.get(i));
      // the worker reads the runs again: check them again (a link may have appeared since they were opened)
      return projections.start({ kind: 'project', paths: list.map((s) => sources.policy.check(s.path)), ids, method, every: every ?? 1, seed: seed ?? 0 }, `${method} of ${list.map((s) => s.label).join(', ')}`);
    },
    'train.presets': async () => Object.entries(PRESETS).map(([name, p]) => ({ name, description: p.description, config: p.make() })),
    'train.start': async ({ preset, seed, overrides, maxSteps, name }) => {
      const config = presetConfig(preset);
      if (seed !== undefined) config.seed = seed;
      for (const [path, value] of Object.entries(overrides ?? {})) applyOverride(config, `${path}=${JSON.stringify(value)}`);
      validateConfig(config);
      const runDir = workspaceOut(name ?? `${preset}-s${config.seed}-${timestamp()}`);
      makeDirectory(runDir);
      return jobs.start({ kind: 'train', runDir, config, maxSteps: maxSteps ?? null }, `train ${preset} seed ${config.seed}`, runDir);
    },
    'experiment.start': async ({ experiment, seeds, maxSteps, name }) =>
      startSweep(ctx, { schedules: EXPERIMENTS[experiment].schedules, seeds: parseSeeds(seeds), grid: [], set: [], maxSteps: maxSteps ?? null }, name ?? `experiment-${experiment}-${timestamp()}`, `experiment ${experiment}, seeds ${seeds}`),
    'sweep.start': async (req) => startSweep(ctx, sweepSpecOf(req), req.name ?? `sweep-${timestamp()}`, `sweep ${req.presets.join(' + ')}, seeds ${req.seeds}`),
    'sweep.list': async () => discoverSweeps(ctx.workspaces, sources.policy),
    'sweep.open': async ({ path }) => sweepInfo(sources.policy, path),
    'sweep.summary': async ({ path }) => sweepInfo(sources.policy, path),
    'job.cancel': async ({ jobId }) => {
      const job = jobs.cancel(jobId);
      if (!job) throw new ApiError('not-found', `no job has the id '${jobId}'`);
      return job;
    },
    'job.list': async () => jobs.list(),
  };
}

const USER_ERRORS = [SourceError, OnnxFormatError, RunFormatError, NpyError, ConfigError, SweepError, RangeError];

/** Validates and dispatches one call; every failure becomes an ApiError with a sentence. */
export async function dispatch(handlers: Handlers, channel: string, payload: unknown): Promise<unknown> {
  if (!Object.prototype.hasOwnProperty.call(handlers, channel)) throw new ApiError('not-found', `unknown call '${channel}'`);
  const c = channel as Channel;
  const req = validate(c, payload);
  try {
    return await (handlers[c] as (r: unknown) => Promise<unknown>)(req);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (USER_ERRORS.some((E) => err instanceof E)) throw new ApiError('invalid', (err as Error).message);
    throw new ApiError('failed', `${channel} failed: ${(err as Error).message}`);
  }
}
