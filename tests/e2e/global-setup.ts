/**
 * Makes real runs with the CLI (a small scratch and curriculum pair of the paper's model, with
 * snapshots every few steps) in a fresh workspace, then starts `circuit-workbench serve` on it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/circuit-workbench.js', import.meta.url));
export const STATE_FILE = join(tmpdir(), 'circuit-workbench-e2e.json');

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`circuit-workbench ${args.join(' ')} failed: ${r.stderr}`);
}

export default async function globalSetup(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'cw-e2e-'));
  const small = ['--T', '8', '--k', '3', '--d', '16', '--h', '64', '--n-train', '256', '--n-test', '64', '--n-heldout', '64', '--set', 'snapshots.denseUntil=20', '--set', 'snapshots.every=10'];
  cli(['train', '--preset', 'fig5-scratch', '--seed', '1', ...small, '--lr', '0.01', '--set', 'phases.0.steps=200', '--out', join(workspace, 'scratch-s1'), '--json']);
  cli(['train', '--preset', 'fig5-curriculum', '--seed', '1', ...small, '--lr', '0.01', '--set', 'phases.0.steps=100', '--set', 'phases.1.steps=100', '--out', join(workspace, 'curriculum-s1'), '--json']);
  // a small sweep (2 schedules × 2 seeds, cut at 40 steps) for the Sweeps view
  const tiny = ['task.T=6', 'task.k=3', 'task.nTrain=64', 'task.nTest=32', 'task.nHeldout=16', 'model.T=6', 'model.d=8', 'model.h=16', 'snapshots.every=10'].flatMap((s) => ['--set', s]);
  cli(['sweep', '--preset', 'fig5-scratch', '--preset', 'fig5-curriculum', '--seeds', '0-1', ...tiny, '--max-steps', '40', '--jobs', '2', '--out', join(workspace, 'sweep-small'), '--json']);
  const token = 'e2e-token-' + randomBytes(12).toString('hex');
  const server = spawn(process.execPath, [CLI, 'serve', workspace, '--port', '0', '--token', token, '--no-demo'], { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    server.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.stderr.on('data', (d: Buffer) => (out += d.toString()));
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  writeFileSync(STATE_FILE, JSON.stringify({ workspace, url, token, pid: server.pid }));
  server.unref();
}
