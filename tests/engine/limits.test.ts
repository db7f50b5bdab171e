/**
 * Every count, range and size has a bound checked before any work starts, with a sentence that
 * names it: absurd configurations and analysis options are refused instead of spinning, aborting
 * Node or failing deep inside a backend.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverride, ConfigError, presetConfig, validateConfig, type TrainConfig } from '../../src-main/engine/train/config.js';
import { initParams, PAPER_MODEL } from '../../src-main/engine/model/config.js';
import { exportModel } from '../../src-main/engine/onnx/export.js';
import { openSource } from '../../src-main/engine/analysis/source.js';
import { attentionOverTraining, embeddings, interpolate, silhouetteOverTraining } from '../../src-main/engine/analysis/analyses.js';
import { writeNpy } from '../../src-main/engine/io/npy.js';
import { fileSystemSentence, writeFileAtomic } from '../../src-main/engine/io/atomic.js';
import { cli, tempDir } from '../helpers.js';

function configWith(...overrides: string[]): TrainConfig {
  const c = presetConfig('fig5-curriculum');
  for (const o of overrides) applyOverride(c, o);
  return c;
}

describe('training configurations', () => {
  it('refuse absurd sizes with a sentence naming the bound', () => {
    const cases: [string[], RegExp][] = [
      [['task.T=10000'], /T \(sequence length\) = 10000 is larger than 256/],
      [['model.d=100000'], /d \(width\) = 100000 is larger than 1,024/],
      [['model.h=1000000'], /h \(MLP width\) = 1000000 is larger than 4,096/],
      [['task.nTrain=1000000000'], /n_train = 1000000000 is larger than 1,000,000/],
      [['phases.0.steps=1e20'], /the schedule has [\d,]+ steps in total; a run may take at most 10,000,000/],
      [['task.nTrain=1000000', 'model.h=4096'], /one step would hold 15\.3 GiB in a single activation/],
      [['model.d=1024', 'model.h=4096', 'snapshots.every=1'], /the trajectory would take .* GiB .*; the most is 4 GiB/],
      [['seed=10000000000'], /seed must be an integer in \[0, 1,000,000,000\]/],
    ];
    for (const [overrides, message] of cases) expect(() => validateConfig(configWith(...overrides)), overrides.join(' ')).toThrow(message);
    // the paper's own configurations pass
    for (const name of ['fig5-scratch', 'fig5-curriculum', 'fig2', 'fig4']) expect(() => validateConfig(presetConfig(name))).not.toThrow();
  });

  it('look settings and presets up as own properties only', () => {
    expect(() => presetConfig('toString')).toThrow(/unknown preset 'toString'/);
    expect(() => presetConfig('__proto__')).toThrow(ConfigError);
    expect(() => applyOverride(presetConfig('fig2'), 'toString=1')).toThrow(/unknown setting 'toString'/);
    expect(() => applyOverride(presetConfig('fig2'), '__proto__.polluted=1')).toThrow(/unknown setting '__proto__'/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('are refused by the CLI before any work starts, with exit code 1 and one sentence', () => {
    const out = join(tempDir(), 'never');
    for (const args of [['--T', '10000'], ['--d', '100000'], ['--set', 'phases.0.steps=1e20']]) {
      const r = cli(['train', '--preset', 'fig5-scratch', '--out', out, ...args], { timeout: 60_000 });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+|TypeError|RangeError:/);
    }
  });
});

describe('analysis options', () => {
  it('are validated: interpolation range and points, stride, prefixes, empty data', async () => {
    const dir = tempDir();
    const file = join(dir, 'paper.onnx');
    writeFileSync(file, exportModel(PAPER_MODEL, initParams(PAPER_MODEL, 1)));
    const src = await openSource(file);
    await expect(interpolate(src, src, { to: 1e308 })).rejects.toThrow(/--from and --to must be numbers between -1000 and 1000/);
    await expect(interpolate(src, src, { points: 0 })).rejects.toThrow(/--points must be a whole number from 2 to 10,001/);
    await expect(interpolate(src, src, { from: 1, to: 0 })).rejects.toThrow(/--from \(1\) must be smaller than --to \(0\)/);
    const seq = src.data.test.tokens.slice(0, 12);
    await expect(attentionOverTraining(src, seq, { stride: 0 })).rejects.toThrow(/the stride must be a whole number of snapshots ≥ 1, got 0/);
    await expect(silhouetteOverTraining(src, { stride: 0 })).rejects.toThrow(/the stride must be a whole number of snapshots ≥ 1, got 0/);
    await expect(silhouetteOverTraining(src, { stride: -3 })).rejects.toThrow(/got -3/);
    const cliStride = cli(['analyze', 'embeddings', file, '--every-snapshot', '--stride', '0'], { timeout: 60_000 });
    expect(cliStride.code).toBe(1);
    expect(cliStride.stderr).toMatch(/--stride must be a whole number ≥ 1, got '0'/);
    await expect(embeddings(src, { k: 10, p: 4 })).rejects.toThrow(/p\^k = 4\^10 = 1,048,576 prefixes; the most shown at once is 65,536/);
    await expect(embeddings(src, { k: 0 })).rejects.toThrow(/k must be a whole number ≥ 1/);

    const empty = join(dir, 'empty-data');
    mkdirSync(empty);
    for (const split of ['train', 'test']) {
      writeNpy(join(empty, `${split}_tokens.npy`), new Int32Array(0), [0, 12]);
      writeNpy(join(empty, `${split}_targets.npy`), new Int32Array(0), [0]);
    }
    await expect(openSource(file, { dataDir: empty })).rejects.toThrow(/train_tokens\.npy holds no sequences; an evaluation over no data has no loss or accuracy/);
  });
});

describe('writes', () => {
  it('never go into an existing run folder: export over run.json, a run inside a run, analysis output', () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    const made = cli(['train', '--preset', 'fig5-scratch', '--steps', '12', '--n-train', '64', '--n-test', '16', '--n-heldout', '16', '--d', '8', '--h', '16', '--out', run]);
    expect(made.code, made.stderr).toBe(0);
    const manifest = readFileSync(join(run, 'run.json'), 'utf8');
    const exported = cli(['export', run, '--step', '6', '--out', join(run, 'run.json')]);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(/run\.json lies inside the run folder .*run; the workbench writes into a run's folder only while training it/);
    expect(readFileSync(join(run, 'run.json'), 'utf8')).toBe(manifest);
    const nested = cli(['train', '--preset', 'fig5-scratch', '--steps', '2', '--out', join(run, 'checkpoints', 'inner')]);
    expect(nested.code).toBe(1);
    expect(nested.stderr).toMatch(/lies inside the run folder/);
    expect(existsSync(join(run, 'checkpoints', 'inner'))).toBe(false);
    const analysis = cli(['analyze', 'accuracy', run, '--json']);
    expect(analysis.code, analysis.stderr).toBe(0);
    const csvInside = cli(['analyze', 'interpolate', run, run, '--points', '2', '--out', join(run, 'metrics.csv')]);
    expect(csvInside.code).toBe(1);
    // and outside the run, export works
    const ok = cli(['export', run, '--step', '6', '--out', join(dir, 'step6.onnx')]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('clean up the temporary files of writers that were killed, and say "the disk is full"', () => {
    const dir = tempDir();
    const target = join(dir, 'out.onnx');
    writeFileSync(`${target}.tmp-999999999`, 'left by a killed export');
    writeFileSync(`${target}.tmp-${process.ppid}`, 'a live writer (our parent) keeps its file');
    writeFileAtomic(target, 'new');
    expect(readdirSync(dir).sort()).toEqual(['out.onnx', `out.onnx.tmp-${process.ppid}`]);
    let full: unknown = null;
    try {
      writeFileSync('/dev/full', 'x'.repeat(65536));
    } catch (err) {
      full = err;
    }
    expect(fileSystemSentence(full)).toMatch(/the disk is full; free some space and run the command again$/);
    expect(fileSystemSentence(new TypeError('x'))).toBeNull();
  });
});
