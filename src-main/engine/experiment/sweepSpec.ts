/**
 * A sweep: schedules (presets) × seeds × a grid of overrides. The spec expands into cells (the
 * cartesian product of the grid) and runs (cell × schedule × seed), each with its own run folder
 * inside the sweep folder; `sweep.json` records the spec, the runs in a fixed order (a SLURM array
 * task's id is its run's index) and the scheduler's submissions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { ConfigError, applyOverride, presetConfig, validateConfig, type TrainConfig } from '../train/config.js';

export const SWEEP_FORMAT = 'circuit-workbench-sweep';
export const SWEEP_FORMAT_VERSION = 1;
export const SWEEP_FILE = 'sweep.json';

export interface SweepSchedule {
  /** the name in tables and folder names */
  name: string;
  preset: string;
}

export interface GridAxis {
  /** a setting's path (phases.0.steps, task.nTrain) or `lr` for every phase's learning rate */
  path: string;
  /** only this schedule takes the values (`--grid fig5-curriculum:phases.0.steps=…`); the others run once per seed, shared by the cells */
  schedule?: string;
  /** the values as written (JSON when they parse) */
  values: string[];
}

export interface SweepSpec {
  schedules: SweepSchedule[];
  seeds: number[];
  grid: GridAxis[];
  /** overrides applied to every run (path=value) */
  set: string[];
  /** stop every run after this many steps (null: whole schedules) */
  maxSteps: number | null;
}

export interface SweepCell {
  index: number;
  /** the grid values of this cell, axis name (path, or schedule:path) → value as written */
  values: Record<string, string>;
  /** the cell's folder inside the sweep folder ('' when there is no grid) */
  dir: string;
  label: string;
}

export interface SweepRun {
  index: number;
  /** the first cell this run belongs to */
  cell: number;
  /** every cell it belongs to: a schedule no grid axis applies to runs once per seed for all cells */
  cells: number[];
  schedule: string;
  preset: string;
  seed: number;
  /** the run folder, relative to the sweep folder */
  dir: string;
  /** every override of this run, in order: the sweep's `set`, then the cell's grid values */
  overrides: string[];
}

export interface SlurmOptions {
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  account?: string;
  maxParallel?: number;
  extra: string[];
}

export interface Submission {
  jobId: string;
  /** run indices (= array task ids) */
  runs: number[];
  submittedAt: string;
  script: string;
  /** the --max-steps these tasks were given */
  maxSteps: number | null;
}

export interface SweepFile {
  format: typeof SWEEP_FORMAT;
  version: number;
  createdAt: string;
  spec: SweepSpec;
  cells: SweepCell[];
  runs: SweepRun[];
  scheduler: { kind: 'local' | 'slurm'; slurm?: SlurmOptions; submissions: Submission[] };
}

export class SweepError extends Error {
  override name = 'SweepError';
}

/** An axis's name in cells and tables: `path`, or `schedule:path` when it applies to one schedule. */
export const axisName = (a: GridAxis) => (a.schedule ? `${a.schedule}:${a.path}` : a.path);

/** `--grid [schedule:]path=v1,v2,…` → an axis. */
export function parseGridArg(arg: string): GridAxis {
  const eq = arg.indexOf('=');
  const name = arg.slice(0, eq).trim();
  const colon = name.indexOf(':');
  const schedule = colon > 0 ? name.slice(0, colon) : undefined;
  const path = name.slice(colon + 1);
  const values = arg.slice(eq + 1).split(',').map((v) => v.trim());
  if (eq <= 0 || values.some((v) => v === '')) throw new ConfigError(`a grid must look like path=v1,v2 (for example phases.0.steps=500,1000,3000), got '${arg}'`);
  if (new Set(values).size !== values.length) throw new ConfigError(`the grid '${arg}' repeats a value`);
  return schedule ? { path, schedule, values } : { path, values };
}

/** Applies one grid value; `lr` sets every phase's learning rate, like train's --lr. */
export function applyGridValue(c: TrainConfig, path: string, value: string): void {
  if (path === 'lr') for (let i = 0; i < c.phases.length; i++) applyOverride(c, `phases.${i}.lr=${value}`);
  else applyOverride(c, `${path}=${value}`);
}

const slug = (text: string) => text.replace(/[^A-Za-z0-9._=+-]/g, '_');

export function expandCells(grid: GridAxis[]): SweepCell[] {
  let combos: Record<string, string>[] = [{}];
  for (const axis of grid) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axisName(axis)]: v })));
  return combos.map((values, index) => {
    const parts = Object.entries(values).map(([k, v]) => `${k}=${v}`);
    return { index, values, dir: parts.length ? slug(parts.join('_')) : '', label: parts.length ? parts.join(', ') : 'all runs' };
  });
}

/** The configuration of one run, validated. */
export function runConfig(run: Pick<SweepRun, 'preset' | 'seed' | 'overrides'>): TrainConfig {
  const c = presetConfig(run.preset);
  c.seed = run.seed;
  for (const o of run.overrides) {
    const eq = o.indexOf('=');
    applyGridValue(c, o.slice(0, eq), o.slice(eq + 1));
  }
  validateConfig(c);
  return c;
}

/** Checks the spec and lays out its cells and runs; every run's configuration is validated here. */
export function planSweep(spec: SweepSpec): { cells: SweepCell[]; runs: SweepRun[] } {
  if (spec.schedules.length === 0) throw new ConfigError('a sweep needs at least one --preset');
  if (spec.seeds.length === 0) throw new ConfigError('a sweep needs at least one seed');
  const names = spec.schedules.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new ConfigError(`a schedule appears twice (${names.join(', ')}); give each --preset once`);
  const axes = spec.grid.map(axisName);
  if (new Set(axes).size !== axes.length) throw new ConfigError('a grid parameter appears twice; give each --grid path once, with all its values');
  for (const a of spec.grid) {
    if (a.schedule && !names.includes(a.schedule)) throw new ConfigError(`the grid '${axisName(a)}' names the schedule '${a.schedule}', which is not one of the --preset schedules (${names.join(', ')})`);
  }
  if (spec.maxSteps !== null && (!Number.isInteger(spec.maxSteps) || spec.maxSteps < 1)) throw new ConfigError(`--max-steps must be a positive integer, got ${spec.maxSteps}`);
  const cells = expandCells(spec.grid);
  const runs: SweepRun[] = [];
  const byKey = new Map<string, SweepRun>();
  for (const cell of cells) {
    for (const sch of spec.schedules) {
      // the axes this schedule takes; a run with the same values is shared by every cell that has them
      const mine = spec.grid.filter((a) => !a.schedule || a.schedule === sch.name);
      const parts = mine.map((a) => `${a.path}=${cell.values[axisName(a)]}`);
      const cellDir = mine.length === 0 ? '' : slug(parts.join('_'));
      for (const seed of spec.seeds) {
        const key = `${sch.name}|${seed}|${parts.join('|')}`;
        const shared = byKey.get(key);
        if (shared) {
          shared.cells.push(cell.index);
          continue;
        }
        const run: SweepRun = { index: runs.length, cell: cell.index, cells: [cell.index], schedule: sch.name, preset: sch.preset, seed, dir: join(cellDir, `${sch.name}-s${seed}`), overrides: [...spec.set, ...parts] };
        try {
          runConfig(run);
        } catch (err) {
          throw new ConfigError(`${sch.name}${cellDir ? ` in ${cell.label}` : ''}: ${(err as Error).message}`);
        }
        byKey.set(key, run);
        runs.push(run);
      }
    }
  }
  return { cells, runs };
}

/** The parts of a spec that decide which runs exist; --max-steps may change between calls. */
const identity = (s: SweepSpec) => JSON.stringify({ schedules: s.schedules, seeds: s.seeds, grid: s.grid, set: s.set });

export function sameSweep(a: SweepSpec, b: SweepSpec): boolean {
  return identity(a) === identity(b);
}

export function readSweep(dir: string): SweepFile {
  const file = join(dir, SWEEP_FILE);
  if (!existsSync(file)) throw new SweepError(`${dir} is not a sweep folder: it has no ${SWEEP_FILE} (start one with 'circuit-workbench sweep --preset … --out ${dir}')`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // JSON.parse's message quotes the text: leave it out
    throw new SweepError(`${file} is not valid JSON; the file is corrupt`);
  }
  const s = parsed as Partial<SweepFile> | null;
  if (!s || typeof s !== 'object' || s.format !== SWEEP_FORMAT) throw new SweepError(`${file} is not a Circuit Workbench sweep (its "format" is not '${SWEEP_FORMAT}')`);
  if (!Number.isInteger(s.version) || (s.version as number) < 1) throw new SweepError(`${file} has no valid format version (a whole number); the file is corrupt`);
  if ((s.version as number) > SWEEP_FORMAT_VERSION) throw new SweepError(`${file} has format version ${String(s.version)}; this tool reads version ${SWEEP_FORMAT_VERSION}; update Circuit Workbench`);
  if (!s.spec || !Array.isArray(s.cells) || !Array.isArray(s.runs) || !s.scheduler || !Array.isArray(s.scheduler.submissions)) {
    throw new SweepError(`${file} is missing its spec, cells, runs or scheduler`);
  }
  for (const r of s.runs) {
    if (typeof r?.dir !== 'string' || r.dir.split(/[\\/]/).includes('..') || r.dir.startsWith('/')) throw new SweepError(`${file} names a run folder outside the sweep folder; the file is corrupt`);
  }
  return s as SweepFile;
}

export function writeSweep(dir: string, sweep: SweepFile): void {
  writeFileAtomic(join(dir, SWEEP_FILE), JSON.stringify(sweep, null, 1) + '\n');
}

/** Run indices as sbatch's --array list: 0-3,7,9-12. */
export function arrayRanges(indices: number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
