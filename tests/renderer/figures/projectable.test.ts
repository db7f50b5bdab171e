/**
 * The Trajectories view projects only the ticked runs laid out like the first one and names the
 * others (src-renderer/src/figures/projectable.ts).
 */
import { describe, expect, it } from 'vitest';
import { projectableRuns } from '../../../src-renderer/src/figures/projectable.js';

const run = (label: string, parameterCount: number, parameterLayout = `layout-${parameterCount}`) => ({ id: label, label, parameterCount, parameterLayout });

describe('projectableRuns', () => {
  it('keeps every run when all share the first run’s layout', () => {
    const r = projectableRuns([run('a', 9920), run('b', 9920)]);
    expect(r.included.map((x) => x.id)).toEqual(['a', 'b']);
    expect(r.note).toBeNull();
  });

  it('leaves out the runs of another size and says how large each is', () => {
    const r = projectableRuns([run('scratch-s4', 9920), run('fig4-s9', 98), run('curriculum-s4', 9920)]);
    expect(r.included.map((x) => x.id)).toEqual(['scratch-s4', 'curriculum-s4']);
    expect(r.leftOut.map((x) => x.id)).toEqual(['fig4-s9']);
    expect(r.note).toBe('left out: fig4-s9 has 98 parameters per snapshot, the others 9,920');
  });

  it('follows the first ticked run, and names the one kept when only one is', () => {
    const r = projectableRuns([run('fig4-s9', 98), run('scratch-s4', 9920), run('curriculum-s4', 9920)]);
    expect(r.included.map((x) => x.id)).toEqual(['fig4-s9']);
    expect(r.note).toBe('left out: scratch-s4 and curriculum-s4 have 9,920 parameters per snapshot, fig4-s9 98');
  });

  it('tells apart layouts of the same size', () => {
    const r = projectableRuns([run('a', 100, 'x'), run('b', 100, 'y')]);
    expect(r.included.map((x) => x.id)).toEqual(['a']);
    expect(r.note).toBe('left out: b has other parameter names or shapes');
  });
});
