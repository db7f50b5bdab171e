/**
 * Sweeps on a real SLURM: a one-node cluster (Debian's slurm-wlm and munge) started for these
 * tests in a temporary folder. The same small sweep gives the same summary locally and as a job
 * array; a task that cannot write its run folder shows as failed with its log; cancel stops the array.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSlurmCluster, type SlurmCluster } from './slurm-cluster.js';
import { CLI, tempDir } from '../helpers.js';
import type { SweepSummary } from '../../src-main/engine/experiment/sweepState.js';
import { sweepSummary } from '../../src-main/engine/experiment/sweep.js';

/** Each test trains several runs in their own processes; on a busy machine that takes minutes. */
const SLOW = 900_000;

const root = tempDir('cw-sweep-');
let cluster: SlurmCluster;

beforeAll(async () => {
  cluster = await startSlurmCluster();
  // squeue/scancel called from this process (sweepSummary) talk to the test cluster too
  process.env['SLURM_CONF'] = cluster.env['SLURM_CONF'];
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
}, 60_000);

function cw(args: string[], timeout = 600_000) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, env: cluster.env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function squeue(): string {
  return spawnSync('squeue', ['-h', '-r', '-o', '%i %t'], { encoding: 'utf8', env: cluster.env }).stdout.trim();
}

const TINY = ['task.T=6', 'task.k=3', 'task.nTrain=64', 'task.nTest=32', 'task.nHeldout=16', 'model.T=6', 'model.d=8', 'model.h=16'].flatMap((s) => ['--set', s]);
const SMALL_SWEEP = ['--preset', 'fig5-scratch', '--preset', 'fig5-curriculum', '--seeds', '0-1', ...TINY, '--max-steps', '15'];

/** The summary without what depends on the scheduler (states, wall-clock seconds, paths). */
function comparable(s: SweepSummary) {
  return {
    cells: s.cells.map((c) => ({ ...c, schedules: c.schedules.map(({ states: _states, ...x }) => x) })),
    runs: s.runs.map((r) => ({ state: r.state, dir: r.dir, steps: r.stepsDone, acc: r.summary && [r.summary.finalTrainAcc, r.summary.finalTestAcc, r.summary.finalHeldoutAcc, r.summary.firstStepAbove] })),
  };
}

describe('sweeps on a one-node SLURM cluster', () => {
  it('a small sweep as a job array gives the same summary as the same sweep run locally', () => {
    const local = cw(['sweep', ...SMALL_SWEEP, '--jobs', '2', '--out', join(root, 'local'), '--json']);
    expect(local.stderr).not.toMatch(/error/);
    expect(local.code).toBe(0);
    const onSlurm = cw(['sweep', ...SMALL_SWEEP, '--scheduler', 'slurm', '--wait', '--out', join(root, 'slurm'), '--json']);
    expect(onSlurm.stderr).toMatch(/submitted 4 runs as SLURM job array \d+/);
    expect(onSlurm.code).toBe(0);
    const a = JSON.parse(local.stdout) as SweepSummary;
    const b = JSON.parse(onSlurm.stdout) as SweepSummary;
    expect(b.states.done).toBe(4);
    expect(comparable(b)).toEqual(comparable(a));
    expect(readFileSync(join(root, 'slurm', 'summary.csv'), 'utf8')).toBe(readFileSync(join(root, 'local', 'summary.csv'), 'utf8'));
    const script = readFileSync(join(root, 'slurm', 'sweep.sbatch'), 'utf8');
    expect(script).toMatch(/sweep task .* --index "\$SLURM_ARRAY_TASK_ID"/);
    // run again: everything is finished, nothing is submitted
    const again = cw(['sweep', ...SMALL_SWEEP, '--scheduler', 'slurm', '--out', join(root, 'slurm')]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/nothing to submit/);
  }, SLOW);

  it('a task that cannot write its run folder is reported as failed, with the end of its SLURM log', () => {
    const dir = join(root, 'broken');
    mkdirSync(dir);
    // a file where the first cell's folder should be: its runs cannot be created
    writeFileSync(join(dir, 'lr=0.001'), 'not a folder');
    const r = cw(['sweep', '--preset', 'fig5-scratch', '--seeds', '0', ...TINY, '--max-steps', '5', '--grid', 'lr=0.001,0.01', '--scheduler', 'slurm', '--wait', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/failed: lr=0\.001\/fig5-scratch-s0\n\s+error: cannot create/);
    const status = cw(['sweep', 'status', dir, '--json']);
    const s = JSON.parse(status.stdout) as SweepSummary;
    expect(s.runs.map((x) => x.state)).toEqual(['failed', 'done']);
    expect(s.runs[0].message).toMatch(/cannot create .*lr=0\.001/);
    expect(s.cells[0].schedules[0]).toMatchObject({ total: 0, planned: 1, states: { failed: 1 } });
  }, SLOW);

  it('sweep cancel stops the array: the running run is left interrupted (resumable), the rest never start', async () => {
    const dir = join(root, 'cancel');
    // long enough to be still running when cancelled
    const r = cw(['sweep', '--preset', 'fig5-scratch', '--seeds', '0-3', ...TINY, '--set', 'phases.0.steps=200000', '--scheduler', 'slurm', '--max-parallel', '1', '--out', dir]);
    expect(r.code).toBe(0);
    const jobId = /job array (\d+)/.exec(r.stderr)![1];
    let running = false;
    for (let i = 0; i < 1200 && !running; i++) {
      const s = sweepSummary(dir, { write: false });
      running = s.states.running === 1 && s.runs[0].stepsDone > 0;
      if (!running) await new Promise((res) => setTimeout(res, 500));
    }
    expect(running).toBe(true);
    expect(squeue()).toMatch(new RegExp(`^${jobId}_`, 'm'));
    const cancel = cw(['sweep', 'cancel', dir]);
    expect(cancel.stdout).toBe(`cancelled SLURM job ${jobId}\n`);
    let left = squeue();
    for (let i = 0; i < 60 && left.includes(`${jobId}_`); i++) {
      await new Promise((res) => setTimeout(res, 500));
      left = squeue();
    }
    expect(left).not.toContain(`${jobId}_`);
    const s = sweepSummary(dir);
    expect(s.states.running + s.states.queued).toBe(0);
    expect(s.runs[0].state).toBe('interrupted');
    expect(s.runs.slice(1).map((x) => x.state)).toEqual(['pending', 'pending', 'pending']);
  }, SLOW);
});
