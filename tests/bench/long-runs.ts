/**
 * Long runs in the app's API (the handler table the window and `serve` call): a 100,000-step run
 * with 10,001 snapshots, synthesised from a real run folder by repeating its metrics and snapshots
 * under new step numbers. Times opening it, the curves of five such runs, and the attention
 * heatmap over training of one sequence.
 *
 *   CW_BENCH_RUNS=runA[:runB] node --import tsx tests/bench/long-runs.ts   (uses runA as the model)
 */
import { cpSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import { readNpy, writeNpy } from '../../src-main/engine/io/npy.js';

const model = (process.env['CW_BENCH_RUNS'] ?? '').split(':').filter(Boolean)[0];
if (!model) {
  console.log('long runs: set CW_BENCH_RUNS=dir (a run folder to synthesise the long runs from) to measure them');
  process.exit(0);
}
const STEPS = 100_000;
const EVERY = 10;
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-long-'));
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function synthesise(target: string): void {
  cpSync(model, target, { recursive: true, filter: (src) => !src.endsWith('trajectory.npy') && !src.endsWith('metrics.csv') });
  const manifest = JSON.parse(readFileSync(join(model, 'run.json'), 'utf8'));
  const lines = readFileSync(join(model, 'metrics.csv'), 'utf8').trim().split('\n');
  const rows = lines.slice(1);
  const out = [lines[0]];
  for (let step = 0; step <= STEPS; step++) out.push(`${step},${rows[step % rows.length].split(',').slice(1).join(',')}`);
  writeFileSync(join(target, 'metrics.csv'), out.join('\n') + '\n');
  const phase = manifest.phases[manifest.phases.length - 1];
  manifest.phases = [{ ...phase, start: 0, end: STEPS }];
  manifest.config.phases = [{ ...manifest.config.phases[manifest.config.phases.length - 1], steps: STEPS }];
  manifest.totalSteps = manifest.stepsDone = STEPS;
  manifest.snapshotSteps = Array.from({ length: STEPS / EVERY + 1 }, (_, i) => i * EVERY);
  writeFileSync(join(target, 'run.json'), JSON.stringify(manifest));
}

try {
  const runs = Array.from({ length: 5 }, (_, i) => join(dir, `long-${i}`));
  for (const r of runs) synthesise(r);
  // one trajectory of 10,001 snapshots, hard-linked into the five folders
  const traj = readNpy(join(model, 'trajectory.npy'));
  const [rows, width] = traj.shape;
  const n = STEPS / EVERY + 1;
  const data = new Float32Array(n * width);
  for (let i = 0; i < n; i++) data.set((traj.data as Float32Array).subarray((i % rows) * width, ((i % rows) + 1) * width), i * width);
  writeNpy(join(runs[0], 'trajectory.npy'), data, [n, width]);
  for (const r of runs.slice(1)) linkSync(join(runs[0], 'trajectory.npy'), join(r, 'trajectory.npy'));
  console.log(`long runs: 5 × ${STEPS.toLocaleString('en')} steps, ${n.toLocaleString('en')} snapshots × ${width.toLocaleString('en')} parameters (${((n * width * 4) / 1e6).toFixed(0)} MB each)`);

  const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([dir])), jobs: new JobManager(), workspaces: [dir] });
  const call = (channel: string, req: unknown) => dispatch(handlers, channel as never, req as never);
  const ids: string[] = [];
  for (const r of runs) {
    const t = performance.now();
    const info = (await call('source.open', { path: r })) as { id: string };
    if (ids.length === 0) console.log(`open one run (source.open)                    : ${s(performance.now() - t)}`);
    ids.push(info.id);
  }
  let t = performance.now();
  let points = 0;
  for (const id of ids) points += ((await call('source.metrics', { id })) as { step: number[] }).step.length;
  console.log(`curves of five runs (source.metrics × 5)       : ${s(performance.now() - t)} (${points.toLocaleString('en')} rows; drawing not included)`);
  const T = (JSON.parse(readFileSync(join(runs[0], 'run.json'), 'utf8')) as { config: { task: { T: number } } }).config.task.T;
  const tokens = [Array.from({ length: T }, (_, i) => i % 2)];
  await call('analysis.attentionOverTraining', { id: ids[0], tokens, to: 100 }); // warm-up: the ONNX session
  t = performance.now();
  const heat = (await call('analysis.attentionOverTraining', { id: ids[0], tokens })) as { steps: number[] };
  console.log(`attention over training, 1 sequence, all steps : ${s(performance.now() - t)} (${heat.steps.length.toLocaleString('en')} snapshots)`);
  console.log(`resident memory                                 : ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
