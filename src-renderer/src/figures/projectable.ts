/**
 * Which of the ticked runs one trajectory projection can take: its points are whole parameter
 * vectors, so every run must have the first ticked run's parameters (names and shapes). The
 * others are left out with a sentence naming them, rather than failing the whole projection.
 * Pure.
 */
import type { SourceInfo } from '../../../src-main/api/contract.js';

type RunLayout = Pick<SourceInfo, 'id' | 'label' | 'parameterCount' | 'parameterLayout'>;

export interface ProjectableRuns<R extends RunLayout> {
  included: R[];
  leftOut: R[];
  /** "left out: fig4-s9 has 26 parameters per snapshot, the others 9,920", or null when all fit */
  note: string | null;
}

const count = (n: number) => n.toLocaleString('en-US');

function names(runs: RunLayout[]): string {
  const labels = runs.map((r) => r.label);
  return labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

export function projectableRuns<R extends RunLayout>(runs: R[]): ProjectableRuns<R> {
  if (runs.length === 0) return { included: [], leftOut: [], note: null };
  const layout = runs[0].parameterLayout;
  const included = runs.filter((r) => r.parameterLayout === layout);
  const leftOut = runs.filter((r) => r.parameterLayout !== layout);
  if (leftOut.length === 0) return { included, leftOut, note: null };
  const size = runs[0].parameterCount;
  const groups = new Map<number, R[]>();
  for (const r of leftOut) groups.set(r.parameterCount, [...(groups.get(r.parameterCount) ?? []), r]);
  const parts = [...groups].map(([n, rs]) =>
    n === size ? `${names(rs)} ${rs.length === 1 ? 'has' : 'have'} other parameter names or shapes` : `${names(rs)} ${rs.length === 1 ? 'has' : 'have'} ${count(n)} parameters per snapshot`,
  );
  const others = included.length === 1 ? included[0].label : 'the others';
  const tail = [...groups.keys()].some((n) => n !== size) ? `, ${others} ${count(size)}` : '';
  return { included, leftOut, note: `left out: ${parts.join('; ')}${tail}` };
}
