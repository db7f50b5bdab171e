/**
 * Speed of the analyses a researcher waits for, on this machine:
 *   interpolation (101 points, 2,048 + 128 sequences), PCA of 2 runs × 1,000 snapshots × 9,920
 *   parameters, t-SNE of 2,000 snapshots, attention of one sequence at one snapshot.
 *
 *   npm run bench:analysis
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAPER_MODEL, initParams } from '../../src-main/engine/model/config.js';
import { exportModel } from '../../src-main/engine/onnx/export.js';
import { openSource } from '../../src-main/engine/analysis/source.js';
import { attention, interpolate } from '../../src-main/engine/analysis/analyses.js';
import { pca, project } from '../../src-main/engine/analysis/projection.js';
import { Rng } from '../../src-main/engine/task/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-bench-analysis-'));
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
};
const results: [string, string, string][] = [];

try {
  // Two checkpoints of the paper's model (different initialisations) and the task's default data.
  writeFileSync(join(dir, 'a.onnx'), exportModel(PAPER_MODEL, initParams(PAPER_MODEL, 20), { task: { T: 12, k: 5, p: 4 }, step: 0 }));
  writeFileSync(join(dir, 'b.onnx'), exportModel(PAPER_MODEL, initParams(PAPER_MODEL, 21), { task: { T: 12, k: 5, p: 4 }, step: 0 }));
  const a = await openSource(join(dir, 'a.onnx'));
  const b = await openSource(join(dir, 'b.onnx'));
  await interpolate(a, b, { points: 3 }); // warm-up
  const [, interp] = await time(() => interpolate(a, b, { points: 101 }));
  results.push(['interpolation, 101 points × (2,048 + 128) sequences', `${(interp / 1000).toFixed(3)} s`, 'under 1 s']);

  const seq = a.data.test.tokens.slice(0, 12);
  for (let i = 0; i < 20; i++) await attention(a, seq);
  const times: number[] = [];
  for (let i = 0; i < 500; i++) times.push((await time(() => attention(a, seq)))[1]);
  times.sort((x, y) => x - y);
  results.push(['attention of one sequence at one snapshot (median of 500)', `${times[250].toFixed(3)} ms`, 'under 2 ms']);

  // Two random-walk trajectories of 1,000 snapshots each, the shape of two training runs.
  const n = 2000;
  const P = 9920;
  const rng = new Rng(3);
  const data = new Float32Array(n * P);
  for (let r = 0; r < 2; r++) {
    const start = r * 1000;
    for (let j = 0; j < P; j++) data[start * P + j] = rng.normal();
    for (let i = 1; i < 1000; i++) for (let j = 0; j < P; j++) data[(start + i) * P + j] = data[(start + i - 1) * P + j] + 0.01 * rng.normal() + (r ? 0.002 : -0.002);
  }
  await pca({ data: data.subarray(0, 50 * P), n: 50, width: P }, 2); // warm-up of the MatMul session
  const [pc, pcaMs] = await time(() => pca({ data, n, width: P }, 2));
  results.push([`PCA, 2 × 1,000 snapshots × 9,920 parameters (explained ${(pc.explained[0] * 100).toFixed(1)}%, ${(pc.explained[1] * 100).toFixed(1)}%)`, `${(pcaMs / 1000).toFixed(3)} s`, 'under 2 s']);
  const [, tsneMs] = await time(() => project({ data, n, width: P }, { method: 'tsne' }));
  results.push(['t-SNE of 2,000 snapshots (PCA-50, 1,000 iterations)', `${(tsneMs / 1000).toFixed(2)} s`, 'under 10 s']);
  const [, umapMs] = await time(() => project({ data, n, width: P }, { method: 'umap' }));
  results.push(['UMAP of 2,000 snapshots (PCA-50)', `${(umapMs / 1000).toFixed(2)} s`, '—']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write('analysis                                                           time        goal\n');
for (const [what, t, goal] of results) process.stdout.write(`${what.padEnd(67)}${t.padStart(10)}  ${goal}\n`);
