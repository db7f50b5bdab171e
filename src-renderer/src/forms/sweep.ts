/**
 * The sweep form (the Train view's sweep panel): preset schedules, seeds, up to two grid
 * parameters, settings for every run, a step limit and a folder name, each checked with a
 * sentence before anything is sent. Pure TypeScript, tested in Node; the engine checks again.
 */
import type { Request } from '../../../src-main/api/contract.js'; // '.js' paths keep this file valid for the Node tsconfig too (tests import it)
import { RUN_NAME_PATTERN, RUN_NAME_RULE } from '../../../src-main/api/runName.js';
import { GRID_VALUE, MAX_GRID_PARAMETERS as MAX_GRID, MAX_GRID_VALUES as MAX_VALUES, MAX_SWEEP_RUNS, MAX_SWEEP_SETTINGS, SETTING_PATH } from '../../../src-main/api/sweepLimits.js';
import { MAX_STEPS, type NumField } from './train.js';

export { MAX_GRID };

export interface GridRow {
  /** a setting's path (phases.0.steps, task.nTrain) or lr; '' for an unused row */
  path: string;
  /** '' for every schedule, or the one preset that takes the values */
  schedule: string;
  /** comma-separated: 500,1000,3000 */
  values: string;
}

export interface SweepForm {
  presets: string[];
  /** "0-4", "0,2,5" or "3" */
  seeds: string;
  grid: GridRow[];
  /** settings for every run: "task.nTrain=512, model.d=16" */
  set: string;
  /** '' to train each schedule whole */
  maxSteps: NumField;
  /** '' for an automatic folder name */
  name: string;
}

/** Fig. 5: scratch against the curriculum. */
export const defaultSweepForm = (): SweepForm => ({
  presets: ['fig5-scratch', 'fig5-curriculum'],
  seeds: '0-4',
  grid: [{ path: '', schedule: '', values: '' }],
  set: '',
  maxSteps: '',
  name: '',
});

/** Reads "0-4", "0,2,5" or "3" as the engine does; a sentence when it cannot. */
export function parseSeedList(text: string): number[] | string {
  if (!/^[\d,\s-]{1,64}$/.test(text)) return 'write seeds as a range like 0-4 or a list like 0,2,5 (digits, commas and dashes only)';
  const seeds = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return `cannot read '${part.trim() || '(empty)'}'; write a range like 0-4 or a list like 0,2,5`;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return `the seed range ${part.trim()} is empty`;
    if (b - a > 1000) return 'at most 1,000 seeds at a time';
    for (let s = a; s <= b; s++) seeds.add(s);
  }
  return [...seeds];
}

const splitList = (text: string) => text.split(',').map((v) => v.trim()).filter((v) => v !== '');

/** "task.nTrain=512, model.d=16" → settings (numbers and true/false as such); a sentence when unreadable. */
export function parseSettings(text: string): Record<string, number | string | boolean> | string {
  const out: Record<string, number | string | boolean> = {};
  for (const item of splitList(text)) {
    const eq = item.indexOf('=');
    const path = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    if (eq <= 0 || raw === '') return `write settings as path=value, separated by commas (for example task.nTrain=512), not '${item}'`;
    if (!SETTING_PATH.test(path)) return `'${path}' is not a setting path like task.nTrain or phases.0.lr`;
    out[path] = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  if (Object.keys(out).length > MAX_SWEEP_SETTINGS) return `at most ${MAX_SWEEP_SETTINGS} settings`;
  return out;
}

const usedRows = (f: SweepForm) => f.grid.filter((g) => g.path.trim() !== '' || g.values.trim() !== '');

/** How many runs the form plans (presets × seeds × grid cells); null while the seeds are unreadable. */
export function countRuns(f: SweepForm): number | null {
  const seeds = parseSeedList(f.seeds);
  if (typeof seeds === 'string') return null;
  return usedRows(f).reduce((n, g) => n * Math.max(1, splitList(g.values).length), f.presets.length * seeds.length);
}

/** Field → what is wrong with it ('presets', 'seeds', 'grid0', 'grid1', 'set', 'maxSteps', 'name', 'runs'); empty when the form can be sent. */
export function validateSweepForm(f: SweepForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (f.presets.length === 0) e.presets = 'choose at least one schedule';
  const seeds = parseSeedList(f.seeds);
  if (typeof seeds === 'string') e.seeds = seeds;
  const rows = usedRows(f);
  if (rows.length > MAX_GRID) e.grid1 = `at most ${MAX_GRID} grid parameters`;
  rows.slice(0, MAX_GRID).forEach((g, i) => {
    const values = splitList(g.values);
    if (!SETTING_PATH.test(g.path.trim())) e[`grid${i}`] = `'${g.path.trim()}' is not a setting path like phases.0.steps, task.nTrain or lr`;
    else if (values.length === 0) e[`grid${i}`] = 'give the values to try, separated by commas (for example 1e-3,3e-3)';
    else if (values.length > MAX_VALUES) e[`grid${i}`] = `at most ${MAX_VALUES} values`;
    else if (new Set(values).size !== values.length) e[`grid${i}`] = 'a value appears twice';
    else if (values.some((v) => !GRID_VALUE.test(v))) e[`grid${i}`] = 'each value is a number or a short word (letters, digits, dots, + and -)';
    else if (g.schedule !== '' && !f.presets.includes(g.schedule)) e[`grid${i}`] = `the schedule ${g.schedule} is not in the sweep`;
  });
  const paths = rows.map((g) => `${g.schedule}:${g.path.trim()}`);
  if (new Set(paths).size !== paths.length) e.grid1 = 'a grid parameter appears twice';
  const settings = parseSettings(f.set);
  if (typeof settings === 'string') e.set = settings;
  if (f.maxSteps !== '' && (!Number.isInteger(f.maxSteps) || f.maxSteps < 1 || f.maxSteps > MAX_STEPS)) {
    e.maxSteps = `max steps must be a whole number from 1 to ${MAX_STEPS.toLocaleString('en-US')} (empty: the whole schedule)`;
  }
  if (f.name !== '' && !RUN_NAME_PATTERN.test(f.name)) e.name = RUN_NAME_RULE;
  const runs = countRuns(f);
  if (runs !== null && runs > MAX_SWEEP_RUNS) e.runs = `${runs.toLocaleString('en-US')} runs; a sweep started here runs at most ${MAX_SWEEP_RUNS.toLocaleString('en-US')}`;
  return e;
}

/** The request Start sends (call it only when validateSweepForm found nothing). */
export function sweepStartRequest(f: SweepForm): Request<'sweep.start'> {
  const req: Request<'sweep.start'> = { presets: [...f.presets], seeds: f.seeds.trim() };
  const grid = usedRows(f).map((g) => ({ path: g.path.trim(), ...(g.schedule ? { schedule: g.schedule } : {}), values: splitList(g.values) }));
  if (grid.length) req.grid = grid;
  const settings = parseSettings(f.set);
  if (typeof settings !== 'string' && Object.keys(settings).length) req.set = settings;
  if (f.maxSteps !== '') req.maxSteps = f.maxSteps;
  if (f.name !== '') req.name = f.name;
  return req;
}
