/**
 * What a finished run says about the paper's claim: final accuracies, and when (if ever) the
 * test accuracy crossed a threshold. A sweep's summary aggregates these over seeds (sweepState.ts).
 */
import { readManifest, readMetrics, type MetricRow } from '../runs/runFolder.js';

export interface RunSummary {
  runDir: string;
  preset: string | null;
  seed: number;
  status: string;
  stepsDone: number;
  finalTrainAcc: number;
  finalTestLoss: number;
  finalTestAcc: number;
  finalHeldoutAcc: number;
  /** first update s of the last phase (the target task) after which the test accuracy is ≥ threshold (null: never) */
  firstStepAbove: number | null;
  seconds: number;
}

export const SUCCESS_THRESHOLD = 0.99;

export function summarizeRun(runDir: string, threshold = SUCCESS_THRESHOLD): RunSummary {
  const m = readManifest(runDir);
  const rows = readMetrics(runDir);
  const last: MetricRow | undefined = rows[rows.length - 1];
  const lastHeldout = [...rows].reverse().find((r) => Number.isFinite(r.heldout_acc));
  // A curriculum's early phases test on their own (easier) data: success is measured on the last.
  const lastPhase = m.phases[m.phases.length - 1];
  const first = rows.find((r) => r.step >= lastPhase.start && r.test_acc >= threshold);
  return {
    runDir,
    preset: m.config.preset,
    seed: m.config.seed,
    status: m.status,
    stepsDone: m.stepsDone,
    finalTrainAcc: last?.train_acc ?? NaN,
    finalTestLoss: last?.test_loss ?? NaN,
    finalTestAcc: last?.test_acc ?? NaN,
    finalHeldoutAcc: lastHeldout?.heldout_acc ?? NaN,
    firstStepAbove: first ? first.step : null,
    seconds: m.seconds,
  };
}

export function median(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
