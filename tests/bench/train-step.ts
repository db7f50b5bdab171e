/**
 * Milliseconds per training step of the fig5 configuration (full batch of 2048, T = 12, d = 32),
 * on every available TensorFlow.js backend, through the real trainer (forward, backward, Adam,
 * test-set evaluation, logging and snapshots), against the same model in PyTorch
 * (tests/bench/torch_step.py, Debian's python3-torch, one thread).
 *
 *   npm run bench:train [-- --steps 300]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { availableBackends, type BackendName } from '../../src-main/engine/backend.js';
import { presetConfig } from '../../src-main/engine/train/config.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '300' }, warmup: { type: 'string', default: '50' }, backend: { type: 'string' } } });
const steps = Number(values.steps);
const warmup = Number(values.warmup);

/** Each backend in a fresh process: tfjs keeps one backend per process. */
async function measure(backend: BackendName): Promise<number> {
  const { train } = await import('../../src-main/engine/train/trainer.js');
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-'));
  const n = backend === 'cpu' ? Math.min(steps, 40) : steps;
  const w = backend === 'cpu' ? 10 : warmup;
  const marks: { step: number; t: number }[] = [];
  try {
    await train({
      runDir: join(dir, 'run'),
      config: presetConfig('fig5-scratch'),
      backend,
      maxSteps: w + n,
      reportEvery: 10,
      onProgress: (p) => marks.push({ step: p.step, t: performance.now() }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const from = marks.find((m) => m.step >= w)!;
  const to = marks[marks.length - 1];
  return (to.t - from.t) / (to.step - from.step);
}

if (values.backend) {
  process.stdout.write(JSON.stringify({ backend: values.backend, msPerStep: await measure(values.backend as BackendName) }) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const rows: [string, number][] = [];
  for (const backend of await availableBackends()) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--backend', backend, '--steps', String(steps), '--warmup', String(warmup)], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      rows.push([`tfjs ${backend}`, (JSON.parse(line) as { msPerStep: number }).msPerStep]);
    } catch {
      process.stderr.write(`the ${backend} backend failed: ${r.stderr.trim().split('\n').pop()}\n`);
    }
  }
  const torchScript = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  // one thread for real: torch.set_num_threads(1) does not bind OpenBLAS's own pool
  const oneThread = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const t = spawnSync('/usr/bin/python3', [torchScript, '--steps', String(Math.min(steps, 200)), '--warmup', '20', '--threads', '1'], { encoding: 'utf8', env: oneThread });
  let torchMs = NaN;
  try {
    const r = JSON.parse(t.stdout.trim().split('\n').pop() ?? '') as { ms_per_step: number; blas: string; torch: string };
    torchMs = r.ms_per_step;
    rows.push(['pytorch (1 thread)', torchMs]);
    process.stdout.write(`PyTorch ${r.torch}, BLAS: ${r.blas}\n`);
  } catch {
    process.stderr.write(`PyTorch benchmark failed (apt-get install python3-torch): ${t.stderr.trim().split('\n').pop()}\n`);
  }
  process.stdout.write(`fig5 configuration: full batch 2048, T = 12, d = 32, 9,920 parameters; ${steps} timed steps after ${warmup} warm-up\n\n`);
  process.stdout.write('implementation        ms/step   ratio to PyTorch\n');
  for (const [name, ms] of rows) process.stdout.write(`${name.padEnd(20)}${ms.toFixed(2).padStart(9)}${(ms / torchMs).toFixed(2).padStart(13)}\n`);
}
