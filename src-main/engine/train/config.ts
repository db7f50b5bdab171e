/**
 * Building a training run's configuration (runs/runConfig.ts defines its shape): presets that
 * reproduce the paper's figures, `path=value` overrides, and validation with a sentence that
 * says what is wrong. The derivations (seeds, steps, phases) are re-exported for the doors.
 */
import { validateTask, type TaskConfig } from '../task/data.js';
import { PAPER_MODEL, paramLayout, validateModel, type ModelConfig } from '../model/config.js';
import { TORCH_ADAM, totalSteps, type TrainConfig, type PhaseConfig, type SnapshotPolicy } from '../runs/runConfig.js';

export { dataSeedOf, modelSeedOf, moduliOf, phaseBoundaries, snapshotSteps, totalSteps } from '../runs/runConfig.js';
export type { AdamHyper, PhaseConfig, SnapshotPolicy, TrainConfig } from '../runs/runConfig.js';

/** Phase fields that may be absent (older runs, presets that do not use them) but can be set with --set. */
const OPTIONAL_PHASE_FIELDS: Record<string, 'number'> = { mlpLrDiscount: 'number' };

/** Learning-rate multipliers per parameter (by name, in layout order) for a phase, or null when all are 1. */
export function learningRateScales(names: string[], ph: PhaseConfig): number[] | null {
  const discount = ph.mlpLrDiscount ?? 1;
  if (discount === 1) return null;
  return names.map((n) => (n.startsWith('mlp.') ? 1 / discount : 1));
}


const PAPER_TASK: TaskConfig = { T: 12, k: 5, nTrain: 2048, nTest: 128, nHeldout: 2048 };
const DEFAULT_SNAPSHOTS: SnapshotPolicy = { denseUntil: 100, every: 0, checkpointEvery: 0 };

function preset(name: string, task: Partial<TaskConfig>, model: Partial<ModelConfig>, phases: PhaseConfig[]): TrainConfig {
  const t = { ...PAPER_TASK, ...task };
  return {
    preset: name,
    seed: 0,
    task: t,
    model: { ...PAPER_MODEL, T: t.T, ...model },
    phases,
    adam: { ...TORCH_ADAM },
    snapshots: { ...DEFAULT_SNAPSHOTS },
  };
}

const phase = (name: string, p: number, steps: number, lr: number, restartOptimizer = false, batchSize: number | null = null): PhaseConfig => ({
  name,
  p,
  steps,
  lr,
  restartOptimizer,
  batchSize,
});

export const PRESETS: Record<string, { description: string; make: () => TrainConfig }> = {
  'fig5-scratch': {
    description: 'Fig. 5 baseline: 10,000 full-batch steps on p = 4 (T = 12, d = 32)',
    make: () => preset('fig5-scratch', {}, {}, [phase('p4', 4, 10_000, 1e-3)]),
  },
  'fig5-curriculum': {
    description: 'Fig. 5 curriculum: 3,000 steps on p = 2, a fresh Adam, then 7,000 steps on p = 4',
    make: () => preset('fig5-curriculum', {}, {}, [phase('p2', 2, 3_000, 1e-3), phase('p4', 4, 7_000, 1e-3, true)]),
  },
  fig2: {
    description: 'Fig. 2: p = 4, T = 8, minibatches of 32, 1,000 epochs (64,000 steps)',
    make: () => preset('fig2', { T: 8 }, {}, [phase('p4', 4, 64_000, 1e-3, false, 32)]),
  },
  fig4: {
    description:
      "Fig. 4 (the authors' projects/visualization setup): d = 2, h = 4d = 8, V = 4; 1,000 epochs of minibatches of 32 (64,000 steps) on p = 2 at lr 3e-3, then a fresh Adam and 1,000 epochs on p = 4",
    make: () =>
      preset('fig4', {}, { d: 2, h: 8, V: 4 }, [phase('p2', 2, 64_000, 3e-3, false, 32), phase('p4', 4, 64_000, 3e-3, true, 32)]),
  },
};

export function presetConfig(name: string): TrainConfig {
  const entry = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!entry) throw new ConfigError(`unknown preset '${name}'; choose one of ${Object.keys(PRESETS).join(', ')}`);
  return entry.make();
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The largest run this workbench trains. Each bound keeps a run within one workstation's memory
 * and a sane time, and is checked before any work starts (a run of 1e20 steps would never end,
 * T = 10,000 or d = 100,000 fail deep inside the backend instead of with a sentence).
 */
export const LIMITS = {
  T: 256,
  V: 1024,
  d: 1024,
  h: 4096,
  nTrain: 1_000_000,
  nTest: 100_000,
  nHeldout: 100_000,
  totalSteps: 10_000_000,
  seed: 1_000_000_000,
  /** floats in the largest activation of one step (batch × max(h, T·d, T·V)) */
  activationFloats: 1 << 26,
  /** the trajectory file's size */
  trajectoryBytes: 4 * 2 ** 30,
} as const;

function checkBounds(c: TrainConfig): void {
  const sizes: [string, number, number, string][] = [
    ['T (sequence length)', c.task.T, LIMITS.T, 'memory and time grow with n·T'],
    ['V (vocabulary)', c.model.V, LIMITS.V, 'the task needs no more than p tokens'],
    ['d (width)', c.model.d, LIMITS.d, 'the trajectory keeps every parameter at every snapshot'],
    ['h (MLP width)', c.model.h, LIMITS.h, 'the trajectory keeps every parameter at every snapshot'],
    ['n_train', c.task.nTrain, LIMITS.nTrain, 'every training sequence is evaluated at every step'],
    ['n_test', c.task.nTest, LIMITS.nTest, 'the test set is evaluated after every step'],
    ['n_heldout', c.task.nHeldout, LIMITS.nHeldout, 'the held-out set is evaluated at every snapshot'],
  ];
  for (const [name, v, max, why] of sizes) if (v > max) throw new RangeError(`${name} = ${v} is larger than ${max.toLocaleString('en-US')}, the most this workbench trains (${why}); choose a smaller value`);
  const steps = totalSteps(c); // at most MAX_STEPS: checked before the bounds
  const batch = Math.max(...c.phases.map((ph) => ph.batchSize ?? c.task.nTrain), c.task.nTest, c.task.nHeldout);
  const widest = Math.max(c.model.h, c.task.T * c.model.d, c.task.T * c.model.V);
  if (batch * widest > LIMITS.activationFloats) {
    const gb = ((batch * widest * 4) / 2 ** 30).toFixed(1);
    throw new RangeError(`one step would hold ${gb} GiB in a single activation (${batch.toLocaleString('en-US')} sequences × ${widest.toLocaleString('en-US')} values); use minibatches (--batch-size), fewer sequences or a narrower model`);
  }
  const params = paramLayout(c.model).total;
  const snapshots = Math.min(steps + 1, c.snapshots.denseUntil + Math.ceil(steps / Math.max(1, c.snapshots.every || Math.max(10, Math.ceil(steps / 2000)))) + c.phases.length + 1);
  const bytes = snapshots * params * 4;
  if (bytes > LIMITS.trajectoryBytes) {
    throw new RangeError(`the trajectory would take ${(bytes / 2 ** 30).toFixed(1)} GiB (${snapshots.toLocaleString('en-US')} snapshots × ${params.toLocaleString('en-US')} parameters); the most is 4 GiB: keep fewer snapshots (--set snapshots.every=N) or use a smaller model`);
  }
}


/**
 * The most updates one run may take, across its phases: 10 million steps are about 2.5 days of
 * the fig5 model at 21 ms per step. Work proportional to the step count (the snapshot plan)
 * starts before the first step, so larger counts are refused up front.
 */
export const MAX_STEPS = 10_000_000;

/** Checks a whole configuration; throws a ConfigError naming the first problem. */
export function validateConfig(c: TrainConfig): void {
  try {
    if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > LIMITS.seed) throw new RangeError(`seed must be an integer in [0, ${LIMITS.seed.toLocaleString('en-US')}], got ${c.seed}`);
    validateTask(c.task);
    validateModel(c.model);
    if (c.model.T !== c.task.T) throw new RangeError(`the model's T (${c.model.T}) differs from the task's sequence length (${c.task.T})`);
    if (c.phases.length === 0) throw new RangeError('the schedule has no phases');
    for (const [i, ph] of c.phases.entries()) {
      const where = `phase ${i + 1} (${ph.name})`;
      if (!Number.isInteger(ph.p) || ph.p < 2) throw new RangeError(`${where}: p must be an integer ≥ 2, got ${ph.p}`);
      if (ph.p > c.model.V) throw new RangeError(`${where}: p = ${ph.p} needs a vocabulary of at least ${ph.p} tokens, but V = ${c.model.V}; raise V`);
      if (!Number.isInteger(ph.steps) || ph.steps < 1) throw new RangeError(`${where}: steps must be a positive integer, got ${ph.steps}`);
      if (!(Number.isFinite(ph.lr) && ph.lr > 0)) throw new RangeError(`${where}: the learning rate must be a positive number, got ${ph.lr}`);
      if (ph.batchSize !== null && (!Number.isInteger(ph.batchSize) || ph.batchSize < 1 || ph.batchSize > c.task.nTrain)) {
        throw new RangeError(`${where}: the batch size must be an integer between 1 and n_train = ${c.task.nTrain}, got ${ph.batchSize}`);
      }
      if (ph.mlpLrDiscount !== undefined && !(typeof ph.mlpLrDiscount === 'number' && Number.isFinite(ph.mlpLrDiscount) && ph.mlpLrDiscount > 0)) {
        throw new RangeError(`${where}: mlpLrDiscount divides the MLP's learning rate and must be a positive number, got ${String(ph.mlpLrDiscount)}`);
      }
    }
    const total = totalSteps(c);
    if (total > MAX_STEPS) throw new RangeError(`the schedule has ${total.toLocaleString('en-US')} steps in total; a run may take at most ${MAX_STEPS.toLocaleString('en-US')}; lower the steps`);
    const { beta1, beta2, eps } = c.adam;
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) throw new RangeError('Adam needs 0 ≤ β1, β2 < 1 and ε > 0');
    if (!Number.isInteger(c.snapshots.denseUntil) || c.snapshots.denseUntil < 0) throw new RangeError('snapshots.denseUntil must be a non-negative integer');
    if (!Number.isInteger(c.snapshots.every) || c.snapshots.every < 0) throw new RangeError('snapshots.every must be a non-negative integer (0 = automatic)');
    const ce = c.snapshots.checkpointEvery ?? 0;
    if (!Number.isInteger(ce) || ce < 0) throw new RangeError('snapshots.checkpointEvery must be a non-negative integer (0 = phase ends and the end only)');
    checkBounds(c);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError((err as Error).message);
  }
}



/**
 * Applies `path=value` overrides (for example `model.d=16`, `phases.0.steps=500`, `task.k=3`).
 * Values are parsed as JSON when they parse, else taken as strings.
 */
export function applyOverride(c: TrainConfig, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`an override must look like path=value (for example model.d=16), got '${assignment}'`);
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  let target: Record<string, unknown> = c as unknown as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = Object.hasOwn(target, path[i]) ? target[path[i]] : undefined;
    if (next === null || typeof next !== 'object') throw new ConfigError(`unknown setting '${path.slice(0, i + 1).join('.')}' in override '${assignment}'`);
    target = next as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  const optionalPhaseField = path.length === 3 && path[0] === 'phases' && Object.hasOwn(OPTIONAL_PHASE_FIELDS, last);
  if (optionalPhaseField && !Object.hasOwn(target, last)) {
    if (typeof value !== OPTIONAL_PHASE_FIELDS[last]) throw new ConfigError(`setting '${path.join('.')}' takes a ${OPTIONAL_PHASE_FIELDS[last]}, got ${JSON.stringify(value)}`);
    target[last] = value;
    return;
  }
  if (!Object.hasOwn(target, last)) throw new ConfigError(`unknown setting '${path.join('.')}'; see 'circuit-workbench presets --json' for the fields`);
  const old = target[last];
  if (old !== null && typeof old !== typeof value) throw new ConfigError(`setting '${path.join('.')}' takes a ${typeof old}, got ${JSON.stringify(value)}`);
  target[last] = value;
  // The model's positional table follows the task's sequence length.
  if (path.join('.') === 'task.T') c.model.T = c.task.T;
}
