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

/**
 * Reads a run's metrics.csv into the cache in the background, one run per turn of the event loop:
 * a run is opened in order to be looked at, and its curves are what the first views draw
 * (a 100,000-row file takes ~0.1 s to parse). A file that cannot be read is left for the view to report.
 */
export function warmMetricColumns(dir: string): void {
  warming.push(dir);
  if (warming.length === 1) setImmediate(warmNext);
}

const warming: string[] = [];

function warmNext(): void {
  const dir = warming[0];
  try {
    readMetricColumnsCached(dir);
  } catch {
    // said when a view asks for the curves
  }
  warming.shift();
  if (warming.length > 0) setImmediate(warmNext);
}
