/** The command line as a user runs it: a child process, real files, exit codes and messages. */
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI, cli, tempDir } from '../helpers.js';
import { readManifest, readMetrics } from '../../src-main/engine/runs/runFolder.js';
import { parseSeeds } from '../../src-main/engine/experiment/experiment.js';

const root = tempDir();
const tiny = ['--T', '6', '--k', '3', '--d', '8', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '16'];

/** Exactly one line on stderr, starting "error:", and a non-zero exit. */
function expectOneSentence(r: ReturnType<typeof cli>, pattern: RegExp) {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('circuit-workbench train', () => {
  it('trains with --max-steps, prints JSON lines, and resumes', () => {
    const out = join(root, 'run');
    const r = cli(['train', '--preset', 'fig5-curriculum', ...tiny, '--set', 'phases.0.steps=30', '--max-steps', '40', '--out', out, '--json', '--backend', 'wasm']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; status?: string });
    expect(lines.some((l) => l.type === 'progress')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'stopped', stepsDone: 40 });
    const m = readManifest(out);
    expect(m.phases).toEqual([{ name: 'p2', p: 2, start: 0, end: 30 }, { name: 'p4', p: 4, start: 30, end: 7030 }]);
    expect(m.maxSteps).toBe(40);
    expect(m.config.model).toMatchObject({ T: 6, d: 8, h: 16 });
    const more = cli(['train', '--resume', out, '--max-steps', '50']);
    expect(more.code).toBe(0);
    expect(more.stdout).toMatch(/^stopped: 50 steps/);
    expect(readMetrics(out)).toHaveLength(50);
  });

  it('stops cleanly on Ctrl-C (SIGINT): the run is marked cancelled and readable', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../helpers.js');
    const out = join(root, 'interrupted');
    const child = spawn(process.execPath, [CLI, 'train', '--preset', 'fig5-scratch', ...tiny, '--out', out, '--json', '--backend', 'wasm']);
    let stdout = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('"progress"') && !child.killed) child.kill('SIGINT');
      });
      child.on('close', resolve);
    });
    expect(code).toBe(130);
    const m = readManifest(out);
    expect(m.status).toBe('cancelled');
    expect(m.stepsDone).toBeGreaterThan(0);
    expect(m.stepsDone).toBeLessThan(10_000);
    expect(readMetrics(out)).toHaveLength(m.stepsDone);
  });

  const unwritable = join(root, 'locked');
  mkdirSync(unwritable);
  chmodSync(unwritable, 0o500);
  const notARun = join(root, 'empty-folder');
  mkdirSync(notARun);

  const bad: [string, string[], RegExp][] = [
    ['k larger than T', ['--preset', 'fig5-scratch', '--T', '4', '--k', '5'], /k = 5 is larger than the sequence length T = 4/],
    ['p below 2', ['--preset', 'fig5-scratch', '--p', '1'], /p must be an integer ≥ 2, got 1/],
    ['V below p', ['--preset', 'fig5-scratch', '--V', '3'], /p = 4 needs a vocabulary of at least 4 tokens, but V = 3/],
    ['an unknown preset', ['--preset', 'fig9'], /unknown preset 'fig9'; choose one of fig5-scratch, fig5-curriculum, fig2, fig4/],
    ['a non-numeric option', ['--preset', 'fig5-scratch', '--d', 'wide'], /--d must be an integer, got 'wide'/],
    ['an unknown setting', ['--preset', 'fig5-scratch', '--set', 'model.width=3'], /unknown setting 'model.width'/],
    ['no preset', [], /train needs --preset NAME/],
    ['a folder that is not a run', ['--resume', notARun], /is not a run folder: it has no run.json/],
    ['a run folder that does not exist', ['--resume', join(root, 'nowhere')], /does not exist/],
  ];
  for (const [what, args, pattern] of bad) {
    it(`refuses ${what} with one sentence`, () => expectOneSentence(cli(['train', ...args, '--out', join(root, 'never')]), pattern));
  }

  it('refuses an unwritable folder with one sentence (unless running as a user who can write anywhere)', () => {
    if (process.getuid?.() === 0) {
      // root writes through permission bits; a path under a file is unwritable for everyone
      const underFile = join(root, 'run', 'run.json', 'sub');
      expectOneSentence(cli(['train', '--preset', 'fig5-scratch', ...tiny, '--max-steps', '2', '--out', underFile]), /cannot create .*run.json\/sub|run\.json\/sub lies inside the run folder/);
    } else {
      const r = cli(['train', '--preset', 'fig5-scratch', ...tiny, '--max-steps', '2', '--out', join(unwritable, 'run')]);
      expectOneSentence(r, /is not writable; choose another --out folder/);
    }
  });
});

describe('circuit-workbench experiment', () => {
  it('parses seed lists and ranges', () => {
    expect(parseSeeds('0-4')).toEqual([0, 1, 2, 3, 4]);
    expect(parseSeeds('0,2,5')).toEqual([0, 2, 5]);
    expect(parseSeeds('3')).toEqual([3]);
    expect(() => parseSeeds('a-b')).toThrow(/cannot read seeds 'a-b'/);
  });

  it('runs both schedules per seed in parallel processes as a named sweep and writes the summary table', () => {
    const out = join(root, 'exp');
    const r = cli(['experiment', 'fig5', '--seeds', '0-1', '--jobs', '2', '--max-steps', '15', '--out', out], { timeout: 600_000 });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scratch\s+2\/2\s+0\s+0\.00\s+\[0\.00, 0\.66\]/);
    expect(r.stdout).toMatch(/curriculum\s+2\/2\s+0\s/);
    expect(r.stdout).toMatch(/two-sided Fisher exact p \(scratch vs curriculum\): 1\.00/);
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('schedule,total,succeeded,rate,ci95_lo,ci95_hi,median_first_step_ge_0.99,median_final_train_acc,median_final_test_acc,median_final_heldout_acc,p_value');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 6).join(','))).toEqual(['scratch,2,0,0,0,0.6576198', 'curriculum,2,0,0,0,0.6576198']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { cells: { schedules: { schedule: string; total: number }[] }[] };
    expect(summary.cells[0].schedules.map((s) => [s.schedule, s.total])).toEqual([['scratch', 2], ['curriculum', 2]]);
    // the same folders as before sweeps: <schedule>-s<seed>, cut short and saying so
    expect(readManifest(join(out, 'scratch-s0'))).toMatchObject({ status: 'stopped', stoppedAtStep: 15 });
    // a second call reuses the finished runs
    const again = cli(['experiment', 'fig5', '--seeds', '0-1', '--max-steps', '15', '--out', out]);
    expect(again.code).toBe(0);
    expect(readManifest(join(out, 'scratch-s0')).stepsDone).toBe(15);
  }, 900_000);

  it('refuses an unknown experiment', () => expectOneSentence(cli(['experiment', 'fig8']), /unknown experiment 'fig8'; choose one of fig5/));
});

describe('a reader that stops early', () => {
  // `| true` closes the pipe before the CLI (hundreds of ms to start) writes: every write fails with EPIPE
  const closedPipe = (args: string[]) => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ${args.map((a) => `'${a}'`).join(' ')} | true; echo "exit \${PIPESTATUS[0]}"`], { encoding: 'utf8', timeout: 120_000 });
    return { stdout: r.stdout.trim(), stderr: r.stderr };
  };

  it('ends the CLI quietly with exit code 0 when stdout closes (analyze project … | head)', () => {
    const demo = fileURLToPath(new URL('../../resources/demo/', import.meta.url));
    for (const args of [['analyze', 'project', join(demo, 'scratch-s4'), join(demo, 'curriculum-s4'), '--method', 'pca'], ['presets', '--json']]) {
      const r = closedPipe(args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.stdout, args.join(' ')).toBe('exit 0');
    }
  });
});
