/**
 * A run's configuration as its run.json records it, and what follows from it without training:
 * the seeds, the length of the schedule, its phases and the steps kept as snapshots. The
 * presets, overrides and validation that build a configuration live in train/config.ts.
 */
import type { TaskConfig } from '../task/data.js';
import type { ModelConfig } from '../model/config.js';

export interface PhaseConfig {
  name: string;
  /** modulus of the data this phase trains on */
  p: number;
  steps: number;
  lr: number;
  /** start a fresh Adam at the beginning of this phase */
  restartOptimizer: boolean;
  /** minibatch size; null for full batch (one step = one epoch) */
  batchSize: number | null;
  /**
   * the MLP's parameters learn at lr / mlpLrDiscount (the reference's `mlp_lr_discount`, a second
   * Adam parameter group); absent or 1: every parameter at lr
   */
  mlpLrDiscount?: number;
}

export interface SnapshotPolicy {
  /** keep every step below this one */
  denseUntil: number;
  /** then every `every`-th step (0: choose so a run keeps about 2,000 snapshots) */
  every: number;
  /** also write an ONNX checkpoint every this many steps (0: only at phase ends and the end) */
  checkpointEvery?: number;
}

/** Adam's constants (train/adam.ts implements the optimiser). */
export interface AdamHyper {
  beta1: number;
  beta2: number;
  eps: number;
}

/** PyTorch's Adam defaults (here, not in train/adam.ts, so configs load without TensorFlow.js). */
export const TORCH_ADAM: AdamHyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface TrainConfig {
  preset: string | null;
  /** user seed S: data seed 1+S and model seed 20+S, the reference's recipe */
  seed: number;
  task: TaskConfig;
  model: ModelConfig;
  phases: PhaseConfig[];
  adam: AdamHyper;
  snapshots: SnapshotPolicy;
}

export interface PhaseBoundary {
  name: string;
  p: number;
  start: number;
  end: number;
}

export function totalSteps(c: TrainConfig): number {
  return c.phases.reduce((a, p) => a + p.steps, 0);
}

export function dataSeedOf(c: TrainConfig): number {
  return 1 + c.seed;
}

export function modelSeedOf(c: TrainConfig): number {
  return 20 + c.seed;
}

/** The moduli the schedule trains on, each once, in order of first use. */
export function moduliOf(c: TrainConfig): number[] {
  return [...new Set(c.phases.map((ph) => ph.p))];
}

/** Steps whose parameters θ_k (after k updates) are kept in trajectory.npy. */
export function snapshotSteps(c: TrainConfig): number[] {
  const total = totalSteps(c);
  const every = c.snapshots.every > 0 ? c.snapshots.every : Math.max(10, Math.ceil(total / 2000));
  const keep = new Set<number>();
  const ce = c.snapshots.checkpointEvery ?? 0;
  for (let k = 0; k <= total; k++) if (k < c.snapshots.denseUntil || k % every === 0 || (ce > 0 && k % ce === 0)) keep.add(k);
  let boundary = 0;
  for (const ph of c.phases) {
    boundary += ph.steps;
    keep.add(boundary);
  }
  return [...keep].sort((a, b) => a - b);
}

/** Where each phase starts and ends, in global steps. */
export function phaseBoundaries(c: TrainConfig): PhaseBoundary[] {
  let start = 0;
  return c.phases.map((ph) => {
    const b = { name: ph.name, p: ph.p, start, end: start + ph.steps };
    start += ph.steps;
    return b;
  });
}

/** The phase whose updates produced θ_k (the first phase for θ_0). */
export function phaseOfSnapshot(c: TrainConfig, k: number): PhaseBoundary {
  const boundaries = phaseBoundaries(c);
  return boundaries.find((b) => k > b.start && k <= b.end) ?? boundaries[0];
}
