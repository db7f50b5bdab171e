/**
 * Crash consistency of a sweep (what `experiment fig5` runs), by fault injection on the real CLI:
 * strace kills (SIGKILL) either one run's worker on entering a chosen write of its run folder
 * (early, mid-phase, at the curriculum's phase switch, in the second phase, at the last save) or
 * the sweep process itself on a write or rename of sweep.json or its summaries. The same
 * `sweep start` command is then run again; every run and the summary must end equal, bit for bit,
 * to an uninterrupted sweep's.
 *
 * Workers name their temporary files after their own pid, unknown in advance, so the traced calls
 * are those to the files with fixed names: trajectory.npy and test_attention.npy rows and headers,
 * metrics.csv, and the sweep process's own sweep.json and summaries (named after its pid).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, tempDir } from '../../helpers.js';
import { readManifest, readTrajectory } from '../../../src-main/engine/runs/runFolder.js';
import { STRACE, parseStraceLog, straceCli, type FileCall } from '../runs/strace-kill.js';
import { pool } from '../../processes.js';

const root = tempDir('cw-sweep-kill-');
const LAST_STEP = 30;
const SETTINGS = ['task.T=6', 'task.k=3', 'model.T=6', 'model.d=8', 'model.h=16', 'task.nTrain=64', 'task.nTest=32', 'task.nHeldout=16', 'phases.0.steps=10'];
const RUNS = ['fig5-scratch-s0', 'fig5-curriculum-s0'];
const RUN_FILES = ['trajectory.npy', 'test_attention.npy', 'metrics.csv'];
const SWEEP_FILES = ['sweep.json', 'summary.json', 'summary.csv'];
const ROW_HEADER_BYTES = 128;
const sweepArgs = (dir: string) => ['sweep', 'start', '--preset', 'fig5-scratch', '--preset', 'fig5-curriculum', '--seeds', '0', '--jobs', '1', ...SETTINGS.flatMap((s) => ['--set', s]), '--max-steps', String(LAST_STEP), '--out', dir];
const sweepPaths = (dir: string, pid: number) => SWEEP_FILES.flatMap((f) => [join(dir, f), join(dir, `${f}.tmp-${pid}`)]);
const runPaths = (dir: string, run: string) => RUN_FILES.map((f) => join(dir, run, f));

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A kill point: whose calls are traced (the sweep process, or one run's worker) and which call. */
interface KillPoint {
  what: string;
  run: string | null;
  call: FileCall;
}

describe('a sweep killed at any point', () => {
  it('ends, after the same command again, equal bit for bit to an uninterrupted sweep', async () => {
    expect(existsSync(STRACE), `${STRACE} is missing: apt-get install strace`).toBe(true);
    const t0 = performance.now();
    const refDir = join(root, 'reference');
    const allPaths = (pid: number) => [...sweepPaths(refDir, pid), ...RUNS.flatMap((r) => runPaths(refDir, r))];
    const ref = await straceCli(sweepArgs(refDir), allPaths, join(root, 'reference.strace'));
    expect(ref.code, ref.stderr).toBe(0);

    // the calls of every traced process, numbered per process as strace's when= counts them
    const log = readFileSync(join(root, 'reference.strace'), 'utf8');
    const pids = [...new Set([...log.matchAll(/^(\d+) +\w+\(/gm)].map((m) => Number(m[1])))];
    const callsOf = new Map(pids.map((pid) => [pid, parseStraceLog(log, pid)]));
    const sweepCalls = [...callsOf.values()].flat().filter((c) => c.paths.some((p) => SWEEP_FILES.some((f) => p.startsWith(join(refDir, f)))));
    const workerCalls = (run: string) => [...callsOf.values()].find((calls) => calls.some((c) => c.paths[0]?.startsWith(join(refDir, run, '/')))) ?? [];

    const points: KillPoint[] = [];
    for (const run of RUNS) {
      const calls = workerCalls(run);
      const trajectory = join(refDir, run, 'trajectory.npy');
      const rows = calls.filter((c) => c.paths[0] === trajectory && c.offset! >= ROW_HEADER_BYTES);
      const rowBytes = rows[1].offset! - rows[0].offset!;
      const row = (step: number) => calls.find((c) => c.paths[0] === trajectory && c.offset === ROW_HEADER_BYTES + step * rowBytes);
      const steps = run.includes('curriculum') ? [1, 5, 10, 11, 20, LAST_STEP] : [1, 5, 10];
      for (const s of steps) {
        const c = row(s);
        if (c) points.push({ what: `${run}: trajectory row of step ${s}`, run, call: c });
      }
      const metrics = calls.filter((c) => c.paths[0] === join(refDir, run, 'metrics.csv'));
      points.push({ what: `${run}: the last metrics.csv write`, run, call: metrics[metrics.length - 1] });
      const attention = calls.filter((c) => c.paths[0] === join(refDir, run, 'test_attention.npy'));
      points.push({ what: `${run}: the last test_attention.npy header`, run, call: attention[attention.length - 1] });
    }
    for (const c of sweepCalls) points.push({ what: `sweep: ${c.syscall} ${c.paths.map((p) => p.slice(refDir.length + 1)).join(' → ')}`, run: null, call: c });

    const expected = new Map<string, Buffer>([['summary.csv', readFileSync(join(refDir, 'summary.csv'))]]);
    for (const run of RUNS) for (const f of RUN_FILES) expected.set(join(run, f), readFileSync(join(refDir, run, f)));

    const results = await pool(points, 2, async (point, i): Promise<string> => {
      const dir = join(root, `kill-${i}`);
      const traced = (pid: number) => (point.run ? runPaths(dir, point.run) : sweepPaths(dir, pid));
      const killed = await straceCli(sweepArgs(dir), traced, join(root, `kill-${i}.strace`), point.call);
      const problems: string[] = [];
      // a killed worker ends its run (the sweep process goes on and reports it); strace logs the kill
      if (!readFileSync(join(root, `kill-${i}.strace`), 'utf8').includes('+++ killed by SIGKILL +++')) problems.push(`nothing was killed (exit ${killed.code}): ${killed.stderr.trim().slice(0, 200)}`);
      // every run the kill left behind still opens, before anything repairs it
      for (const run of RUNS.filter((r) => existsSync(join(dir, r, 'run.json')))) {
        try {
          readTrajectory(join(dir, run), readManifest(join(dir, run)));
        } catch (err) {
          problems.push(`${run} does not open after the kill: ${(err as Error).message}`);
        }
      }
      const again = await runCli(sweepArgs(dir));
      if (again.code !== 0) problems.push(`the same command again exited ${again.code}: ${again.stderr.trim().slice(0, 300)}`);
      else {
        const differs = [...expected].filter(([f, bytes]) => !existsSync(join(dir, f)) || !readFileSync(join(dir, f)).equals(bytes)).map(([f]) => f);
        if (differs.length > 0) problems.push(`${differs.join(', ')} differ from the uninterrupted sweep's`);
      }
      return `  ${problems.length ? 'FAIL' : 'ok  '} ${point.what} (${point.call.syscall} #${point.call.ordinal})${problems.length ? `: ${problems.join('; ')}` : ''}`;
    });
    const failures = results.filter((r) => r.startsWith('  FAIL')).length;
    console.log(`sweep fault injection: ${points.length} kill points, ${((performance.now() - t0) / 1000).toFixed(0)} s\n${results.join('\n')}`);
    expect(points.length).toBeGreaterThanOrEqual(15);
    expect(failures).toBe(0);
  }, 900_000);
});
