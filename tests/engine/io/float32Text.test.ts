/**
 * CSV numbers: the shortest decimal that reads back as the same float32, checked in JavaScript
 * and by numpy reading the text with Python's csv module (as a user's script would).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { float32Text } from '../../../src-main/engine/io/float32Text.js';
import { csvNumber, toCsv } from '../../../src-main/engine/io/csv.js';
import { toCsv as rendererToCsv } from '../../../src-renderer/src/figures/export.js';
import { summaryCsv, type SweepSummary } from '../../../src-main/engine/experiment/sweepState.js';
import { DEBIAN_PYTHON, tempDir } from '../../helpers.js';

const root = tempDir();
const bitsOf = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];

/** Finite float32 values over every exponent: random bit patterns, with the edges added. */
function sampleFloat32(n: number): number[] {
  const bits = new Uint32Array(1);
  const view = new Float32Array(bits.buffer);
  let state = 0x9e3779b9;
  const out: number[] = [];
  while (out.length < n) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bits[0] = state;
    if (Number.isFinite(view[0])) out.push(view[0]);
  }
  return out.concat([2 ** -149, -(2 ** -149), 2 ** -126, 3.4028234663852886e38, Math.fround(0.1), Math.fround(1 / 3), 1, -2, 16777216]);
}

describe('float32Text', () => {
  it('prints the decimal a float32 came from, not its float64 digits', () => {
    expect(String(Math.fround(0.01))).toBe('0.009999999776482582'); // what the CSVs showed before
    expect(float32Text(Math.fround(0.01))).toBe('0.01');
    expect(float32Text(0.01)).toBe('0.01');
    expect(float32Text(Math.fround(0.27))).toBe('0.27');
    expect(float32Text(1 / 3)).toBe('0.33333334');
    expect(float32Text(-Math.fround(2.5e-7))).toBe('-2.5e-7');
    expect(float32Text(3.4028234663852886e38)).toBe('3.4028235e+38');
    expect(float32Text(2 ** -149)).toBe('1e-45');
    expect(float32Text(0)).toBe('0');
    expect(float32Text(-0)).toBe('0');
    expect(float32Text(12345)).toBe('12345');
    expect(float32Text(NaN)).toBe('NaN');
    expect(float32Text(-Infinity)).toBe('-Infinity');
    expect(csvNumber(1091)).toBe('1091');
    expect(csvNumber(0.234375)).toBe('0.234375');
  });

  it('round-trips every float32 and no shorter decimal does', () => {
    const wrong: string[] = [];
    const tooLong: string[] = [];
    for (const f of sampleFloat32(20_000)) {
      const text = float32Text(f);
      if (Math.fround(Number(text)) !== f) wrong.push(text);
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
      if (digits > 1 && Math.fround(Number(f.toPrecision(digits - 1))) === f) tooLong.push(text);
    }
    expect(wrong).toEqual([]);
    expect(tooLong).toEqual([]);
  });

  it('reads back as the same float32 with Python csv and numpy', () => {
    const values = sampleFloat32(20_000);
    const file = join(root, 'floats.csv');
    writeFileSync(file, toCsv(['value', 'bits'], values.map((v) => [v, bitsOf(v)])));
    const script = [
      'import csv, sys, numpy as np',
      'rows = list(csv.DictReader(open(sys.argv[1])))',
      'got = np.array([np.float32(r["value"]) for r in rows], dtype=np.float32).view(np.uint32)',
      'want = np.array([int(r["bits"]) for r in rows], dtype=np.uint32)',
      'bad = np.nonzero(got != want)[0]',
      'print(len(rows), len(bad), [rows[i]["value"] for i in bad[:5]])',
    ].join('\n');
    const r = spawnSync(DEBIAN_PYTHON, ['-c', script, file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('20009 0 []');
  });
});

describe('toCsv, the one CSV writer', () => {
  it('writes numbers as csvNumber, null as an empty cell, and quotes only the strings that need it', () => {
    expect(toCsv(['a', 'b,c'], [[1, Math.fround(0.1)], [null, 'x'], ['say "hi"', 'one\ntwo']])).toBe('a,"b,c"\n1,0.1\n,x\n"say ""hi""","one\ntwo"\n');
    expect(toCsv(['a'], [])).toBe('a\n');
    // the renderer's figure export is the same function
    expect(rendererToCsv).toBe(toCsv);
  });

  it("writes a sweep's summary.csv with float32 medians and a p-value that keeps its exponent", () => {
    const states = { pending: 0, queued: 0, running: 0, done: 2, failed: 0, interrupted: 0 };
    const cell = (schedule: string) => ({ cell: 0, schedule, planned: 2, total: 2, succeeded: 1, rate: 0.5, ci95: [0.1, 0.9] as [number, number], medianFirstStep: 1200, medianFinalTrainAcc: Math.fround(0.97), medianFinalTestAcc: null, medianFinalHeldoutAcc: 1, states });
    const s: SweepSummary = {
      threshold: 0.99,
      schedules: ['a', 'b'],
      grid: [{ path: 'model.d', values: ['8'] }],
      maxSteps: null,
      cells: [{ index: 0, label: 'model.d=8', values: { 'model.d': '8' }, schedules: [cell('a'), cell('b')], pValue: 3.2e-60 }],
      runs: [],
      states,
      queueRead: true,
    };
    expect(summaryCsv(s).split('\n')).toEqual([
      'model.d,schedule,total,succeeded,rate,ci95_lo,ci95_hi,median_first_step_ge_0.99,median_final_train_acc,median_final_test_acc,median_final_heldout_acc,p_value',
      '8,a,2,1,0.5,0.1,0.9,1200,0.97,,1,3.200e-60',
      '8,b,2,1,0.5,0.1,0.9,1200,0.97,,1,3.200e-60',
      '',
    ]);
  });
});
