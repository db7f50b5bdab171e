/**
 * Crash consistency of the run folder, by fault injection on the real CLI: strace kills `train`
 * (SIGKILL) on entering one chosen write or rename, `train --resume` continues the run, and the
 * result must equal an uninterrupted run's bit for bit.
 *
 * The injected calls: every write, rename and unlink of the run's last save (the trajectory and
 * attention rows and their headers, the ONNX checkpoint, metrics.csv, the resume state, run.json,
 * the old state's removal, the final run.json), the renames of the resume state and run.json in
 * the saves before it (except the very first run.json: before it the folder is not yet a run),
 * and one kill in mid-phase before the first save after step 0. The calls are found by tracing
 * the uninterrupted run, so the test follows the writer as it changes.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tempDir } from '../../helpers.js';
import { STRACE, runFolderPaths, straceCli, type FileCall } from './strace-kill.js';
import { pool } from '../../processes.js';

const root = tempDir('cw-inject-');
const tiny = ['--T', '6', '--k', '3', '--d', '8', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '16'];
// Saves at the phase end (10) and at the end (30); every step is a snapshot.
const LAST_STEP = 30;
const trainArgs = (dir: string) => ['train', '--preset', 'fig5-curriculum', '--seed', '0', ...tiny, '--set', 'phases.0.steps=10', '--set', `phases.1.steps=${LAST_STEP - 10}`, '--out', dir, '--json', '--backend', 'wasm'];
const ROW_HEADER_BYTES = 128;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a run killed at any write or rename of a save resumes to the uninterrupted result', () => {
  it('every injected kill resumes bit for bit', async () => {
    expect(existsSync(STRACE), `${STRACE} is missing: apt-get install strace`).toBe(true);
    const t0 = performance.now();
    const refDir = join(root, 'reference');
    const ref = await straceCli(trainArgs(refDir), (pid) => runFolderPaths(refDir, pid, LAST_STEP), join(root, 'reference.strace'));
    expect(ref.stderr).toBe('');
    expect(ref.code).toBe(0);

    const short = (c: FileCall) => `${c.syscall} #${c.ordinal} ${c.paths.map((p) => p.slice(refDir.length + 1)).join(' → ')}${c.offset !== null ? ` @${c.offset}` : ''}`;
    const isTrajectory = (c: FileCall) => c.paths[0] === join(refDir, 'trajectory.npy');
    const rowBytes = (() => {
      const rows = ref.calls.filter((c) => isTrajectory(c) && c.offset! >= ROW_HEADER_BYTES).map((c) => c.offset!);
      return rows[1] - rows[0];
    })();
    const rowWrite = (step: number) => ref.calls.findIndex((c) => isTrajectory(c) && c.offset === ROW_HEADER_BYTES + step * rowBytes);
    const lastSave = rowWrite(LAST_STEP);
    const midPhase = rowWrite(5);
    const firstManifest = ref.calls.findIndex((c) => c.syscall.startsWith('rename') && c.paths.at(-1) === join(refDir, 'run.json'));
    expect(lastSave, `no trajectory row for step ${LAST_STEP} among the ${ref.calls.length} traced calls; the last ones:\n${ref.calls.slice(-6).map((c) => c.line).join('\n')}`).toBeGreaterThan(0);
    // and at trajectory rows across the run: mid-phase, the phase switch, mid second phase
    const rowKills = [10, 15, 20, 25].map(rowWrite).filter((i) => i > 0 && i < lastSave);
    const firstCheckpoint = ref.calls.findIndex((c) => c.syscall.startsWith('rename') && c.paths.at(-1)!.endsWith('.onnx'));
    const points = [
      ref.calls[midPhase],
      ...rowKills.map((i) => ref.calls[i]),
      ...(firstCheckpoint > 0 && firstCheckpoint < lastSave ? [ref.calls[firstCheckpoint]] : []),
      ...ref.calls.filter((c, i) => i > firstManifest && i < lastSave && c.syscall.startsWith('rename') && !c.paths.at(-1)!.endsWith('.onnx')),
      ...ref.calls.slice(lastSave),
    ];

    const expected = {
      metrics: readFileSync(join(refDir, 'metrics.csv')),
      trajectory: readFileSync(join(refDir, 'trajectory.npy')),
      attention: readFileSync(join(refDir, 'test_attention.npy')),
    };
    const results = await pool(points, 2, async (point, i) => {
      const dir = join(root, `kill-${i}`);
      const killed = await straceCli(trainArgs(dir), (pid) => runFolderPaths(dir, pid, LAST_STEP), join(root, `kill-${i}.strace`), point);
      const what = short(point);
      if (killed.signal !== 'SIGKILL') return `${what}: the run was not killed (exit ${killed.code}): ${killed.stderr.trim()}`;
      const resumed = await runCli(['train', '--resume', dir, '--json']);
      if (resumed.code !== 0) return `${what}: train --resume exited ${resumed.code}: ${resumed.stderr.trim()}`;
      const differs = (['metrics', 'trajectory', 'attention'] as const).filter((k) => {
        const file = { metrics: 'metrics.csv', trajectory: 'trajectory.npy', attention: 'test_attention.npy' }[k];
        return !readFileSync(join(dir, file)).equals(expected[k]);
      });
      if (differs.length > 0) return `${what}: after resuming, ${differs.join(', ')} differ from the uninterrupted run`;
      const status = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; stepsDone: number });
      if (status.status !== 'complete' || status.stepsDone !== LAST_STEP) return `${what}: run.json says ${status.status} after ${status.stepsDone} steps`;
      return null;
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`fault injection: ${points.length} kill points, ${seconds.toFixed(0)} s\n${points.map((p, i) => `  ${results[i] ? 'FAIL' : 'ok  '} ${short(p)}`).join('\n')}`);
    expect(points.length).toBeGreaterThanOrEqual(20);
    expect(results.filter((r) => r !== null)).toEqual([]);
  }, 600_000);
});
