/**
 * A run killed before its first run.json (while it writes its datasets, its step-0 snapshot or
 * state, or at the rename of its first run.json) leaves a folder that is not yet a run: it cannot
 * be resumed, and `train --out` on it used to be refused because the folder is not empty, so the
 * user had to delete it by hand. `train --resume` says to start it again, and the same
 * `train --out` now clears it, says so, and gives the
 * uninterrupted run's files bit for bit; a folder holding anything else is still refused.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tempDir } from '../../helpers.js';
import { isUnstartedRun } from '../../../src-main/engine/runs/unstartedRun.js';
import { STRACE, runFolderPaths, straceCli, type FileCall } from './strace-kill.js';

const root = tempDir('cw-unstarted-');
const tiny = ['--T', '6', '--k', '3', '--d', '8', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '16'];
const LAST_STEP = 10;
const trainArgs = (dir: string) => ['train', '--preset', 'fig5-curriculum', '--seed', '0', ...tiny, '--set', 'phases.0.steps=5', '--set', 'phases.1.steps=5', '--out', dir, '--json', '--backend', 'wasm'];
const RESULT_FILES = ['metrics.csv', 'trajectory.npy', 'test_attention.npy', 'resume/state-000010.npy', 'data/p2/train_tokens.npy', 'data/p4/heldout_targets.npy'];

/** The run folder's files and its datasets (the first files a new run writes), with their temporary names. */
function tracedPaths(dir: string, pid: number): string[] {
  const data = ['p2', 'p4'].flatMap((p) => ['train', 'test', 'heldout'].flatMap((s) => [`tokens`, `targets`].map((t) => join(dir, 'data', p, `${s}_${t}.npy`))));
  return runFolderPaths(dir, pid, LAST_STEP).concat(data.flatMap((f) => [f, `${f}.tmp-${pid}`]));
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a run killed before its first run.json', () => {
  it('is started again by the same train --out, with a note, to the uninterrupted result', async () => {
    expect(existsSync(STRACE), `${STRACE} is missing: apt-get install strace`).toBe(true);
    const refDir = join(root, 'reference');
    const ref = await straceCli(trainArgs(refDir), (pid) => tracedPaths(refDir, pid), join(root, 'reference.strace'));
    expect(ref.stderr).toBe('');
    expect(ref.code).toBe(0);

    const firstManifest = ref.calls.findIndex((c) => c.syscall.startsWith('rename') && c.paths.at(-1) === join(refDir, 'run.json'));
    const find = (what: string, test: (c: FileCall) => boolean) => {
      const i = ref.calls.findIndex(test);
      expect(i, `no ${what} among the traced calls before the first run.json:\n${ref.calls.slice(0, firstManifest + 1).map((c) => c.line).join('\n')}`).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThanOrEqual(firstManifest);
      return ref.calls[i];
    };
    const points = [
      find('rename of the first dataset file', (c) => c.syscall.startsWith('rename') && c.paths.at(-1)!.includes('/data/')),
      find('write of the step-0 trajectory row', (c) => c.syscall.includes('write') && c.paths[0] === join(refDir, 'trajectory.npy')),
      find('rename of the step-0 resume state', (c) => c.syscall.startsWith('rename') && c.paths.at(-1) === join(refDir, 'resume', 'state-000000.npy')),
      ref.calls[firstManifest],
    ];

    const problems: string[] = [];
    for (const [i, point] of points.entries()) {
      const dir = join(root, `kill-${i}`);
      const what = `${point.syscall} #${point.ordinal} ${point.paths.at(-1)!.slice(refDir.length + 1)}`;
      const killed = await straceCli(trainArgs(dir), (pid) => tracedPaths(dir, pid), join(root, `kill-${i}.strace`), point);
      if (killed.signal !== 'SIGKILL') {
        problems.push(`${what}: the run was not killed (exit ${killed.code})`);
        continue;
      }
      if (existsSync(join(dir, 'run.json'))) problems.push(`${what}: the killed run already has a run.json`);
      const resumed = cli(['train', '--resume', dir]);
      if (resumed.code !== 1 || !/^error: .* was stopped before its first save, so there is nothing to resume; start it again with the same train --preset … --out /.test(resumed.stderr)) problems.push(`${what}: train --resume said (exit ${resumed.code}) ${JSON.stringify(resumed.stderr)}`);
      const again = cli(trainArgs(dir));
      if (again.code !== 0) {
        problems.push(`${what}: train --out on the folder exited ${again.code}: ${again.stderr.trim()}`);
        continue;
      }
      if (!/^note: .* held a run that was stopped before its first save \(it had no run\.json\); starting it again from step 0\n$/.test(again.stderr)) problems.push(`${what}: stderr was ${JSON.stringify(again.stderr)}`);
      const differs = RESULT_FILES.filter((f) => !readFileSync(join(dir, f)).equals(readFileSync(join(refDir, f))));
      if (differs.length > 0) problems.push(`${what}: ${differs.join(', ')} differ from the uninterrupted run`);
      const m = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; stepsDone: number };
      if (m.status !== 'complete' || m.stepsDone !== LAST_STEP) problems.push(`${what}: run.json says ${m.status} after ${m.stepsDone} steps`);
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('is told apart from folders that hold anything else, which train --out still refuses and leaves alone', () => {
    // a leftover as train leaves it: checkpoints/, resume/ with the step-0 state, datasets, the header of metrics.csv
    const leftover = join(root, 'leftover');
    for (const d of ['checkpoints', 'resume', 'data/p2']) mkdirSync(join(leftover, d), { recursive: true });
    writeFileSync(join(leftover, 'resume', 'state-000000.npy'), 'x');
    writeFileSync(join(leftover, 'data', 'p2', 'train_tokens.npy'), 'x');
    writeFileSync(join(leftover, 'data', 'p2', 'test_targets.npy.tmp-123'), 'x');
    writeFileSync(join(leftover, 'metrics.csv'), 'step,phase,p\n0,p2,2\n');
    writeFileSync(join(leftover, 'writer.lock'), '{"pid":1,"host":"gone","since":"x"}\n');
    expect(isUnstartedRun(leftover)).toBe(true);

    const variant = (name: string, change: (dir: string) => void) => {
      const dir = join(root, name);
      cpSync(leftover, dir, { recursive: true });
      change(dir);
      return dir;
    };
    const others = [
      variant('with-a-file-of-the-users', (d) => writeFileSync(join(d, 'notes.txt'), 'mine')),
      variant('with-run-json', (d) => writeFileSync(join(d, 'run.json'), '{}')),
      variant('with-a-later-state', (d) => writeFileSync(join(d, 'resume', 'state-000250.npy'), 'x')),
      variant('with-a-later-checkpoint', (d) => writeFileSync(join(d, 'checkpoints', 'step-000100.onnx'), 'x')),
      variant('with-metrics-past-step-0', (d) => writeFileSync(join(d, 'metrics.csv'), 'step,phase,p\n0,p2,2\n1,p2,2\n')),
      variant('with-a-foreign-dataset', (d) => writeFileSync(join(d, 'data', 'p2', 'labels.csv'), 'x')),
      variant('without-checkpoints', (d) => rmSync(join(d, 'checkpoints'), { recursive: true })),
    ];
    expect(others.map((d) => [d.slice(root.length + 1), isUnstartedRun(d)])).toEqual(others.map((d) => [d.slice(root.length + 1), false]));
    expect(isUnstartedRun(join(root, 'no-such-folder'))).toBe(false);

    const refused = cli(trainArgs(others[0]));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*with-a-file-of-the-users already exists and is not empty; choose a new --out folder/);
    expect(readFileSync(join(others[0], 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(others[0], 'resume', 'state-000000.npy'))).toBe(true);
  }, 120_000);
});
