/**
 * Training curves of long runs: metrics.csv read from its bytes into columns (the same numbers
 * as Number() of every cell, the same refusals), the rows chosen for drawing (every bucket's
 * first, last, minimum and maximum, never more than asked), smoothing over the whole run, and
 * source.metrics' maxPoints bounded and validated through the api's handler table.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { numberAt } from '../../../src-main/engine/io/csvNumbers.js';
import { readMetricColumns, readMetrics } from '../../../src-main/engine/runs/runFolder.js';
import { readMetricColumnsCached } from '../../../src-main/engine/runs/metricsTable.js';
import { CURVE_COLUMNS, curvesTable, downsampleRows, ema, rowsPerBucket, summarizeCurves } from '../../../src-main/engine/analysis/curves.js';
import { createHandlers, dispatch } from '../../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../../src-main/api/sources.js';
import { JobManager } from '../../../src-main/jobs/manager.js';
import { MAX_DRAWN_ROWS, MIN_DRAWN_ROWS, type MetricsAnswer } from '../../../src-main/api/contract.js';
import { selectBackend } from '../../../src-main/engine/backend.js';
import { train } from '../../../src-main/engine/train/trainer.js';
import { Rng } from '../../../src-main/engine/task/rng.js';
import { tempDir, tinyConfig } from '../../helpers.js';

const root = tempDir();
const tiny = join(root, 'tiny');
const long = join(root, 'long');
const LONG_STEPS = 20_000;

beforeAll(async () => {
  await selectBackend('wasm');
  await train({ runDir: tiny, config: tinyConfig('fig5-curriculum', { steps: 20 }), backend: 'wasm' });
  // a long run: the tiny run's folder with 20,001 rows of noisy metrics, held-out values every 10 steps
  cpSync(tiny, long, { recursive: true });
  const rng = new Rng(3);
  const lines = ['step,phase,p,train_loss,train_acc,test_loss,test_acc,heldout_loss,heldout_acc'];
  for (let s = 0; s <= LONG_STEPS; s++) {
    const noise = () => (rng.uniform() - 0.5) * 0.2;
    const acc = Math.min(1, s / LONG_STEPS + noise());
    const loss = Math.exp(-s / 5000) + Math.abs(noise());
    const held = s % 10 === 0 ? `${loss * 1.1},${acc * 0.9}` : ',';
    lines.push(`${s},${s < 8000 ? 'p2' : 'p4'},${s < 8000 ? 2 : 4},${loss},${acc},${loss * 1.05},${Math.min(1, acc + 0.01)},${held}`);
  }
  // a spike in the middle of a bucket: it must be drawn
  lines[12_346] = lines[12_346].replace(/^(\d+,p4,4,)[^,]+/, '$19.5');
  writeFileSync(join(long, 'metrics.csv'), lines.join('\n') + '\n');
});

describe('metrics.csv in columns', () => {
  it('reads every cell as Number() does', () => {
    const rng = new Rng(11);
    const cells = ['', '0', '-0', '1', '0.25', '.5', '5.', '+3', '1e-05', '1.5E+3', '-2.5e-7', '0.045410156', '123456789012345678', '1e400', '1e-400', 'Infinity', '-Infinity', 'NaN', 'abc', '1e', '-', '0x10', ' 7', '7\r', '1,5', '9007199254740993', '0.1234567890123456789'];
    for (let i = 0; i < 2000; i++) cells.push(String(Math.fround((rng.uniform() - 0.5) * 10 ** (rng.int(20) - 10))), String(rng.uniform()), rng.uniform().toExponential(rng.int(12)));
    const bytes = new TextEncoder().encode(cells.join('|'));
    let a = 0;
    for (const cell of cells) {
      const expected = cell === '' ? NaN : Number(cell);
      expect(Object.is(numberAt(bytes, a, a + cell.length), expected), cell).toBe(true);
      a += cell.length + 1;
    }
  });

  it('gives the rows readMetrics gave, and refuses what it refused', () => {
    const rows = readMetrics(long);
    expect(rows).toHaveLength(LONG_STEPS + 1);
    const text = readFileSync(join(long, 'metrics.csv'), 'utf8').split('\n');
    const cells = text[501].split(',');
    expect(rows[500]).toEqual({ step: 500, phase: 'p2', p: 2, train_loss: Number(cells[3]), train_acc: Number(cells[4]), test_loss: Number(cells[5]), test_acc: Number(cells[6]), heldout_loss: Number(cells[7]), heldout_acc: Number(cells[8]) });
    expect(Number.isNaN(rows[501].heldout_acc)).toBe(true);
    const odd = join(root, 'odd');
    cpSync(tiny, odd, { recursive: true });
    // columns in another order, a blank line, a CRLF line, and a last line cut mid-write
    writeFileSync(join(odd, 'metrics.csv'), 'train_acc,step,test_acc,test_loss,train_loss\n0.5,0,0.25,1,2\n\n0.75,1,0.5,0.9,1.5\r\n0.8,2,0.6');
    const m = readMetricColumns(odd);
    expect(m.rows).toBe(2);
    expect(Array.from(m.step)).toEqual([0, 1]);
    expect(Array.from(m.train_acc)).toEqual([0.5, 0.75]);
    expect(Array.from(m.train_loss)).toEqual([2, 1.5]);
    expect(m.phase).toEqual(['', '']);
    expect(Number.isNaN(m.p[0])).toBe(true);
    writeFileSync(join(odd, 'metrics.csv'), 'step,train_loss,train_acc,test_loss,test_acc\n0,1,1,1,1\n1.5,1,1,1,1\n');
    expect(() => readMetricColumns(odd)).toThrow(/metrics\.csv line 3 is malformed: its step is not a whole number/);
    writeFileSync(join(odd, 'metrics.csv'), 'step,loss\n0,1\n');
    expect(() => readMetricColumns(odd)).toThrow(/has no 'train_loss' column in its header/);
  });

  it('are kept while the file stays the same, and read again when it grows', () => {
    const grow = join(root, 'grow');
    cpSync(tiny, grow, { recursive: true });
    const first = readMetricColumnsCached(grow);
    expect(readMetricColumnsCached(grow)).toBe(first);
    writeFileSync(join(grow, 'metrics.csv'), readFileSync(join(grow, 'metrics.csv'), 'utf8') + '40,p4,4,1,1,1,1,,\n');
    const again = readMetricColumnsCached(grow);
    expect(again).not.toBe(first);
    expect(again.rows).toBe(first.rows + 1);
  });
});

describe('the rows drawn', () => {
  it('keep every bucket’s first and last row and every column’s minimum and maximum, within maxPoints', () => {
    const m = readMetricColumns(long);
    const columns = CURVE_COLUMNS.map((c) => m[c]);
    for (const maxPoints of [100, 1000, 5000]) {
      const rows = downsampleRows(m.step, columns, maxPoints);
      expect(rows.length).toBeLessThanOrEqual(maxPoints);
      expect(rows.length).toBeGreaterThan(maxPoints / 4);
      expect(Array.from(rows).every((r, i) => i === 0 || r > rows[i - 1])).toBe(true);
      expect(rows[0]).toBe(0);
      expect(rows[rows.length - 1]).toBe(LONG_STEPS);
      // every column's extremes over the whole run are drawn, the spike among them
      for (const col of columns) {
        let lo = -1;
        let hi = -1;
        for (let i = 0; i < col.length; i++) {
          if (Number.isNaN(col[i])) continue;
          if (lo < 0 || col[i] < col[lo]) lo = i;
          if (hi < 0 || col[i] > col[hi]) hi = i;
        }
        expect(rows).toContain(lo);
        expect(rows).toContain(hi);
      }
      expect(rows).toContain(12_345);
      // and within each bucket too: the drawn envelope equals the full one, bucket by bucket
      const buckets = Math.floor(maxPoints / rowsPerBucket(columns.length));
      const bucketOf = (i: number) => Math.min(buckets - 1, Math.floor((m.step[i] / LONG_STEPS) * buckets));
      const envelope = (indices: Iterable<number>) => {
        const out = new Map<string, number>();
        for (const i of indices) columns.forEach((col, c) => {
          if (Number.isNaN(col[i])) return;
          const k = `${bucketOf(i)}:${c}`;
          out.set(`${k}:min`, Math.min(out.get(`${k}:min`) ?? Infinity, col[i]));
          out.set(`${k}:max`, Math.max(out.get(`${k}:max`) ?? -Infinity, col[i]));
        });
        return out;
      };
      expect(envelope(rows)).toEqual(envelope(Array.from({ length: m.rows }, (_, i) => i)));
    }
    // a table that fits is given whole
    expect(Array.from(downsampleRows(m.step, columns, 100, { from: 10, to: 60 }))).toEqual(Array.from({ length: 50 }, (_, i) => 10 + i));
  });

  it('are spread over log steps on a log axis: the first hundred steps get their share', () => {
    const m = readMetricColumns(long);
    const columns = CURVE_COLUMNS.map((c) => m[c]);
    const linear = downsampleRows(m.step, columns, 1000);
    const log = downsampleRows(m.step, columns, 1000, { logSteps: true });
    const early = (rows: Int32Array) => Array.from(rows).filter((r) => m.step[r] <= 100).length;
    expect(early(linear)).toBeLessThan(20);
    expect(early(log)).toBeGreaterThan(60);
    expect(log.length).toBeLessThanOrEqual(1000);
  });

  it('are smoothed over the whole run before they are chosen, and the summary is of the raw table', () => {
    const m = readMetricColumns(long);
    const full = curvesTable(m, { smoothing: 0.9 });
    expect(full.step).toHaveLength(LONG_STEPS + 1);
    const expected = ema(Array.from(m.train_acc), 0.9);
    expect(full.columns.train_acc).toEqual(expected);
    const drawn = curvesTable(m, { smoothing: 0.9, maxPoints: 2000 });
    expect(drawn.step.length).toBeLessThanOrEqual(2000);
    drawn.step.forEach((s, i) => expect(drawn.columns.train_acc[i]).toBe(expected[s]));
    // one row, as the tooltip asks for it: the same value as in the whole table
    const one = curvesTable(m, { smoothing: 0.9, from: 12_345, to: 12_345 });
    expect(one.step).toEqual([12_345]);
    expect(one.columns.train_acc).toEqual([expected[12_345]]);
    expect(one.rowsInRange).toBe(1);
    expect(one.rows).toBe(LONG_STEPS + 1);
    // held-out cells between snapshots stay missing
    expect(full.columns.heldout_acc[1]).toBeNull();
    expect(drawn.summary).toEqual(summarizeCurves(m));
    expect(drawn.summary.lastStep).toBe(LONG_STEPS);
    expect(drawn.summary.finalTestAcc).toBe(m.test_acc[LONG_STEPS]);
  });
});

describe("source.metrics' maxPoints", () => {
  it('is bounded and validated, and gives at most that many rows', async () => {
    const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([root])), jobs: new JobManager(), workspaces: [root] });
    const call = (req: unknown) => dispatch(handlers, 'source.metrics', req) as Promise<MetricsAnswer>;
    const { id } = (await dispatch(handlers, 'source.open', { path: long })) as { id: string };
    for (const [req, message] of [
      [{ id, maxPoints: MIN_DRAWN_ROWS - 1 }, /'maxPoints' must be at least 100\b/],
      [{ id, maxPoints: MAX_DRAWN_ROWS + 1 }, /'maxPoints' must be at most 1,000,000\b/],
      [{ id, maxPoints: 1000.5 }, /'maxPoints' must be a whole number/],
      [{ id, maxPoints: '1000' }, /'maxPoints' expected number/],
      [{ id, smoothing: 1 }, /'smoothing' must be less than 1\b|'smoothing' must be at most/],
      [{ id, smoothing: -0.1 }, /'smoothing' must be at least 0\b/],
      [{ id, from: 10, to: 5 }, /has 'from' after 'to'/],
      [{ id, logSteps: 'yes' }, /'logSteps' expected boolean/],
    ] as const) await expect(call(req), JSON.stringify(req)).rejects.toThrow(message);
    const all = await call({ id });
    expect(all.step).toHaveLength(LONG_STEPS + 1);
    expect(all.rows).toBe(LONG_STEPS + 1);
    const drawn = await call({ id, maxPoints: 1000 });
    expect(drawn.step.length).toBeLessThanOrEqual(1000);
    expect(drawn.step[0]).toBe(0);
    expect(drawn.step.at(-1)).toBe(LONG_STEPS);
    expect(drawn.train_loss[drawn.step.indexOf(12_345)]).toBe(9.5);
    expect(drawn.summary).toEqual(all.summary);
    const range = await call({ id, from: 100, to: 199, maxPoints: 100 });
    expect(range.step).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    // a short run is given whole
    const short = (await dispatch(handlers, 'source.open', { path: tiny })) as { id: string };
    expect((await call({ id: short.id, maxPoints: 100 })).step).toHaveLength(40);
  });
  it("keeps only the drawn columns' extremes when told which are drawn: fewer rows, the same envelope of those", async () => {
    const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([root])), jobs: new JobManager(), workspaces: [root] });
    const call = (req: unknown) => dispatch(handlers, 'source.metrics', req) as Promise<MetricsAnswer>;
    const { id } = (await dispatch(handlers, 'source.open', { path: long })) as { id: string };
    await expect(call({ id, drawn: ['train_acc', 'steps'] })).rejects.toThrow(/'drawn\.1'|'drawn'/);
    await expect(call({ id, drawn: [] })).rejects.toThrow(/'drawn'/);
    // 100 buckets each: up to 14 rows a bucket for all six columns, up to 6 for two
    const every = await call({ id, maxPoints: 100 * rowsPerBucket(6) });
    const two = await call({ id, maxPoints: 100 * rowsPerBucket(2), drawn: ['train_loss', 'test_loss'] });
    expect(two.step.length).toBeLessThan(every.step.length);
    expect(two.step.length).toBeLessThanOrEqual(100 * rowsPerBucket(2));
    const m = readMetricColumns(long);
    for (const c of ['train_loss', 'test_loss'] as const) {
      const finite = Array.from(m[c]).filter((v) => !Number.isNaN(v));
      const drawn = two[c].filter((v): v is number => v !== null);
      expect(Math.min(...drawn)).toBe(Math.min(...finite));
      expect(Math.max(...drawn)).toBe(Math.max(...finite));
    }
    expect(two.train_loss[two.step.indexOf(12_345)]).toBe(9.5);
  });
});
