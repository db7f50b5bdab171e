/** Messages between the job manager and a job worker process. */
import type { ProjectionMethod } from '../engine/analysis/projection.js';
import type { TrainConfig } from '../engine/train/config.js';

export type JobSpec =
  | { kind: 'train'; runDir: string; config: TrainConfig; maxSteps: number | null }
  | { kind: 'experiment'; experiment: string; seeds: number[]; outDir: string; maxSteps: number | null }
  | { kind: 'project'; paths: string[]; ids: string[]; method: ProjectionMethod; every: number; seed: number };

export type ToWorker = { type: 'start'; spec: JobSpec } | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; fraction: number; stage: string; point?: { step: number; trainLoss: number; trainAcc: number; testLoss: number; testAcc: number } }
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
