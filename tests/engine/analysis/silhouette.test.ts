/**
 * The silhouette of z_A grouped by the prefix sum (Fig. 4's measure), against scikit-learn's
 * silhouette_score (Debian's python3-sklearn) on the z_A of real checkpoints, and through the CLI.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silhouette } from '../../../src-main/engine/analysis/silhouette.js';
import { cli, DEBIAN_PYTHON, tempDir } from '../../helpers.js';

const root = tempDir();
const DEMO = new URL('../../../resources/demo/curriculum-s4', import.meta.url).pathname;

/** scikit-learn's score for points and labels written to a JSON file. */
function sklearnSilhouette(points: number[], d: number, labels: number[]): number {
  const file = join(root, `points-${labels.length}-${d}.json`);
  writeFileSync(file, JSON.stringify({ points, d, labels }));
  const script = [
    'import json, sys, numpy as np',
    'from sklearn.metrics import silhouette_score',
    'j = json.load(open(sys.argv[1]))',
    "x = np.asarray(j['points'], dtype=np.float64).reshape(-1, j['d'])",
    "print(repr(float(silhouette_score(x, np.asarray(j['labels']), metric='euclidean'))))",
  ].join('\n');
  const r = spawnSync(DEBIAN_PYTHON, ['-c', script, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

describe('the silhouette score', () => {
  it('is the hand-computed value on a small example, 0 for singletons, undefined for one class', () => {
    // two points at 0 and 1 (class a), one at 4 (class b): s = [(4−1)/4, (3−1)/3, 0 (a singleton)]
    const s = silhouette([0, 1, 4], 3, 1, [7, 7, 9]);
    expect(s.classes).toBe(2);
    expect(s.score).toBeCloseTo((3 / 4 + 2 / 3 + 0) / 3, 12);
    expect(silhouette([0, 1, 4], 3, 1, [1, 1, 1]).score).toBeNull();
    expect(silhouette([0, 1, 4], 3, 1, [1, 2, 3]).score).toBeNull();
    expect(() => silhouette([0, 1], 3, 1, [1, 2, 3])).toThrow(/2 values for 3 points/);
  });

  it.each([
    ['p = 4 prefixes at the end of the bundled curriculum run (1,024 points, d = 32, 16 sums)', ['--p', '4']],
    ['p = 2 prefixes at its initialisation (32 points, 6 sums)', ['--p', '2', '--step', '0']],
    ['the p = 4 test set at step 2,000', ['--p', '4', '--set', 'test', '--step', '2000']],
  ])('matches scikit-learn on real z_A: %s', (_, args) => {
    const out = join(root, `emb-${args.join('')}.json`);
    const r = cli(['analyze', 'embeddings', DEMO, ...args, '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const e = JSON.parse(readFileSync(out, 'utf8')) as { d: number; labels: number[]; zAttn: number[]; silhouette: number; classes: number };
    const want = sklearnSilhouette(e.zAttn, e.d, e.labels);
    expect(summary.silhouette).toBeCloseTo(want, 9);
    expect(e.silhouette).toBe(summary.silhouette);
    expect(summary.classes).toBe(new Set(e.labels).size);
    if (!args.includes('--set')) expect(summary).toMatchObject({ classes: args[1] === '4' ? 16 : 6, k: 5 });
  });

  it('is reported per snapshot, its last line the JSON summary', () => {
    const out = join(root, 'over-training.csv');
    const r = cli(['analyze', 'embeddings', DEMO, '--p', '2', '--every-snapshot', '--from', '1000', '--to', '2000', '--stride', '5', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('step,silhouette,classes');
    expect(lines).toHaveLength(summary.steps.length + 1);
    expect(summary.steps[0]).toBe(1000);
    expect(summary.steps.at(-1)).toBe(2000);
    expect(summary).toMatchObject({ classes: 6, p: 2, step: 2000 });
    // the per-snapshot value equals the single-step one
    const at = JSON.parse(cli(['analyze', 'embeddings', `${DEMO}@2000`, '--p', '2', '--json']).stdout.trim().split('\n').at(-1)!);
    expect(summary.silhouette).toBeCloseTo(at.silhouette, 12);
    expect(Number(lines.at(-1)!.split(',')[1])).toBeCloseTo(at.silhouette, 6);
  });

  it('refuses contradictory options with a sentence', () => {
    const r = cli(['analyze', 'embeddings', DEMO, '--every-snapshot', '--step', '2000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--step and --every-snapshot exclude each other/);
    const r2 = cli(['analyze', 'embeddings', DEMO, '--from', '10']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/--from and --to go with --every-snapshot/);
  });
});
