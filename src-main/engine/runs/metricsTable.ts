/**
 * metrics.csv's columns (runFolder.ts readMetricColumns) kept in memory: a 100,000-step run has
 * 100,001 rows, parsed once and kept while the file (its inode, size and modification time) stays the same.
 */
import { statSync } from 'node:fs';
import { paths, readMetricColumns, type MetricColumns } from './runFolder.js';

const cache = new Map<string, { stamp: string; columns: MetricColumns }>();
const CACHED_RUNS = 16;

/**
 * readMetricColumns, answered from memory while metrics.csv keeps its inode, size and
 * modification time (a running run's file grows, and is read again). The columns are shared: do not write them.
 */
export function readMetricColumnsCached(dir: string): MetricColumns {
  const file = paths(dir).metrics;
  let stamp = '';
  try {
    const s = statSync(file);
    stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    // readMetricColumns says what is wrong
  }
  const hit = cache.get(file);
  if (hit && stamp && hit.stamp === stamp) {
    cache.delete(file);
    cache.set(file, hit); // most recently used last
    return hit.columns;
  }
  const columns = readMetricColumns(dir);
  cache.set(file, { stamp, columns });
  while (cache.size > CACHED_RUNS) cache.delete(cache.keys().next().value!);
  return columns;
}
