/**
 * The multi-seed experiment's summary as the Train view shows it: how often each schedule
 * generalised and each run's result. Pure functions, tested in Node.
 */

/** The experiment summary, as the engine's multi-seed experiment returns it (a job's result). */
export interface ExperimentRunRow {
  runDir: string;
  schedule: string;
  preset: string | null;
  seed: number;
  status: string;
  stepsDone: number;
  finalTrainAcc: number | null;
  finalTestAcc: number | null;
  finalHeldoutAcc: number | null;
  firstStepAbove: number | null;
}

export interface ExperimentScheduleRow {
  schedule: string;
  seeds: number;
  succeeded: number;
  medianStepToThreshold: number | null;
  medianFinalTrainAcc: number | null;
  medianFinalTestAcc: number | null;
  medianFinalHeldoutAcc: number | null;
}

export interface ExperimentSummary {
  experiment: string;
  outDir: string;
  runs: ExperimentRunRow[];
  schedules: ExperimentScheduleRow[];
  failures: { run: string; message: string }[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** NaN travels through JSON as null; anything not a finite number becomes null. */
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const str = (x: unknown, fallback = ''): string => (typeof x === 'string' ? x : fallback);

/** Reads a job's result as an experiment summary; null when it is not one. */
export function asExperimentSummary(result: unknown): ExperimentSummary | null {
  if (!isObj(result) || !Array.isArray(result.runs) || !Array.isArray(result.schedules)) return null;
  const runs = result.runs.filter(isObj).map(
    (r): ExperimentRunRow => ({
      runDir: str(r.runDir),
      schedule: str(r.schedule),
      preset: typeof r.preset === 'string' ? r.preset : null,
      seed: num(r.seed) ?? 0,
      status: str(r.status, 'unknown'),
      stepsDone: num(r.stepsDone) ?? 0,
      finalTrainAcc: num(r.finalTrainAcc),
      finalTestAcc: num(r.finalTestAcc),
      finalHeldoutAcc: num(r.finalHeldoutAcc),
      firstStepAbove: num(r.firstStepAbove),
    }),
  );
  const schedules = result.schedules.filter(isObj).map(
    (s): ExperimentScheduleRow => ({
      schedule: str(s.schedule),
      seeds: num(s.seeds) ?? 0,
      succeeded: num(s.succeeded) ?? 0,
      medianStepToThreshold: num(s.medianStepToThreshold),
      medianFinalTrainAcc: num(s.medianFinalTrainAcc),
      medianFinalTestAcc: num(s.medianFinalTestAcc),
      medianFinalHeldoutAcc: num(s.medianFinalHeldoutAcc),
    }),
  );
  const failures = (Array.isArray(result.failures) ? result.failures : []).filter(isObj).map((f) => ({ run: str(f.run), message: str(f.message) }));
  return { experiment: str(result.experiment), outDir: str(result.outDir), runs, schedules, failures };
}

/** An accuracy for a table: "0.993", or "—" when missing. */
export function formatAcc(x: number | null): string {
  return x === null ? '—' : x.toFixed(3);
}
