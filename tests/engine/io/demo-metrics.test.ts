/**
 * The bundled demo runs' metrics.csv, the first CSV a new user opens with pandas, holds its numbers
 * as the one CSV writer writes them (the shortest decimal of each float32), not the float64 digits
 * of an older writer (1.9561411142349243 for 1.9561411).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvNumber } from '../../../src-main/engine/io/csv.js';

const DEMO = fileURLToPath(new URL('../../../resources/demo/', import.meta.url));

describe('the demo runs’ metrics.csv', () => {
  it('writes every number as the one CSV writer does', () => {
    const runs = readdirSync(DEMO);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) {
      const [header, ...rows] = readFileSync(join(DEMO, run, 'metrics.csv'), 'utf8').trimEnd().split('\n');
      expect(header).toBe('step,phase,p,train_loss,train_acc,test_loss,test_acc,heldout_loss,heldout_acc');
      const unlike = rows.flatMap((row) => row.split(',').filter((cell) => cell !== '' && !Number.isNaN(Number(cell)) && csvNumber(Number(cell)) !== cell).map((cell) => `${run}: ${cell} (${csvNumber(Number(cell))})`));
      expect(unlike.slice(0, 5), `${unlike.length} cells of ${run}`).toEqual([]);
    }
  });
});
