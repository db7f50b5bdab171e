/**
 * Long runs for the benchmarks: 100,000-step run folders with 10,001 snapshots, synthesised from
 * a real run folder by repeating its metrics rows and snapshots under new step numbers.
 */
import { cpSync, linkSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../../src-main/engine/io/npy.js';

export const LONG_STEPS = 100_000;
const EVERY = 10;

/** Writes `count` long runs named long-0 … under `dir` (one trajectory, hard-linked into each). */
export function synthesiseLongRuns(model: string, dir: string, count: number): { runs: string[]; snapshots: number; width: number } {
  const runs = Array.from({ length: count }, (_, i) => join(dir, `long-${i}`));
  const manifest = JSON.parse(readFileSync(join(model, 'run.json'), 'utf8'));
  const lines = readFileSync(join(model, 'metrics.csv'), 'utf8').trim().split('\n');
  const rows = lines.slice(1);
  const out = [lines[0]];
  for (let step = 0; step <= LONG_STEPS; step++) out.push(`${step},${rows[step % rows.length].split(',').slice(1).join(',')}`);
  const phase = manifest.phases[manifest.phases.length - 1];
  manifest.phases = [{ ...phase, start: 0, end: LONG_STEPS }];
  manifest.config.phases = [{ ...manifest.config.phases[manifest.config.phases.length - 1], steps: LONG_STEPS }];
  manifest.totalSteps = manifest.stepsDone = LONG_STEPS;
  manifest.snapshotSteps = Array.from({ length: LONG_STEPS / EVERY + 1 }, (_, i) => i * EVERY);
  for (const target of runs) {
    cpSync(model, target, { recursive: true, filter: (src) => !src.endsWith('trajectory.npy') && !src.endsWith('metrics.csv') });
    writeFileSync(join(target, 'metrics.csv'), out.join('\n') + '\n');
    writeFileSync(join(target, 'run.json'), JSON.stringify(manifest));
  }
  const traj = readNpy(join(model, 'trajectory.npy'));
  const [have, width] = traj.shape;
  const snapshots = LONG_STEPS / EVERY + 1;
  const data = new Float32Array(snapshots * width);
  for (let i = 0; i < snapshots; i++) data.set((traj.data as Float32Array).subarray((i % have) * width, ((i % have) + 1) * width), i * width);
  writeNpy(join(runs[0], 'trajectory.npy'), data, [snapshots, width]);
  for (const r of runs.slice(1)) linkSync(join(runs[0], 'trajectory.npy'), join(r, 'trajectory.npy'));
  return { runs, snapshots, width };
}
