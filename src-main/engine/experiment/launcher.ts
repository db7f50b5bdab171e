/**
 * How an experiment or sweep starts its runs: through a launcher it is given, so the engine never
 * knows which process carries a run (a forked Node worker for the CLI and `serve`, an Electron
 * utility process in the desktop app; src-main/jobs/launchers.ts and
 * src-main/app/utility-process-launcher.ts).
 */
import type { BackendName } from '../backend.js';
import type { TrainConfig } from '../train/config.js';
import type { TrainProgress } from '../train/trainer.js';
import { runConfig } from './sweepSpec.js';

/** One training run to start or continue, in its own folder. */
export type TrainRunSpec =
  | {
      kind: 'new';
      preset: string;
      seed: number;
      runDir: string;
      maxSteps: number | null;
      /** path=value settings applied in order after the preset and seed (a sweep cell's `set` and grid values) */
      overrides?: string[];
      backend?: BackendName | 'auto';
    }
  | { kind: 'resume'; runDir: string; maxSteps: number | null; backend?: BackendName | 'auto' };

/** The validated configuration of a new run: its preset, its seed, then its overrides. */
export function newRunConfig(spec: Extract<TrainRunSpec, { kind: 'new' }>): TrainConfig {
  return runConfig({ preset: spec.preset, seed: spec.seed, overrides: spec.overrides ?? [] });
}

/**
 * Trains one run to its end. Resolves when the run is complete (or stopped at its max steps);
 * rejects with an Error whose message is one sentence when it fails, is cancelled through
 * `signal`, or its process dies.
 */
export type RunLauncher = (spec: TrainRunSpec, signal: AbortSignal, onProgress: (p: TrainProgress) => void) => Promise<void>;
