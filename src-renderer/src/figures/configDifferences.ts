/**
 * The Runs view's differences table: the configuration fields whose values differ between the
 * open sources. Pure functions, tested in Node.
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

/** A nested configuration as `path: value` pairs (task.T, phases.0.steps, …), as the API flattens a run's. */
export function flattenConfig(obj: unknown, prefix = '', out: Record<string, ConfigValue> = {}): Record<string, ConfigValue> {
  if (obj === null || typeof obj !== 'object') {
    if (prefix) out[prefix] = (obj ?? null) as ConfigValue;
    return out;
  }
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/**
 * How a run's task, model and schedule differ from its preset (the paper's setting): one row per
 * field, the run's value and the preset's. Seeds and backends are not differences.
 */
export function presetDifferences(run: Record<string, ConfigValue>, preset: unknown): { key: string; run: ConfigValue | undefined; preset: ConfigValue | undefined }[] {
  const p = flattenConfig(preset);
  const keys = [...new Set([...Object.keys(run), ...Object.keys(p)])].filter((k) => /^(task|model|phases)\./.test(k));
  return keys.filter((k) => JSON.stringify(run[k]) !== JSON.stringify(p[k])).map((k) => ({ key: k, run: run[k], preset: p[k] }));
}
