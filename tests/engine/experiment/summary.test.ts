import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, summarizeRun } from '../../../src-main/engine/experiment/summary.js';
import { RUN_FORMAT, METRIC_COLUMNS } from '../../../src-main/engine/runs/runFolder.js';
import { presetConfig } from '../../../src-main/engine/train/config.js';
import { tempDir } from '../../helpers.js';

const root = tempDir();

function fakeRun(name: string, rows: [number, string, number, number][]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const config = presetConfig('fig5-curriculum');
  writeFileSync(
    join(dir, 'run.json'),
    JSON.stringify({ format: RUN_FORMAT, version: 1, status: 'complete', config, layout: [], parameterCount: 1, snapshotSteps: [], stepsDone: rows.length, seconds: 1, phases: [{ name: 'p2', p: 2, start: 0, end: 3 }, { name: 'p4', p: 4, start: 3, end: 6 }] }),
  );
  writeFileSync(join(dir, 'metrics.csv'), METRIC_COLUMNS.join(',') + '\n' + rows.map(([s, ph, p, acc]) => `${s},${ph},${p},0.1,1,0.2,${acc},,`).join('\n') + '\n');
  return dir;
}

describe('run summaries', () => {
  it('measure success on the last phase only: a curriculum’s easy phase does not count', () => {
    const dir = fakeRun('c', [[0, 'p2', 2, 0.5], [1, 'p2', 2, 1], [2, 'p2', 2, 1], [3, 'p4', 4, 0.3], [4, 'p4', 4, 0.995], [5, 'p4', 4, 1]]);
    const s = summarizeRun(dir);
    expect(s.firstStepAbove).toBe(4);
    expect(s.finalTestAcc).toBe(1);
    const never = summarizeRun(fakeRun('n', [[0, 'p2', 2, 1], [1, 'p2', 2, 1], [2, 'p2', 2, 1], [3, 'p4', 4, 0.3], [4, 'p4', 4, 0.4], [5, 'p4', 4, 0.5]]));
    expect(never.firstStepAbove).toBeNull();
  });

  it('takes medians of finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, NaN, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
