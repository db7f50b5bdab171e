/**
 * The figure builders and pure helpers of the Runs, Train, Curves (Fig. 5) and Interpolation
 * (Fig. 6) views: options render to SVG in plain Node with their axes, legends and data, and the
 * numbers they compute (smoothing, phase switches, peaks, config differences, overrides) are right.
 */
import { describe, expect, it } from 'vitest';
import type { LineSeriesOption } from 'echarts';
import { toCsv } from '../../../src-renderer/src/figures/export.js';
import { svgOf } from '../../../src-renderer/src/figures/svg.js';
import { curvePoints, curvesCsv, curvesOption, curvesTooltip, DEFAULT_CURVE_SETTINGS, ema, phaseSwitches, summarizeCurves, type CurveRun } from '../../../src-renderer/src/figures/curves.js';
import { interpolationCsv, interpolationOption, interpolationRangeErrors, peakOf, type InterpolationRow } from '../../../src-renderer/src/figures/interpolation.js';
import { configDifferences, flattenConfig, formatConfigValue, presetDifferences } from '../../../src-renderer/src/figures/configDifferences.js';
import { presetConfig } from '../../../src-main/engine/train/config.js';
import { readFileSync } from 'node:fs';
import { runStatus, stepsText } from '../../../src-renderer/src/figures/runStatus.js';
import { liveTrainCsv, liveTrainOption, switchSteps } from '../../../src-renderer/src/figures/train.js';
import { cloneForm, formFromConfig, overridesOf, scheduleSteps, trainStartRequest, validateTrainForm } from '../../../src-renderer/src/forms/train.js';
import { countRuns, defaultSweepForm, parseSeedList, parseSettings, sweepStartRequest, validateSweepForm } from '../../../src-renderer/src/forms/sweep.js';
import type { MetricsTable, PhaseInfo, TrainProgressPoint } from '../../../src-main/api/contract.js';

function metrics(n: number, opts: { heldout?: boolean; switchAt?: number } = {}): MetricsTable {
  const step = Array.from({ length: n }, (_, i) => i);
  const acc = step.map((s) => Math.min(1, 0.25 + s / n));
  return {
    step,
    p: step.map((s) => (opts.switchAt !== undefined && s < opts.switchAt ? 2 : 4)),
    train_loss: step.map((s) => 1.4 * Math.exp(-s / 20) + 0.01),
    train_acc: acc,
    test_loss: step.map((s) => 1.5 * Math.exp(-s / 30) + 0.05),
    test_acc: acc.map((a) => a * 0.9),
    heldout_loss: step.map((s) => (opts.heldout ? 1.5 * Math.exp(-s / 30) + 0.06 : null)),
    heldout_acc: acc.map((a) => (opts.heldout ? a * 0.85 : null)),
  };
}

const curriculumPhases: PhaseInfo[] = [
  { name: 'p2', p: 2, start: 0, end: 30 },
  { name: 'p4', p: 4, start: 30, end: 100 },
];
const scratchPhases: PhaseInfo[] = [{ name: 'p4', p: 4, start: 0, end: 100 }];
const runs: CurveRun[] = [
  { label: 'scratch-s0', metrics: metrics(101, { heldout: true }), phases: scratchPhases },
  { label: 'curriculum-s0', metrics: metrics(101, { heldout: true, switchAt: 30 }), phases: curriculumPhases },
];

describe('curves (Fig. 5)', () => {
  it('smooths with an exponential moving average that starts at the first value and skips nulls', () => {
    expect(ema([1, 0, 0, 1], 0)).toEqual([1, 0, 0, 1]);
    const y = ema([1, 0, 0, 1], 0.5) as number[];
    expect(y[0]).toBe(1);
    expect(y[1]).toBeCloseTo(0.5, 12);
    expect(y[2]).toBeCloseTo(0.25, 12);
    expect(y[3]).toBeCloseTo(0.625, 12);
    // a null stays null and the average carries over it
    const z = ema([2, null, 0], 0.9);
    expect(z[1]).toBeNull();
    expect(z[2]).toBeCloseTo(1.8, 12);
    // clamped to 0.99
    const w = ema([0, 1], 5) as number[];
    expect(w[1]).toBeCloseTo(0.01, 12);
    // a constant stays constant at any smoothing
    expect(ema([0.3, 0.3, 0.3], 0.97).every((v) => Math.abs((v as number) - 0.3) < 1e-12)).toBe(true);
  });

  it('marks the switch at the end of every phase but the last', () => {
    expect(phaseSwitches(curriculumPhases).map((s) => s.step)).toEqual([30]);
    expect(phaseSwitches(scratchPhases)).toEqual([]);
    const opt = curvesOption(runs, { ...DEFAULT_CURVE_SETTINGS, cursor: 42 });
    const series = opt.series as LineSeriesOption[];
    const withLines = series.filter((s) => s.markLine && s.name !== 'cursor');
    expect(withLines).toHaveLength(1);
    expect(withLines[0].name).toBe('curriculum-s0 · train');
    expect((withLines[0].markLine?.data as { xAxis: number }[]).map((d) => d.xAxis)).toEqual([30]);
    const cursor = series.find((s) => s.name === 'cursor');
    expect((cursor?.markLine?.data as { xAxis: number }[])[0].xAxis).toBe(42);
    // the step axis reaches the last phase end, and the cursor when it lies beyond the data
    expect((opt.xAxis as { max: number }).max).toBe(100);
    expect((curvesOption(runs, { ...DEFAULT_CURVE_SETTINGS, cursor: 150 }).xAxis as { max: number }).max).toBe(150);
  });

  it('renders accuracy curves to SVG with axis names, legend entries, the switch and the cursor', () => {
    const opt = curvesOption(runs, { ...DEFAULT_CURVE_SETTINGS, heldout: true, cursor: 42 });
    const svg = svgOf({ ...opt, title: { text: 'Fig. 5' } });
    for (const text of ['step', 'accuracy', 'scratch-s0 · train', 'scratch-s0 · test', 'curriculum-s0 · heldout', 'p 2→4', 'cursor 42']) expect(svg).toContain(text);
    expect(svg).not.toContain('>cursor<'); // the cursor is not a legend entry
    expect((svg.match(/<path /g) ?? []).length).toBeGreaterThan(6);
    expect((opt.legend as { data: string[] }).data).toEqual(['scratch-s0 · train', 'scratch-s0 · test', 'scratch-s0 · heldout', 'curriculum-s0 · train', 'curriculum-s0 · test', 'curriculum-s0 · heldout']);
  });

  it('wraps a long legend onto rows instead of paging it, so that an export shows every run', () => {
    const many: CurveRun[] = Array.from({ length: 6 }, (_, i) => ({ label: `fig5-curriculum-seed-${i}`, metrics: metrics(51, { heldout: true, switchAt: 20 }), phases: curriculumPhases }));
    const opt = curvesOption(many, { ...DEFAULT_CURVE_SETTINGS, heldout: true, cursor: null });
    expect((opt.legend as { type: string }).type).toBe('plain');
    const svg = svgOf({ ...opt, title: { text: 'Fig. 5' } }, 900, 520);
    for (const r of many) for (const split of ['train', 'test', 'heldout']) expect(svg).toContain(`${r.label} · ${split}`);
    // the plot starts below the legend's rows
    expect((opt.grid as { top: number }).top).toBeGreaterThan(100);
  });

  it('draws loss on a log axis and leaves out step 0 on a log step axis', () => {
    const opt = curvesOption(runs, { ...DEFAULT_CURVE_SETTINGS, metric: 'loss', logY: true, logX: true, cursor: null });
    expect((opt.yAxis as { type: string }).type).toBe('log');
    expect((opt.xAxis as { type: string }).type).toBe('log');
    const svg = svgOf(opt);
    expect(svg).toContain('loss (cross-entropy, log)');
    expect(svg).toContain('step (log)');
    const pts = curvePoints(runs[0].metrics, 'train', { metric: 'loss', logX: true, logY: true });
    expect(pts[0][0]).toBe(1);
    expect(pts).toHaveLength(100);
    // the chart is given the same points as one flat typed array, a missing value as NaN
    const drawn = (opt.series as { name?: string; data?: unknown }[]).find((x) => x.name === 'scratch-s0 · train')!.data as Float64Array;
    expect(drawn).toBeInstanceOf(Float64Array);
    expect(Array.from(drawn)).toEqual(pts.flatMap(([x, y]) => [x, y ?? NaN]));
    // log y is for loss only: accuracy keeps a linear 0..1 axis
    const acc = curvesOption(runs, { ...DEFAULT_CURVE_SETTINGS, logY: true });
    expect((acc.yAxis as { type: string; max: number }).type).toBe('value');
  });

  it('leaves held-out curves out for runs without held-out data', () => {
    const opt = curvesOption([{ label: 'r', metrics: metrics(10), phases: scratchPhases }], { ...DEFAULT_CURVE_SETTINGS, heldout: true });
    expect((opt.legend as { data: string[] }).data).toEqual(['r · train', 'r · test']);
  });

  it('writes every row of the tables as the engine smoothed them, with the smoothing', () => {
    const settings = { ...DEFAULT_CURVE_SETTINGS, smoothing: 0.5 };
    const m = runs[0].metrics;
    const smoothed = { ...m, train_acc: ema(m.train_acc, 0.5), test_acc: ema(m.test_acc, 0.5) };
    const c = curvesCsv([{ ...runs[0], metrics: smoothed }], settings);
    expect(c.header).toEqual(['run', 'split', 'step', 'accuracy', 'smoothing']);
    expect(c.rows).toHaveLength(202);
    const text = toCsv(c.header, c.rows);
    expect(text.split('\n')[1]).toBe('scratch-s0,train,0,0.25,0.5');
    const second = m.train_acc[1] as number;
    expect(c.rows[1][3]).toBeCloseTo(0.5 * 0.25 + 0.5 * second, 12);
  });

  it("shows each run's exact values at the step in the tooltip, its label escaped", () => {
    const at = (m: MetricsTable, i: number): MetricsTable => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [(v as unknown[])[i]]])) as unknown as MetricsTable;
    const html = curvesTooltip(42, [{ label: 'scratch-s0', table: at(runs[0].metrics, 42) }, { label: '<b>x</b>', table: null }, { label: 'short', table: at(runs[0].metrics, 3) }], { metric: 'accuracy', heldout: true });
    expect(html).toContain('step 42');
    expect(html).toContain(`train ${(runs[0].metrics.train_acc[42] as number).toPrecision(4)} · test ${(runs[0].metrics.test_acc[42] as number).toPrecision(4)}`);
    expect(html).toContain('&#60;b&#62;x&#60;/b&#62;: train … · test … · heldout …');
    expect(html).not.toContain('<b>x</b>');
    // a run without a row at that step says so
    expect(html).toContain('short: train — · test —');
  });

  it('summarises final accuracies and the first step at 0.99', () => {
    const m = metrics(5);
    m.test_acc = [0.2, 0.5, 0.995, 0.98, 0.999];
    m.heldout_acc = [0.3, 0.4, null, 0.9, null];
    const s = summarizeCurves(m);
    expect(s).toEqual({ lastStep: 4, finalTrainAcc: m.train_acc[4], finalTestAcc: 0.999, finalHeldoutAcc: 0.9, firstStepAbove: 2 });
    expect(summarizeCurves({ ...m, test_acc: [0.1, 0.2, 0.3, 0.4, 0.5] }).firstStepAbove).toBeNull();
    // a curriculum's easy phase (p = 2) does not count as reaching the threshold on p = 4
    expect(summarizeCurves({ ...m, p: [2, 2, 2, 4, 4] }).firstStepAbove).toBe(4);
  });
});

describe('interpolation (Fig. 6)', () => {
  const grid = (from: number, to: number, n: number, loss: (t: number) => number): InterpolationRow[] =>
    Array.from({ length: n }, (_, i) => {
      const t = Number((from + ((to - from) * i) / (n - 1)).toPrecision(12));
      return { t, train_loss: loss(t), train_acc: 1 - loss(t) / 4, test_loss: loss(t) + 0.5, test_acc: 0.9 - loss(t) / 5 };
    });
  // a bump of height 1 at t = 0.6 over a line from 0.2 (t = 0) to 0.1 (t = 1)
  const bump = (t: number) => 0.2 - 0.1 * t + Math.exp(-((t - 0.6) ** 2) / 0.005);

  it('finds the peak train loss between the checkpoints and the barrier height', () => {
    const rows = grid(0, 1, 101, bump);
    const p = peakOf(rows);
    expect(p?.t).toBe(0.6);
    expect(p?.index).toBe(60);
    expect(p?.value).toBeCloseTo(bump(0.6), 12);
    expect(p?.barrier).toBeCloseTo(bump(0.6) - 0.2, 12);
  });

  it('ignores extrapolated points, where the loss grows away from the segment', () => {
    const rows = grid(-1, 2, 301, (t) => bump(t) + (t < 0 ? 10 * t * t : t > 1 ? 10 * (t - 1) ** 2 : 0));
    const p = peakOf(rows);
    expect(p?.t).toBe(0.6);
    // over the whole range, the extrapolated end wins
    expect(peakOf(rows, 'train_loss', null)?.t).toBe(-1);
    // a range entirely outside [0, 1] falls back to all its points
    expect(peakOf(grid(1.5, 2, 6, (t) => t), 'train_loss')?.t).toBe(2);
    expect(peakOf(grid(1.5, 2, 6, (t) => t))?.barrier).toBeNull();
  });

  it('keeps the barrier when extrapolating on a grid that does not hit t = 0 and t = 1', () => {
    const rows = grid(-1, 2, 101, bump); // t = −1, −0.97, …: no row at 0 or 1
    expect(rows.some((r) => r.t === 0 || r.t === 1)).toBe(false);
    const p = peakOf(rows);
    expect(p?.barrier).not.toBeNull();
    expect(p!.barrier!).toBeCloseTo(p!.value - 0.2, 2);
  });

  it('writes the label of an end at the edge of the plot inwards, so that it is not cut off', () => {
    const opt = interpolationOption(grid(0, 1, 11, bump), { a: 'a', b: 'b' });
    const series = opt.series as LineSeriesOption[];
    const data = (series[0].markLine as { data: { name: string; label: { align: string } }[] }).data;
    expect(data.map((d) => d.label.align)).toEqual(['left', 'right']);
  });

  it('skips non-finite losses and returns null when nothing is finite', () => {
    const rows = grid(0, 1, 5, (t) => t);
    rows[4].train_loss = NaN;
    expect(peakOf(rows)?.t).toBe(0.75);
    expect(peakOf(rows)?.barrier).toBeNull();
    expect(peakOf(rows.map((r) => ({ ...r, train_loss: NaN })))).toBeNull();
  });

  it('renders loss and accuracy panels to SVG with the peak and the end points marked', () => {
    const rows = grid(-0.2, 1.2, 71, bump);
    const opt = interpolationOption(rows, { a: 'scratch-s0@10000', b: 'curriculum-s0@10000' });
    const svg = svgOf({ ...opt, title: { text: 'Fig. 6' } });
    for (const text of ['loss (cross-entropy)', 'accuracy', 'train loss', 'test loss', 'train accuracy', 'test accuracy', 'A: scratch-s0@10000', 'B: curriculum-s0@10000', 'peak train loss']) expect(svg).toContain(text);
    expect((svg.match(/<path /g) ?? []).length).toBeGreaterThan(4);
    const trainLoss = (opt.series as LineSeriesOption[])[0];
    expect((trainLoss.markPoint?.data as { coord: number[] }[])[0].coord[0]).toBe(0.6);
    expect((trainLoss.markLine?.data as { xAxis: number }[]).map((d) => d.xAxis)).toEqual([0, 1]);
  });

  it('writes the rows as CSV and checks the grid', () => {
    const rows = grid(0, 1, 3, (t) => t);
    const c = interpolationCsv(rows);
    expect(toCsv(c.header, c.rows).split('\n').slice(0, 2)).toEqual(['t,train_loss,train_acc,test_loss,test_acc', '0,0,1,0.5,0.9']);
    expect(interpolationRangeErrors(0, 1, 101)).toEqual({});
    expect(interpolationRangeErrors(1, 1, 1)).toEqual({ to: 'from and to must differ', points: 'points must be an integer between 2 and 1001' });
    expect(interpolationRangeErrors(-11, NaN, 5).from).toBeDefined();
  });
});

describe('runs: configuration differences and experiment summaries', () => {
  const a = { config: { seed: 0, 'task.T': 12, 'model.d': 32, 'phases.0.p': 4, 'phases.0.lr': 0.001, backend: 'wasm' } };
  const b = { config: { seed: 0, 'task.T': 12, 'model.d': 32, 'phases.0.p': 2, 'phases.0.lr': 0.001, 'phases.1.p': 4, backend: 'wasm' } };
  const c = { config: { seed: 1, 'task.T': 12, 'model.d': 16, 'phases.0.p': 4, 'phases.0.lr': 0.001, backend: 'tensorflow' } };

  it('lists only the fields whose values differ, a missing field counting as different', () => {
    expect(configDifferences([a])).toEqual([]);
    expect(configDifferences([a, a])).toEqual([]);
    expect(configDifferences([a, b])).toEqual([
      { key: 'phases.0.p', values: [4, 2] },
      { key: 'phases.1.p', values: [undefined, 4] },
    ]);
    expect(configDifferences([a, b, c]).map((d) => d.key)).toEqual(['seed', 'model.d', 'phases.0.p', 'backend', 'phases.1.p']);
    // null and missing are different; equal nulls are not
    expect(configDifferences([{ config: { x: null } }, { config: {} }]).map((d) => d.key)).toEqual(['x']);
    expect(configDifferences([{ config: { x: null } }, { config: { x: null } }])).toEqual([]);
    expect([formatConfigValue(undefined), formatConfigValue(null), formatConfigValue(0.1 + 0.2), formatConfigValue(true)]).toEqual(['—', 'null', '0.3', 'true']);
  });
});

describe('train: live curves and the form', () => {
  const points: TrainProgressPoint[] = Array.from({ length: 50 }, (_, i) => ({ step: (i + 1) * 10, trainLoss: 1.4 / (i + 1), trainAcc: Math.min(1, 0.3 + i / 40), testLoss: 1.5 / (i + 1), testAcc: Math.min(1, 0.25 + i / 50) }));

  it('renders live loss and accuracy with the switch', () => {
    expect(switchSteps([3000, 7000])).toEqual([3000]);
    expect(switchSteps([10000])).toEqual([]);
    const opt = liveTrainOption(points, { switches: [250], totalSteps: 1000 });
    const svg = svgOf({ ...opt, title: { text: 'live' } });
    for (const text of ['step', 'loss', 'accuracy', 'train loss', 'test accuracy', 'switch']) expect(svg).toContain(text);
    expect((svg.match(/<path /g) ?? []).length).toBeGreaterThan(4);
    expect(liveTrainCsv(points).rows[0]).toEqual([10, 1.4, 0.3, 1.5, 0.25]);
  });

  const config = {
    preset: 'fig5-curriculum',
    seed: 0,
    task: { T: 12, k: 5, nTrain: 2048, nTest: 128, nHeldout: 2048 },
    model: { V: 4, T: 12, d: 32, h: 128, tiedUnembedding: true, mlpBias: true, residual: 'raw' },
    phases: [
      { name: 'p2', p: 2, steps: 3000, lr: 0.001, restartOptimizer: false, batchSize: null },
      { name: 'p4', p: 4, steps: 7000, lr: 0.001, restartOptimizer: true, batchSize: null },
    ],
  };

  it('reads a preset and accepts it unchanged', () => {
    const base = formFromConfig(config);
    expect(base).not.toBeNull();
    if (!base) return;
    expect(validateTrainForm(base)).toEqual({});
    expect(scheduleSteps(base)).toBe(10000);
    expect(overridesOf(base, base)).toEqual({});
    expect(trainStartRequest('fig5-curriculum', base, base)).toEqual({ preset: 'fig5-curriculum', seed: 0 });
    expect(formFromConfig({ task: 1 })).toBeNull();
  });

  it('says what is wrong with each invalid field', () => {
    const base = formFromConfig(config)!;
    const f = cloneForm(base);
    f.task.k = 13;
    f.phases[0].p = 1;
    f.phases[1].p = 5;
    f.phases[1].lr = 0;
    f.phases[0].steps = '';
    f.phases[0].batchSize = 4096;
    f.seed = -1;
    f.maxSteps = 0;
    f.name = 'my run!';
    const e = validateTrainForm(f);
    expect(e['task.k']).toBe('k = 13 is larger than T = 12; k must be at most T');
    expect(e['phases.0.p']).toMatch(/≥ 2/);
    expect(e['model.V']).toBe('V = 4 is smaller than p = 5 (phase p4); the vocabulary needs at least 5 tokens');
    expect(e['phases.1.lr']).toMatch(/> 0/);
    expect(e['phases.0.steps']).toBeDefined();
    expect(e['phases.0.batchSize']).toMatch(/n_train = 2048/);
    expect(e.seed).toBeDefined();
    expect(e.maxSteps).toBeDefined();
    expect(e.name).toBeDefined();
    expect(Number.isNaN(scheduleSteps(f))).toBe(true);
    // the original is untouched by the clone's edits
    expect(validateTrainForm(base)).toEqual({});
  });

  it('sends only the changed fields as overrides', () => {
    const base = formFromConfig(config)!;
    const f = cloneForm(base);
    f.model.d = 16;
    f.phases[0].steps = 500;
    f.phases[1].lr = 0.01;
    f.model.residual = 'normed';
    f.model.mlpBias = false;
    f.phases[1].batchSize = 32;
    f.seed = 3;
    f.maxSteps = 200;
    f.name = 'small-run';
    expect(validateTrainForm(f)).toEqual({});
    expect(trainStartRequest('fig5-curriculum', f, base)).toEqual({
      preset: 'fig5-curriculum',
      seed: 3,
      overrides: { 'model.d': 16, 'model.mlpBias': false, 'model.residual': 'normed', 'phases.0.steps': 500, 'phases.1.lr': 0.01, 'phases.1.batchSize': 32 },
      maxSteps: 200,
      name: 'small-run',
    });
    // going back to full batch from a minibatch preset: a batch of n_train
    const mini = formFromConfig({ ...config, phases: [{ ...config.phases[0], batchSize: 32 }] })!;
    const full = cloneForm(mini);
    full.phases[0].batchSize = '';
    expect(overridesOf(full, mini)).toEqual({ 'phases.0.batchSize': 2048 });
  });

  it('bounds absurd sizes with a sentence saying why', () => {
    const f = formFromConfig(config)!;
    f.model.d = 100_000;
    f.task.nTrain = 1e9;
    const e = validateTrainForm(f);
    expect(e['model.d']).toMatch(/^d must be a whole number from 1 to 1,024 \(the trajectory keeps every parameter at every snapshot\)$/);
    expect(e['task.nTrain']).toMatch(/from 1 to 1,000,000 \(every training sequence is evaluated at every step\)/);
    f.model.d = 1024;
    f.task.nTrain = 1_000_000;
    expect(validateTrainForm(f)['model.d']).toBeUndefined();
  });

  it('reads seed lists as the engine does', () => {
    expect(parseSeedList('0-4')).toEqual([0, 1, 2, 3, 4]);
    expect(parseSeedList('0, 2,5')).toEqual([0, 2, 5]);
    expect(parseSeedList('3,3,1-2')).toEqual([3, 1, 2]);
    expect(parseSeedList('4-2')).toMatch(/empty/);
    expect(parseSeedList('a')).toMatch(/range/);
    expect(parseSeedList('1,,2')).toMatch(/cannot read/);
    expect(parseSeedList('')).toMatch(/range/);
  });
});

describe('the sweep form', () => {
  it('starts as Fig. 5: both fig5 presets over seeds 0-4, nothing else', () => {
    const f = defaultSweepForm();
    expect(validateSweepForm(f)).toEqual({});
    expect(countRuns(f)).toBe(10);
    expect(sweepStartRequest(f)).toEqual({ presets: ['fig5-scratch', 'fig5-curriculum'], seeds: '0-4' });
  });

  it('sends the grid, the settings, the step limit and the name as the contract takes them', () => {
    const f = { ...defaultSweepForm(), seeds: ' 0-1 ', grid: [{ path: 'phases.0.steps', schedule: 'fig5-curriculum', values: '500, 1000' }, { path: 'lr', schedule: '', values: '1e-3,3e-3' }], set: 'task.nTrain=64, model.mlpBias=false', maxSteps: 50 as const, name: 's1' };
    expect(validateSweepForm(f)).toEqual({});
    expect(countRuns(f)).toBe(16);
    expect(sweepStartRequest(f)).toEqual({
      presets: ['fig5-scratch', 'fig5-curriculum'],
      seeds: '0-1',
      grid: [{ path: 'phases.0.steps', schedule: 'fig5-curriculum', values: ['500', '1000'] }, { path: 'lr', values: ['1e-3', '3e-3'] }],
      set: { 'task.nTrain': 64, 'model.mlpBias': false },
      maxSteps: 50,
      name: 's1',
    });
  });

  it('checks each field with a sentence', () => {
    const bad = validateSweepForm({ presets: [], seeds: '4-2', grid: [{ path: 'a b', schedule: '', values: '1' }, { path: 'lr', schedule: 'fig2', values: '1e-3' }], set: 'model.d', maxSteps: 0, name: 'a b' });
    expect(bad.presets).toMatch(/at least one schedule/);
    expect(bad.seeds).toMatch(/empty/);
    expect(bad.grid0).toMatch(/not a setting path/);
    expect(bad.grid1).toMatch(/fig2 is not in the sweep/);
    expect(bad.set).toMatch(/path=value/);
    expect(bad.maxSteps).toMatch(/whole number from 1/);
    expect(bad.name).toMatch(/letters, digits/);
    expect(validateSweepForm({ ...defaultSweepForm(), grid: [{ path: 'lr', schedule: '', values: '1,1' }] }).grid0).toMatch(/twice/);
    expect(validateSweepForm({ ...defaultSweepForm(), grid: [{ path: 'lr', schedule: '', values: '../x' }] }).grid0).toMatch(/number or a short word/);
    expect(validateSweepForm({ ...defaultSweepForm(), seeds: '0-999', grid: [{ path: 'lr', schedule: '', values: '1,2' }] }).runs).toMatch(/4,000 runs; a sweep started here runs at most 2,000/);
    expect(parseSettings('task.nTrain=64,phases.0.name=warm')).toEqual({ 'task.nTrain': 64, 'phases.0.name': 'warm' });
  });
});

describe('the demo against the paper', () => {
  it('lists the fields where the bundled demo run differs from its preset, read from its run.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../resources/demo/curriculum-s4/run.json', import.meta.url), 'utf8')) as { config: { task: unknown; model: unknown; phases: unknown } };
    const run = flattenConfig({ task: manifest.config.task, model: manifest.config.model, phases: manifest.config.phases });
    const rows = presetDifferences(run, presetConfig('fig5-curriculum'));
    const keys = rows.map((r) => r.key);
    expect(keys).toContain('phases.0.steps');
    expect(keys).toContain('phases.1.steps');
    expect(rows.find((r) => r.key === 'phases.0.steps')?.run).toBe(2000);
    expect(keys.every((k) => /^(task|model|phases)\./.test(k))).toBe(true);
    expect(presetDifferences(flattenConfig({ task: { T: 12 } }), { task: { T: 12 } })).toEqual([]);
  });
});

describe('run status', () => {
  it('says a run that ended short of its schedule stopped early, with done / total', () => {
    const run = { status: 'complete' as const, stepsDone: 400, totalSteps: 10_000, steps: [0, 400] };
    expect(runStatus(run)).toBe('stopped early');
    expect(stepsText(run)).toBe('400 / 10,000');
    expect(stepsText({ ...run, stepsDone: 1_234_567, totalSteps: null })).toBe('1,234,567 / ?');
    expect(runStatus({ ...run, stepsDone: 10_000 })).toBe('complete');
    expect(runStatus({ ...run, status: 'running' })).toBe('running');
    expect(runStatus({ ...run, stepsDone: 10_000, stoppedEarly: true })).toBe('stopped early');
    expect(runStatus({ ...run, status: null })).toBeNull();
  });
});
