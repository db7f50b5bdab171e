/**
 * Building a training run's configuration (runs/runConfig.ts defines its shape): presets that
 * reproduce the paper's figures, `path=value` overrides, and validation with a sentence that
 * says what is wrong. The derivations (seeds, steps, phases) are re-exported for the doors.
 */
import { validateTask, type TaskConfig } from '../task/data.js';
import { PAPER_MODEL, validateModel, type ModelConfig } from '../model/config.js';
import { TORCH_ADAM } from './adam.js';
import { totalSteps, type TrainConfig, type PhaseConfig, type SnapshotPolicy } from '../runs/runConfig.js';

export { dataSeedOf, modelSeedOf, moduliOf, phaseBoundaries, snapshotSteps, totalSteps } from '../runs/runConfig.js';
export type { AdamHyper, PhaseConfig, SnapshotPolicy, TrainConfig } from '../runs/runConfig.js';

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
    description: 'Fig. 4: d = 2, h = 32; 3,000 steps on p = 2 at lr 1e-3, then 3,000 on p = 4 at lr 1e-2',
    make: () => preset('fig4', {}, { d: 2, h: 32 }, [phase('p2', 2, 3_000, 1e-3), phase('p4', 4, 3_000, 1e-2, true)]),
  },
};

export function presetConfig(name: string): TrainConfig {
  const entry = PRESETS[name];
  if (!entry) throw new ConfigError(`unknown preset '${name}'; choose one of ${Object.keys(PRESETS).join(', ')}`);
  return entry.make();
}

export class ConfigError extends Error {
  override name = 'ConfigError';
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
    if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 1e9) throw new RangeError(`seed must be an integer in [0, 1e9], got ${c.seed}`);
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
    }
    const total = totalSteps(c);
    if (total > MAX_STEPS) throw new RangeError(`the schedule has ${total.toLocaleString('en-US')} steps in total; a run may take at most ${MAX_STEPS.toLocaleString('en-US')}; lower the steps`);
    const { beta1, beta2, eps } = c.adam;
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) throw new RangeError('Adam needs 0 ≤ β1, β2 < 1 and ε > 0');
    if (!Number.isInteger(c.snapshots.denseUntil) || c.snapshots.denseUntil < 0) throw new RangeError('snapshots.denseUntil must be a non-negative integer');
    if (!Number.isInteger(c.snapshots.every) || c.snapshots.every < 0) throw new RangeError('snapshots.every must be a non-negative integer (0 = automatic)');
    const ce = c.snapshots.checkpointEvery ?? 0;
    if (!Number.isInteger(ce) || ce < 0) throw new RangeError('snapshots.checkpointEvery must be a non-negative integer (0 = phase ends and the end only)');
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
    const next = target[path[i]];
    if (next === null || typeof next !== 'object') throw new ConfigError(`unknown setting '${path.slice(0, i + 1).join('.')}' in override '${assignment}'`);
    target = next as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (!(last in target)) throw new ConfigError(`unknown setting '${path.join('.')}'; see 'circuit-workbench presets --json' for the fields`);
  const old = target[last];
  if (old !== null && typeof old !== typeof value) throw new ConfigError(`setting '${path.join('.')}' takes a ${typeof old}, got ${JSON.stringify(value)}`);
  target[last] = value;
  // The model's positional table follows the task's sequence length.
  if (path.join('.') === 'task.T') c.model.T = c.task.T;
}
