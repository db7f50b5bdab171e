/**
 * What a user waits for: `analyze project` of real runs from a cold CLI, the same projections
 * in-process after warm-up (what the API's job worker does), how long cancel takes, and
 * scikit-learn's PCA and t-SNE on the same matrix. Runs: CW_BENCH_RUNS=dirA:dirB (two 10,000-step
 * fig5 runs, e.g. `circuit-workbench train --preset fig5-scratch --seed 0 --out …`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource } from '../../src-main/engine/analysis/source.js';
import { projectTrajectories } from '../../src-main/engine/analysis/analyses.js';
import { project, type ProjectionMethod } from '../../src-main/engine/analysis/projection.js';
import { writeNpy } from '../../src-main/engine/io/npy.js';

const runs = (process.env['CW_BENCH_RUNS'] ?? '').split(':').filter(Boolean);
if (runs.length === 0) {
  console.log('end-to-end projections: set CW_BENCH_RUNS=dirA:dirB (run folders) to measure them');
  process.exit(0);
}
const METHODS: ProjectionMethod[] = ['pca', 'tsne', 'umap'];
const cli = fileURLToPath(new URL('../../bin/circuit-workbench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-e2e-'));
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(`runs: ${runs.join(', ')}`);
// CLI start alone: the bundle bin/ runs while it is newer than src-main/, and the sources through tsx
for (const [what, env] of [['bundle', {}], ['tsx   ', { CIRCUIT_WORKBENCH_FROM_SOURCE: '1' }]] as const) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, cli, '--help'], { encoding: 'utf8', env: { ...process.env, ...env } });
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  console.log(`cold CLI  --help (${what})              : ${wall.toFixed(2)} s wall, ${(user + sys).toFixed(2)} s CPU`);
}
for (const method of METHODS) {
  // wall and CPU (user + system) of a fresh process, as a user starts it
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, cli, 'analyze', 'project', ...runs, '--method', method, '--out', join(dir, `${method}.csv`)], { encoding: 'utf8' });
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  console.log(`cold CLI  analyze project --method ${method.padEnd(4)}: ${wall.toFixed(2)} s wall, ${(user + sys).toFixed(2)} s CPU${r.status === 0 ? '' : ` (exit ${r.status}: ${r.stderr.trim().split('\n')[0]})`}`);
}

const sources = [];
for (const p of runs) sources.push(await openSource(p));
await projectTrajectories(sources, { method: 'pca' }); // warm-up: module loads, onnxruntime's MatMul session
for (const method of METHODS) {
  const t = performance.now();
  await projectTrajectories(sources, { method });
  console.log(`warm API  ${method.padEnd(4)}: ${s(performance.now() - t)}`);
}

// the app's second visit: the api's projection cache answers the same request at once
{
  const { createHandlers, dispatch } = await import('../../src-main/api/handlers.js');
  const { PathPolicy, SourceRegistry } = await import('../../src-main/api/sources.js');
  const { JobManager } = await import('../../src-main/jobs/manager.js');
  const { inProcessLauncher } = await import('../../src-main/jobs/in-process.js');
  const jobs = new JobManager(inProcessLauncher(() => Promise.reject(new Error('no training here'))));
  const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy(runs.map((r) => join(r, '..')))), jobs, workspaces: [] });
  const ids: string[] = [];
  for (const p of runs) ids.push(((await dispatch(handlers, 'source.open', { path: p })) as { id: string }).id);
  for (const visit of ['first', 'second']) {
    const t = performance.now();
    const done = new Promise<void>((resolve) => {
      const off = jobs.onEvent((e) => {
        if (e.type === 'done' || e.type === 'failed') {
          off();
          resolve();
        }
      });
    });
    await dispatch(handlers, 'analysis.project', { ids, method: 'tsne' });
    await done;
    console.log(`app API   tsne, ${visit} visit      : ${s(performance.now() - t)}`);
  }
}

// cancel latency: abort at a progress report one second in, time until the promise settles
const first = sources[0];
const input = { data: first.trajectory!.data, n: first.steps.length, width: first.checkpoint.total };
for (const method of METHODS) {
  const controller = new AbortController();
  const start = performance.now();
  let abortedAt = 0;
  const pending = project(input, {
    method,
    signal: controller.signal,
    onProgress: () => {
      if (!abortedAt && performance.now() - start > (method === 'pca' ? 50 : 1000)) {
        abortedAt = performance.now();
        controller.abort();
      }
    },
  });
  await pending.catch(() => undefined);
  console.log(`cancel    ${method.padEnd(4)}: ${abortedAt ? `${(performance.now() - abortedAt).toFixed(0)} ms after abort` : 'finished before the abort'}`);
}

// scikit-learn on the same matrix (all snapshots of the runs, concatenated)
const n = sources.reduce((a, src) => a + src.steps.length, 0);
const width = first.checkpoint.total;
const matrix = new Float32Array(n * width);
let row = 0;
for (const src of sources) {
  matrix.set(src.trajectory!.data.subarray(0, src.steps.length * width), row * width);
  row += src.steps.length;
}
const file = join(dir, 'matrix.npy');
writeNpy(file, matrix, [n, width]);
const py = `
import time, numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
x = np.load('${file}')
t = time.perf_counter(); PCA(n_components=2).fit_transform(x); print(f'sklearn   PCA(2)        : {time.perf_counter() - t:.2f} s')
t = time.perf_counter(); p50 = PCA(n_components=50).fit_transform(x); TSNE(init='pca', random_state=0).fit_transform(p50)
print(f'sklearn   PCA-50 + TSNE : {time.perf_counter() - t:.2f} s')
`;
const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } });
process.stdout.write(r.status === 0 ? r.stdout : `scikit-learn did not run: ${r.stderr.trim().split('\n').pop()}\n`);
console.log(`matrix: ${n} snapshots × ${width} parameters`);
rmSync(dir, { recursive: true, force: true });
