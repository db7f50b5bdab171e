/**
 * Regenerates the bundled demo (resources/demo): a scratch and a curriculum run of the paper's
 * model, shortened and with sparse snapshots so that together they stay a few MB, made with the
 * project's own CLI. The seed is one whose scratch run memorises and whose curriculum run
 * generalises, so every view has something to show.
 *
 * And Fig. 4: the `fig4` preset (d = 2) with a seed whose p = 2 phase builds the six clusters of
 * the prefix sum, its full 1,000 epochs on p = 2 and the first 100 epochs of the p = 4 finetune.
 * Its metrics.csv keeps one row per epoch (as the reference logs) and the first 100 steps, not
 * one per step, to stay small. This run takes the longest: about 15 minutes of one core.
 *
 *   npm run demo:build
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { thinMetrics } from './thin-metrics.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'circuit-workbench.js');
const out = join(root, 'resources', 'demo');
const SEED = '4';
const FIG4_SEED = '9';
const sparse = ['--set', 'snapshots.denseUntil=20', '--set', 'snapshots.every=100', '--n-heldout', '512'];

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`circuit-workbench ${args.join(' ')} exited with ${code}`))));
  });
}

function size(dir: string): number {
  return readdirSync(dir).reduce((a, f) => {
    const p = join(dir, f);
    return a + (statSync(p).isDirectory() ? size(p) : statSync(p).size);
  }, 0);
}

rmSync(out, { recursive: true, force: true });
await Promise.all([
  run(['train', '--preset', 'fig5-scratch', '--seed', SEED, '--steps', '4000', ...sparse, '--out', join(out, `scratch-s${SEED}`)]),
  run(['train', '--preset', 'fig5-curriculum', '--seed', SEED, '--set', 'phases.0.steps=2000', '--set', 'phases.1.steps=2000', ...sparse, '--out', join(out, `curriculum-s${SEED}`)]),
  run(['train', '--preset', 'fig4', '--seed', FIG4_SEED, '--set', 'phases.1.steps=6400', '--set', 'snapshots.denseUntil=20', '--set', 'snapshots.every=500', '--out', join(out, `fig4-s${FIG4_SEED}`)]),
]);
thinMetrics(join(out, `fig4-s${FIG4_SEED}`), [64_000, 70_400]);
console.log(`demo written to ${out}: ${(size(out) / 1e6).toFixed(1)} MB`);
