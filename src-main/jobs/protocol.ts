/** Messages between the job manager (or a run launcher) and a job worker process. */
import type { BackendName } from '../engine/backend.js';
import type { ProjectionMethod } from '../engine/analysis/projection.js';
import type { TrainConfig } from '../engine/train/config.js';
import type { SweepSpec } from '../engine/experiment/sweepSpec.js';
import type { TrainProgress } from '../engine/train/trainer.js';

export type JobSpec =
  /** a new run from `config`, or (`resume`, config null) the run in runDir continued */
  | { kind: 'train'; runDir: string; config: TrainConfig | null; resume?: boolean; maxSteps: number | null; backend?: BackendName | 'auto' }
  /** a local sweep in sweepDir (created or resumed), each run through the worker's run launcher */
  | { kind: 'sweep'; sweepDir: string; spec: SweepSpec; jobs?: number }
  | { kind: 'project'; paths: string[]; ids: string[]; method: ProjectionMethod; every: number; seed: number };

/** `reason` (why it was cancelled) goes into the run's status message. */
export type ToWorker = { type: 'start'; spec: JobSpec } | { type: 'cancel'; reason?: string };

export type FromWorker =
  | {
      type: 'progress';
      fraction: number;
      stage: string;
      point?: { step: number; trainLoss: number; trainAcc: number; testLoss: number; testAcc: number };
      /** a training job's full progress report (what a run launcher passes on) */
      train?: TrainProgress;
    }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; message: string }
  | { type: 'cancelled' };

/** A running worker, whatever process kind carries it (child process or Electron utility process). */
export interface WorkerHandle {
  send(message: ToWorker): void;
  kill(): void;
}

/** Starts a worker process; `onMessage` gets its messages, `onExit` its end. */
export type WorkerLauncher = (onMessage: (m: FromWorker) => void, onExit: (code: number | null) => void) => WorkerHandle;
