/**
 * Milliseconds per training step through the real trainer (forward, backward, Adam, test-set
 * evaluation, logging and snapshots), on each training backend, against the same model in
 * PyTorch (tests/bench/torch_step.py: Debian's python3-torch, one thread, OpenBLAS when
 * libopenblas0-pthread is installed), for three configurations:
 *
 *   fig5  full batch of 2,048, T = 12, d = 32, h = 128 (the paper's Fig. 5 runs)
 *   fig2  minibatches of 32, T = 8, d = 32, h = 128 (per-step overhead dominates)
 *   fig4  full batch of 2,048, T = 12, d = 2, h = 32
 *
 * Every implementation runs in its own process, one after the other, `--rounds` times in turn;
 * each figure is the best round (the machine is shared, so slower rounds measure the neighbours).
 * Printed per implementation: wall ms/step, CPU ms/step (the process's user + system time, which
 * other processes on the machine disturb far less), the ratio of each to PyTorch's, and the
 * process's peak resident memory.
 *
 *   npm run bench:train [-- --configs fig5,fig2 --backends onnxruntime,wasm,cpu --rounds 3 --steps 300]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { availableBackends, type BackendName } from '../../src-main/engine/backend.js';
import { presetConfig, type TrainConfig } from '../../src-main/engine/train/config.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    configs: { type: 'string', default: 'fig5,fig2,fig4' },
    backends: { type: 'string' },
    child: { type: 'string' },
    config: { type: 'string' },
  },
});

interface BenchConfig {
  preset: string;
  describe: string;
  /** timed steps per 300 requested (minibatch steps are ~20× shorter) */
  stepsScale: number;
  torchArgs: string[];
}

const CONFIGS: Record<string, BenchConfig> = {
  fig5: { preset: 'fig5-scratch', describe: 'fig5: full batch 2,048, T = 12, d = 32, h = 128 (9,920 parameters)', stepsScale: 1, torchArgs: ['--batch', '2048', '--T', '12', '--d', '32', '--h', '128'] },
  fig2: { preset: 'fig2', describe: 'fig2: minibatches of 32, T = 8, d = 32, h = 128', stepsScale: 10, torchArgs: ['--batch', '32', '--T', '8', '--d', '32', '--h', '128'] },
  fig4: { preset: 'fig4', describe: 'fig4: full batch 2,048, T = 12, d = 2, h = 32', stepsScale: 1, torchArgs: ['--batch', '2048', '--T', '12', '--d', '2', '--h', '32'] },
};

interface Measurement {
  msPerStep: number;
  cpuMsPerStep: number;
  maxRssMB: number;
}

/** Past the first 100 steps, where every step is a snapshot: the timed steps are a long run's steady state. */
const WARMUP = 100;

async function measure(backend: BackendName, bench: BenchConfig, steps: number): Promise<Measurement> {
  const { train } = await import('../../src-main/engine/train/trainer.js');
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-'));
  const c: TrainConfig = presetConfig(bench.preset);
  const marks: { step: number; t: number; cpu: number }[] = [];
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  try {
    await train({ runDir: join(dir, 'run'), config: c, backend, maxSteps: WARMUP + steps, reportEvery: 10, onProgress: (p) => marks.push({ step: p.step, t: performance.now(), cpu: cpuMs() }) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const from = marks.find((m) => m.step >= WARMUP)!;
  const to = marks[marks.length - 1];
  const n = to.step - from.step;
  return { msPerStep: (to.t - from.t) / n, cpuMsPerStep: (to.cpu - from.cpu) / n, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

if (values.child) {
  const bench = CONFIGS[values.config!];
  process.stdout.write(JSON.stringify(await measure(values.child as BackendName, bench, Number(values.steps))) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const torchScript = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  // one thread for real: torch.set_num_threads(1) does not bind OpenBLAS's own pool
  const oneThread = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const backends = values.backends ? (values.backends.split(',') as BackendName[]) : (await availableBackends()).filter((b) => b !== 'cpu');
  const rounds = Number(values.rounds);
  let blasNoted = false;

  const runOurs = (backend: BackendName, name: string, steps: number): Measurement | null => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', backend, '--config', name, '--steps', String(steps)], { encoding: 'utf8' });
    try {
      return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Measurement;
    } catch {
      process.stderr.write(`the ${backend} backend failed on ${name}: ${r.stderr.trim().split('\n').pop()}\n`);
      return null;
    }
  };
  const runTorch = (bench: BenchConfig, steps: number): Measurement | null => {
    const t = spawnSync('/usr/bin/python3', [torchScript, ...bench.torchArgs, '--steps', String(Math.min(steps, 2000)), '--warmup', '20', '--threads', '1'], { encoding: 'utf8', env: oneThread });
    try {
      const r = JSON.parse(t.stdout.trim().split('\n').pop() ?? '') as { mean_ms: number; cpu_ms_per_step: number; max_rss_mb: number; blas: string; torch: string };
      if (!blasNoted) process.stdout.write(`PyTorch ${r.torch}, BLAS: ${r.blas}\n`);
      blasNoted = true;
      return { msPerStep: r.mean_ms, cpuMsPerStep: r.cpu_ms_per_step, maxRssMB: r.max_rss_mb };
    } catch {
      process.stderr.write(`PyTorch benchmark failed (apt-get install python3-torch): ${t.stderr.trim().split('\n').pop()}\n`);
      return null;
    }
  };
  const best = (a: Measurement | undefined, b: Measurement | null): Measurement | undefined =>
    !b ? a : !a ? b : { msPerStep: Math.min(a.msPerStep, b.msPerStep), cpuMsPerStep: Math.min(a.cpuMsPerStep, b.cpuMsPerStep), maxRssMB: Math.max(a.maxRssMB, b.maxRssMB) };

  for (const name of values.configs!.split(',')) {
    const bench = CONFIGS[name];
    if (!bench) throw new Error(`unknown configuration '${name}'; choose from ${Object.keys(CONFIGS).join(', ')}`);
    const steps = Number(values.steps) * bench.stepsScale;
    const results = new Map<string, Measurement>();
    for (let round = 0; round < rounds; round++) {
      for (const backend of backends) {
        const key = backend === 'onnxruntime' ? 'onnxruntime (one graph)' : `tfjs ${backend}`;
        results.set(key, best(results.get(key), runOurs(backend, name, backend === 'cpu' ? Math.min(steps, 20) : steps))!);
      }
      results.set('pytorch (1 thread)', best(results.get('pytorch (1 thread)'), runTorch(bench, steps))!);
    }
    const torch = results.get('pytorch (1 thread)');
    process.stdout.write(`\n${bench.describe}; ${steps} timed steps after ${WARMUP}, best of ${rounds} rounds\n`);
    process.stdout.write('implementation            wall ms/step  ratio   CPU ms/step  ratio   peak RSS MB\n');
    for (const [key, m] of results) {
      if (!m) continue;
      const ratio = (x: number, y: number | undefined): string => (y ? (x / y).toFixed(2) : '—').padStart(7);
      process.stdout.write(`${key.padEnd(24)}${m.msPerStep.toFixed(2).padStart(13)}${ratio(m.msPerStep, torch?.msPerStep)}${m.cpuMsPerStep.toFixed(2).padStart(13)}${ratio(m.cpuMsPerStep, torch?.cpuMsPerStep)}${m.maxRssMB.toFixed(0).padStart(14)}\n`);
    }
  }
}
