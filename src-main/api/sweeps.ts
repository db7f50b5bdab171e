/** The Sweeps view's calls: find sweep folders in the workspaces, and read one's summary. */
import { basename, join } from 'node:path';
import { axisName, readSweep, SweepError, SWEEP_FILE } from '../engine/experiment/sweepSpec.js';
import { sweepSummary } from '../engine/experiment/sweep.js';
import { ApiError, type SweepInfo } from './contract.js';
import { walkWorkspaces, type PathPolicy } from './sources.js';

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
