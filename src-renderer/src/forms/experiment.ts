/**
 * The multi-seed experiment's form: seeds, a step limit and a folder name, checked with a
 * sentence per field before anything is sent. Pure TypeScript, tested in Node; the engine checks
 * again.
 */
import type { Request } from '../../../src-main/api/contract.js'; // '.js' paths keep this file valid for the Node tsconfig too (tests import it)
import { RUN_NAME_PATTERN, RUN_NAME_RULE } from '../../../src-main/api/runName.js';
import { MAX_STEPS, type NumField } from './train.js';

export interface ExperimentForm {
  /** "0-4", "0,2,5" or "3" */
  seeds: string;
  /** '' to train each schedule whole */
  maxSteps: NumField;
  /** '' for an automatic folder name */
  name: string;
}

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

/** Field → what is wrong with it ('seeds', 'maxSteps', 'name'); empty when the form can be sent. */
export function validateExperimentForm(f: ExperimentForm): Record<string, string> {
  const e: Record<string, string> = {};
  const seeds = parseSeedList(f.seeds);
  if (typeof seeds === 'string') e.seeds = seeds;
  if (f.maxSteps !== '' && (!Number.isInteger(f.maxSteps) || f.maxSteps < 1 || f.maxSteps > MAX_STEPS)) {
    e.maxSteps = `max steps must be a whole number from 1 to ${MAX_STEPS.toLocaleString('en-US')} (empty: the whole schedule)`;
  }
  if (f.name !== '' && !RUN_NAME_PATTERN.test(f.name)) e.name = RUN_NAME_RULE;
  return e;
}

/** The request Start sends (call it only when validateExperimentForm found nothing). */
export function experimentStartRequest(f: ExperimentForm): Request<'experiment.start'> {
  const req: Request<'experiment.start'> = { experiment: 'fig5', seeds: f.seeds.trim() };
  if (f.maxSteps !== '') req.maxSteps = f.maxSteps;
  if (f.name !== '') req.name = f.name;
  return req;
}
