/**
 * Tables of the Runs and Train views: configuration differences between open sources and the
 * multi-seed experiment's summary. Pure functions, tested in Node.
 */
import type { SourceInfo } from '../../../src-main/api/contract.js'; // types only; '.js' paths keep this file valid for the Node tsconfig too (tests import it)

export type ConfigValue = string | number | boolean | null;

export interface ConfigDifference {
  key: string;
  /** one value per source, in the order given; undefined where a source lacks the field */
  values: (ConfigValue | undefined)[];
}

/**
 * The configuration fields whose values are not the same in every source, in the order the
 * fields first appear. A field that some sources lack counts as different. Fewer than two
 * sources have no differences.
 */
export function configDifferences(sources: Pick<SourceInfo, 'config'>[]): ConfigDifference[] {
  if (sources.length < 2) return [];
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    for (const k of Object.keys(s.config)) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  const out: ConfigDifference[] = [];
  for (const key of keys) {
    const values = sources.map((s) => (Object.prototype.hasOwnProperty.call(s.config, key) ? s.config[key] : undefined));
    const distinct = new Set(values.map((v) => (v === undefined ? '\u0000missing' : JSON.stringify(v))));
    if (distinct.size > 1) out.push({ key, values });
  }
  return out;
}

/** A configuration value as a table cell. */
export function formatConfigValue(v: ConfigValue | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

/** The experiment summary, as src-main/engine/train/experiment.ts returns it. */
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
