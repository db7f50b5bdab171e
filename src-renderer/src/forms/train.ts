/**
 * The training form: a preset's configuration as editable fields, validation with a sentence per
 * field (before anything is sent), and the `train.start` request carrying only what changed.
 * Pure TypeScript, tested in Node. The engine validates again (src-main/engine/train/config.ts).
 */
import type { Request } from '../../../src-main/api/contract.js'; // '.js' paths keep this file valid for the Node tsconfig too (tests import it)
import { RUN_NAME_PATTERN, RUN_NAME_RULE } from '../../../src-main/api/runName.js'; // the contract's own rule (a constant, no engine code)

/** What a number input holds: a number, or '' when empty or unreadable. */
export type NumField = number | '';

export interface PhaseForm {
  name: string;
  p: NumField;
  steps: NumField;
  lr: NumField;
  restartOptimizer: boolean;
  /** '' for full batch (one step = one epoch) */
  batchSize: NumField;
}

export interface TrainForm {
  seed: NumField;
  task: { T: NumField; k: NumField; nTrain: NumField; nTest: NumField; nHeldout: NumField };
  model: { V: NumField; d: NumField; h: NumField; tiedUnembedding: boolean; mlpBias: boolean; residual: 'raw' | 'normed' };
  phases: PhaseForm[];
  /** '' to train the whole schedule */
  maxSteps: NumField;
  /** '' for an automatic name */
  name: string;
}

export const MAX_SEED = 1_000_000;
export const MAX_STEPS = 10_000_000;
/** the attention views take sequences of at most 64 tokens */
export const MAX_T = 64;

/**
 * The largest sizes the form sends, each with the reason a researcher is given (the engine
 * checks the same bounds again). d = 100,000 or n_train = 10⁹ would fail deep in the backend
 * or exhaust the memory instead.
 */
export const SIZE_BOUNDS = {
  V: { max: 1024, why: 'the task needs no more tokens than its largest p' },
  d: { max: 1024, why: 'the trajectory keeps every parameter at every snapshot' },
  h: { max: 4096, why: 'the trajectory keeps every parameter at every snapshot' },
  nTrain: { max: 1_000_000, why: 'every training sequence is evaluated at every step' },
  nTest: { max: 100_000, why: 'the test set is evaluated after every step' },
  nHeldout: { max: 100_000, why: 'the held-out set is evaluated at every snapshot' },
} as const;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const numOr = (x: unknown, fallback: number): number => (typeof x === 'number' && Number.isFinite(x) ? x : fallback);
const boolOr = (x: unknown, fallback: boolean): boolean => (typeof x === 'boolean' ? x : fallback);

/** A preset's configuration (as `train.presets` returns it) as a form; null when it cannot be read. */
export function formFromConfig(config: unknown): TrainForm | null {
  if (!isObj(config) || !isObj(config.task) || !isObj(config.model) || !Array.isArray(config.phases)) return null;
  const t = config.task;
  const m = config.model;
  return {
    seed: numOr(config.seed, 0),
    task: { T: numOr(t.T, 12), k: numOr(t.k, 5), nTrain: numOr(t.nTrain, 2048), nTest: numOr(t.nTest, 128), nHeldout: numOr(t.nHeldout, 0) },
    model: {
      V: numOr(m.V, 4),
      d: numOr(m.d, 32),
      h: numOr(m.h, 128),
      tiedUnembedding: boolOr(m.tiedUnembedding, true),
      mlpBias: boolOr(m.mlpBias, true),
      residual: m.residual === 'normed' ? 'normed' : 'raw',
    },
    phases: config.phases.filter(isObj).map((ph, i) => ({
      name: typeof ph.name === 'string' ? ph.name : `phase ${i + 1}`,
      p: numOr(ph.p, 4),
      steps: numOr(ph.steps, 1000),
      lr: numOr(ph.lr, 1e-3),
      restartOptimizer: boolOr(ph.restartOptimizer, false),
      batchSize: typeof ph.batchSize === 'number' ? ph.batchSize : '',
    })),
    maxSteps: '',
    name: '',
  };
}

export function cloneForm(f: TrainForm): TrainForm {
  return { ...f, task: { ...f.task }, model: { ...f.model }, phases: f.phases.map((p) => ({ ...p })) };
}

const isInt = (v: NumField): v is number => typeof v === 'number' && Number.isInteger(v);

/** Steps the schedule trains in all (NaN while a phase's steps are invalid). */
export function scheduleSteps(f: TrainForm): number {
  return f.phases.reduce((a, p) => a + (isInt(p.steps) ? p.steps : NaN), 0);
}

/**
 * Field path → what is wrong with it ('task.k', 'phases.1.lr', 'model.V', 'name', …). Empty when
 * the form can be sent.
 */
export function validateTrainForm(f: TrainForm): Record<string, string> {
  const e: Record<string, string> = {};
  const intAtLeast = (path: string, v: NumField, min: number, what: string, max = Infinity, why = '') => {
    if (!isInt(v) || v < min || v > max) {
      e[path] = max === Infinity ? `${what} must be a whole number ≥ ${min}` : `${what} must be a whole number from ${min} to ${max.toLocaleString('en-US')}${why ? ` (${why})` : ''}`;
      return false;
    }
    return true;
  };
  const sized = (path: string, v: NumField, min: number, what: string, key: keyof typeof SIZE_BOUNDS) => intAtLeast(path, v, min, what, SIZE_BOUNDS[key].max, SIZE_BOUNDS[key].why);
  intAtLeast('seed', f.seed, 0, 'the seed', MAX_SEED);
  const okT = intAtLeast('task.T', f.task.T, 1, 'T', MAX_T);
  if (intAtLeast('task.k', f.task.k, 1, 'k') && okT && (f.task.k as number) > (f.task.T as number)) {
    e['task.k'] = `k = ${f.task.k} is larger than T = ${f.task.T}; k must be at most T`;
  }
  const okTrain = sized('task.nTrain', f.task.nTrain, 1, 'n_train', 'nTrain');
  sized('task.nTest', f.task.nTest, 1, 'n_test', 'nTest');
  sized('task.nHeldout', f.task.nHeldout, 0, 'n_heldout', 'nHeldout');
  const okV = sized('model.V', f.model.V, 1, 'V', 'V');
  sized('model.d', f.model.d, 1, 'd', 'd');
  sized('model.h', f.model.h, 1, 'h', 'h');
  if (f.model.residual !== 'raw' && f.model.residual !== 'normed') e['model.residual'] = "the residual is 'raw' or 'normed'";
  if (f.phases.length === 0) e.phases = 'the schedule has no phases';
  let maxP = 0;
  let maxPhase = '';
  f.phases.forEach((ph, i) => {
    const at = `phases.${i}`;
    if (!isInt(ph.p) || ph.p < 2) e[`${at}.p`] = 'p must be a whole number ≥ 2';
    else if (ph.p > maxP) {
      maxP = ph.p;
      maxPhase = ph.name;
    }
    intAtLeast(`${at}.steps`, ph.steps, 1, 'steps');
    if (typeof ph.lr !== 'number' || !Number.isFinite(ph.lr) || ph.lr <= 0) e[`${at}.lr`] = 'the learning rate must be a number > 0';
    else if (ph.lr >= 10) e[`${at}.lr`] = 'a learning rate of 10 or more diverges; use a value below 10';
    if (ph.batchSize !== '') {
      if (!isInt(ph.batchSize) || ph.batchSize < 1) e[`${at}.batchSize`] = 'the batch size must be a whole number ≥ 1 (empty: full batch)';
      else if (okTrain && ph.batchSize > (f.task.nTrain as number)) e[`${at}.batchSize`] = `the batch size must be at most n_train = ${f.task.nTrain}`;
    }
  });
  if (okV && maxP > (f.model.V as number)) e['model.V'] = `V = ${f.model.V} is smaller than p = ${maxP} (phase ${maxPhase}); the vocabulary needs at least ${maxP} tokens`;
  if (f.maxSteps !== '') intAtLeast('maxSteps', f.maxSteps, 1, 'max steps', MAX_STEPS);
  if (f.name !== '' && !RUN_NAME_PATTERN.test(f.name)) e.name = RUN_NAME_RULE;
  return e;
}

type OverrideValue = number | string | boolean;

/**
 * The `path=value` overrides that turn the preset's configuration `base` into the form `f`: only
 * the fields that changed. The number of phases is the preset's (overrides cannot add any).
 * A preset with minibatches becomes full batch through a batch size of n_train, which is the same.
 */
export function overridesOf(f: TrainForm, base: TrainForm): Record<string, OverrideValue> {
  const out: Record<string, OverrideValue> = {};
  const put = (path: string, v: NumField | boolean | string, b: NumField | boolean | string) => {
    if (v !== b && v !== '') out[path] = v;
  };
  for (const k of ['T', 'k', 'nTrain', 'nTest', 'nHeldout'] as const) put(`task.${k}`, f.task[k], base.task[k]);
  for (const k of ['V', 'd', 'h', 'tiedUnembedding', 'mlpBias', 'residual'] as const) put(`model.${k}`, f.model[k], base.model[k]);
  f.phases.forEach((ph, i) => {
    const b = base.phases[i];
    if (!b) return;
    for (const k of ['p', 'steps', 'lr', 'restartOptimizer'] as const) put(`phases.${i}.${k}`, ph[k], b[k]);
    if (ph.batchSize !== b.batchSize) {
      if (ph.batchSize !== '') out[`phases.${i}.batchSize`] = ph.batchSize;
      else if (typeof f.task.nTrain === 'number') out[`phases.${i}.batchSize`] = f.task.nTrain;
    }
  });
  return out;
}

/** The request Start sends (call it only when validateTrainForm found nothing). */
export function trainStartRequest(preset: string, f: TrainForm, base: TrainForm): Request<'train.start'> {
  const req: Request<'train.start'> = { preset, seed: typeof f.seed === 'number' ? f.seed : 0 };
  const overrides = overridesOf(f, base);
  if (Object.keys(overrides).length) req.overrides = overrides;
  if (f.maxSteps !== '') req.maxSteps = f.maxSteps;
  if (f.name !== '') req.name = f.name;
  return req;
}
