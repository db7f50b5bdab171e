/**
 * The sweep statistics against scipy (Debian's python3-scipy): Wilson intervals from
 * scipy.stats.binomtest(...).proportion_ci(method='wilson'), p-values from
 * scipy.stats.fisher_exact, over edge cases and many random tables.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fisherExact, median, wilsonInterval } from '../../../src-main/engine/experiment/stats.js';
import { DEBIAN_PYTHON } from '../../helpers.js';

const tables: [number, number, number, number][] = [
  [0, 10, 10, 0], [10, 0, 0, 10], [0, 0, 0, 0], [0, 5, 0, 5], [5, 5, 5, 5], [3, 7, 9, 1], [1, 9, 8, 2],
  [2, 98, 60, 40], [0, 100, 3, 97], [7, 3, 2, 8], [1, 0, 0, 1], [12, 5, 29, 2], [50, 50, 50, 50],
];
const counts: [number, number][] = [[0, 0], [0, 1], [1, 1], [0, 10], [10, 10], [3, 10], [9, 10], [1, 100], [50, 100], [99, 100], [0, 1000], [517, 1000]];
// a fixed pseudo-random set of tables, so a failure reproduces
let s = 12345;
const rand = (k: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % k);
for (let i = 0; i < 200; i++) tables.push([rand(30), rand(30), rand(30), rand(30)]);

function scipy(): { fisher: number[]; wilson: [number, number][] } {
  const script = `
import json, sys
from scipy.stats import fisher_exact, binomtest
q = json.load(sys.stdin)
fisher = [float(fisher_exact([[a, b], [c, d]])[1]) for a, b, c, d in q['tables']]
wilson = [[0.0, 1.0] if n == 0 else list(binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson')) for k, n in q['counts']]
print(json.dumps({'fisher': fisher, 'wilson': [[float(x) for x in w] for w in wilson]}))
`;
  const r = spawnSync(DEBIAN_PYTHON, ['-c', script], { input: JSON.stringify({ tables, counts }), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${DEBIAN_PYTHON} could not run scipy (${r.stderr.trim().split('\n').pop()}); install it with: apt-get install python3-scipy`);
  return JSON.parse(r.stdout) as { fisher: number[]; wilson: [number, number][] };
}

describe('sweep statistics', () => {
  const ref = scipy();

  it('Fisher exact two-sided p-values match scipy.stats.fisher_exact', () => {
    tables.forEach(([a, b, c, d], i) => expect(fisherExact(a, b, c, d), `[[${a}, ${b}], [${c}, ${d}]]`).toBeCloseTo(ref.fisher[i], 10));
  });

  it('Wilson 95 % intervals match scipy, and stay inside [0, 1]', () => {
    counts.forEach(([k, n], i) => {
      const [lo, hi] = wilsonInterval(k, n);
      expect(lo, `${k}/${n}`).toBeCloseTo(ref.wilson[i][0], 10);
      expect(hi, `${k}/${n}`).toBeCloseTo(ref.wilson[i][1], 10);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
    });
  });

  it('known values: 10/10 against 0/10 and Wilson at 0/10', () => {
    // hand-checked: the only tables as extreme are the two diagonals, each 1 / C(20, 10)
    expect(fisherExact(10, 0, 0, 10)).toBeCloseTo(2 / 184756, 12);
    expect(wilsonInterval(0, 10)[1]).toBeCloseTo(0.27753, 5);
  });

  it('rejects impossible counts with a sentence', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(/0 ≤ successes ≤ n/);
    expect(() => fisherExact(-1, 0, 0, 0)).toThrow(/non-negative integer counts/);
  });

  it('medians ignore non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, NaN, 2, 3])).toBe(2.5);
    expect(median([NaN])).toBeNaN();
  });
});
