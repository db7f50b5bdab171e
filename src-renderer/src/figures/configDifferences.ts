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
