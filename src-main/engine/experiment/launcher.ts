/**
 * How an experiment starts its runs: through a launcher it is given, so the engine never knows
 * which process carries a run (a forked Node worker for the CLI and `serve`, an Electron utility
 * process in the desktop app; src-main/jobs/launchers.ts and src-main/app/utility-process.ts).
 */
import type { BackendName } from '../backend.js';
import type { TrainProgress } from '../train/trainer.js';

/** One training run to start or continue, in its own folder. */
export type TrainRunSpec =
  | { kind: 'new'; preset: string; seed: number; runDir: string; maxSteps: number | null; backend?: BackendName | 'auto' }
  | { kind: 'resume'; runDir: string; maxSteps: number | null; backend?: BackendName | 'auto' };

/**
 * Trains one run to its end. Resolves when the run is complete; rejects with an Error whose
 * message is one sentence when it fails, is cancelled through `signal`, or its process dies.
 */
export type RunLauncher = (spec: TrainRunSpec, signal: AbortSignal, onProgress: (p: TrainProgress) => void) => Promise<void>;
