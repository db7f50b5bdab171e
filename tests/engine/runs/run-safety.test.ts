/**
 * A run folder has one writer; a full disk or a diverging loss ends a run with a sentence and
 * leaves every file readable, and the run resumes once there is space.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cli, DEBIAN_PYTHON, tempDir } from '../../helpers.js';
import { openSource } from '../../../src-main/engine/analysis/source.js';
import { accuracy } from '../../../src-main/engine/analysis/analyses.js';
import { sentenceProblem } from '../../corpus/sentence.js';

const SMALL = ['--preset', 'fig5-scratch', '--n-train', '256', '--n-test', '32', '--n-heldout', '32'];

function manifest(dir: string): { status: string; message: string | null; stepsDone: number } {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; message: string | null; stepsDone: number };
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('one writer per run folder', () => {
  it('refuses a second writer with a sentence naming the first, and takes over a dead writer’s lock', async () => {
    const dir = join(tempDir(), 'run');
    const first = spawn(process.execPath, [CLI, 'train', ...SMALL, '--steps', '2000000', '--out', dir, '--json'], { stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(join(dir, 'run.json')) && existsSync(join(dir, 'writer.lock')) && existsSync(join(dir, 'resume')) && readdirSync(join(dir, 'resume')).some((f) => /^state-\d+\.npy$/.test(f)), 90_000);
      const second = cli(['train', '--resume', dir]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`is being written by process ${first.pid} on .*; wait for it to finish or stop it`));
      expect(sentenceProblem(second.stderr.trim())).toBeNull(); // a known refusal, not "an unexpected error"
      const third = cli(['train', ...SMALL, '--out', dir]);
      expect(third.code).toBe(1);
    } finally {
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
    }
    expect(existsSync(join(dir, 'writer.lock'))).toBe(true); // a killed writer leaves its lock
    const resumed = cli(['train', '--resume', dir, '--max-steps', String(manifest(dir).stepsDone + 30)]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(join(dir, 'writer.lock'))).toBe(false);
  }, 400_000);
});

describe('a full disk', () => {
  const mnt = join(tempDir(), 'small-disk');
  mkdirSync(mnt);
  afterAll(() => spawnSync('umount', [mnt]));

  it('ends training with "the disk is full", leaves every file readable, and resumes once there is space', async () => {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mounted.status !== 0) throw new Error(`this test mounts a small tmpfs and needs root: ${mounted.stderr.trim()}`);
    const dir = join(mnt, 'run');
    // a snapshot every 20 steps: the first resume save (step 250) fits, the disk fills later
    const args = [...SMALL, '--steps', '1000', '--set', 'snapshots.denseUntil=0', '--set', 'snapshots.every=20'];
    const full = cli(['train', ...args, '--out', dir]);
    expect(full.code).toBe(1);
    expect(full.stderr.trim().split('\n')).toHaveLength(1);
    expect(full.stderr).toMatch(/the disk is full/);
    expect(full.stderr).not.toMatch(/unexpected error/);
    // numpy reads the trajectory: its header matches what was written
    const rows = spawnSync(DEBIAN_PYTHON, ['-c', `import numpy as np; a = np.load(${JSON.stringify(join(dir, 'trajectory.npy'))}); print(a.shape[0], np.isfinite(a).all())`], { encoding: 'utf8' });
    expect(rows.status, rows.stderr).toBe(0);
    expect(rows.stdout.trim()).toMatch(/^\d+ True$/);
    const m = manifest(dir);
    expect(m.status).not.toBe('complete');
    const src = await openSource(dir);
    expect((await accuracy(src)).train.accuracy).toBeGreaterThanOrEqual(0);
    // more space, then --resume ends where an uninterrupted run ends
    expect(spawnSync('mount', ['-o', 'remount,size=64m', mnt]).status).toBe(0);
    const resumed = cli(['train', '--resume', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const reference = join(tempDir(), 'reference');
    expect(cli(['train', ...args, '--out', reference]).code).toBe(0);
    expect(readFileSync(join(dir, 'metrics.csv'), 'utf8')).toBe(readFileSync(join(reference, 'metrics.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'trajectory.npy')).equals(readFileSync(join(reference, 'trajectory.npy')))).toBe(true);
  }, 400_000);
});

describe('a diverging run', () => {
  it('ends with status diverged and a sentence naming the step; it still opens at its last finite step', async () => {
    const dir = join(tempDir(), 'run');
    const r = cli(['train', ...SMALL, '--steps', '100', '--lr', '1e30', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the training diverged: its loss became (NaN|Infinity|-Infinity) at step \d+; try a smaller learning rate\n$/);
    expect(manifest(dir).status).toBe('diverged');
    const src = await openSource(dir);
    expect(src.weightsAt(src.step).every(Number.isFinite)).toBe(true);
    const acc = await accuracy(src);
    expect(acc.train.accuracy).toBeGreaterThanOrEqual(0);
    const lastStep = src.steps[src.steps.length - 1];
    if (lastStep !== src.step) expect(() => src.weightsAt(lastStep)).toThrow(/are not finite numbers \(the run diverged: the training diverged/);
    // the CLI says which step it analyses when the last one is not finite, and refuses to export that one
    const analysed = cli(['analyze', 'accuracy', dir]);
    expect(analysed.code, analysed.stderr).toBe(0);
    expect(lastStep, 'the run kept a non-finite snapshot after its last finite one').toBeGreaterThan(src.step);
    expect(analysed.stderr).toBe(`note: the weights of ${dir} after step ${src.step} are not finite (the run diverged); analysing step ${src.step}, its last finite snapshot\n`);
    const exported = cli(['export', dir, '--out', join(tempDir(), 'diverged.onnx')]);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(new RegExp(`are not finite numbers .*; the last finite one before it is step ${src.step}: export that with --step ${src.step}\n$`));
  });
});
