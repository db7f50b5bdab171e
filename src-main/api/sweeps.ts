/** The Sweeps view's calls: start a local sweep as a job, find sweep folders in the workspaces, and read one's summary. */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { axisName, readSweep, SweepError, SWEEP_FILE, writeSweep, type SweepSpec } from '../engine/experiment/sweepSpec.js';
import { openSweep, sweepSummary } from '../engine/experiment/sweep.js';
import { parseSeeds } from '../engine/experiment/experiment.js';
import { ApiError, type JobInfo, type Request, type SweepInfo } from './contract.js';
import { walkWorkspaces, type PathPolicy } from './sources.js';
import type { JobManager } from '../jobs/manager.js';

/** A sweep.start request as the engine's sweep spec: each preset is a schedule of its own name. */
export function sweepSpecOf(req: Request<'sweep.start'>): SweepSpec {
  return {
    schedules: req.presets.map((p) => ({ name: p, preset: p })),
    seeds: parseSeeds(req.seeds),
    grid: (req.grid ?? []).map((g) => (g.schedule ? { path: g.path, schedule: g.schedule, values: g.values } : { path: g.path, values: g.values })),
    set: Object.entries(req.set ?? {}).map(([path, value]) => `${path}=${JSON.stringify(value)}`),
    maxSteps: req.maxSteps ?? null,
  };
}

/**
 * Starts a local sweep in the folder `name` of the first workspace, as a job: a new folder, or the
 * same sweep again (finished runs reused, interrupted ones resumed). The spec is checked here,
 * every run's settings included, so a bad request is refused before any job starts.
 */
export function startSweep(ctx: { workspaces: string[]; jobs: JobManager }, spec: SweepSpec, name: string, label: string): JobInfo {
  if (ctx.workspaces.length === 0) throw new ApiError('failed', 'no workspace folder to write a sweep into; start the workbench with a workspace');
  if (/^\.+$/.test(name)) throw new ApiError('invalid', `'${name}' cannot name a folder; use letters or digits`);
  const dir = join(ctx.workspaces[0], name);
  if (existsSync(dir) && !existsSync(join(dir, SWEEP_FILE))) throw new ApiError('invalid', `a folder named '${name}' already exists in ${ctx.workspaces[0]} and is not a sweep; choose another name`);
  if (ctx.jobs.list().some((j) => j.kind === 'sweep' && j.state === 'running' && j.outDir === dir)) throw new ApiError('invalid', `the sweep '${name}' is already running; wait for it or cancel it before starting it again`);
  const sweep = openSweep(dir, spec, 'local');
  writeSweep(dir, sweep);
  return ctx.jobs.start({ kind: 'sweep', sweepDir: dir, spec }, label, dir);
}

/** Folders holding a sweep.json under the workspaces (walkWorkspaces: three levels deep, not into run folders). */
export function discoverSweeps(roots: string[], policy?: PathPolicy): { path: string; label: string }[] {
  const found: { path: string; label: string }[] = [];
  walkWorkspaces(
    roots,
    (dir, entries) => {
      if (entries.includes(SWEEP_FILE)) {
        found.push({ path: dir, label: basename(dir) });
        return false;
      }
      return !entries.includes('run.json');
    },
    policy,
  );
  return found;
}

export function sweepInfo(policy: PathPolicy, path: string): SweepInfo {
  const real = policy.check(path);
  try {
    const sweep = readSweep(real);
    const s = sweepSummary(real);
    return {
      path: real,
      label: basename(real),
      scheduler: sweep.scheduler.kind,
      threshold: s.threshold,
      schedules: s.schedules,
      grid: s.grid.map((g) => ({ path: axisName(g), values: g.values })),
      maxSteps: s.maxSteps,
      cells: s.cells.map((c) => ({ index: c.index, label: c.label, values: c.values, pValue: c.pValue, schedules: c.schedules.map(({ cell: _cell, ...x }) => x) })),
      runs: s.runs.map((r) => ({
        index: r.index,
        cells: r.cells,
        schedule: r.schedule,
        seed: r.seed,
        path: join(real, r.dir),
        state: r.state,
        stepsDone: r.stepsDone,
        totalSteps: r.totalSteps,
        message: r.message,
        finalTestAcc: r.summary && Number.isFinite(r.summary.finalTestAcc) ? r.summary.finalTestAcc : null,
      })),
      states: s.states,
      queueRead: s.queueRead,
    };
  } catch (err) {
    if (err instanceof SweepError) throw new ApiError('invalid', err.message);
    throw err;
  }
}
