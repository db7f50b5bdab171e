/**
 * Makes real runs with the CLI (a small scratch and curriculum pair of the paper's model, with
 * snapshots every few steps) in a fresh workspace, then starts `circuit-workbench serve` on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOrThrow, startServe } from '../processes.js';

export const STATE_FILE = join(tmpdir(), 'circuit-workbench-e2e.json');

export default async function globalSetup(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'cw-e2e-'));
  const small = ['--T', '8', '--k', '3', '--d', '16', '--h', '64', '--n-train', '256', '--n-test', '64', '--n-heldout', '64', '--set', 'snapshots.denseUntil=20', '--set', 'snapshots.every=10'];
  cliOrThrow(['train', '--preset', 'fig5-scratch', '--seed', '1', ...small, '--lr', '0.01', '--set', 'phases.0.steps=200', '--out', join(workspace, 'scratch-s1'), '--json']);
  cliOrThrow(['train', '--preset', 'fig5-curriculum', '--seed', '1', ...small, '--lr', '0.01', '--set', 'phases.0.steps=100', '--set', 'phases.1.steps=100', '--out', join(workspace, 'curriculum-s1'), '--json']);
  // a small sweep (2 schedules × 2 seeds, cut at 40 steps) for the Sweeps view
  const tiny = ['task.T=6', 'task.k=3', 'task.nTrain=64', 'task.nTest=32', 'task.nHeldout=16', 'model.T=6', 'model.d=8', 'model.h=16', 'snapshots.every=10'].flatMap((s) => ['--set', s]);
  cliOrThrow(['sweep', '--preset', 'fig5-scratch', '--preset', 'fig5-curriculum', '--seeds', '0-1', ...tiny, '--max-steps', '40', '--jobs', '2', '--out', join(workspace, 'sweep-small'), '--json']);
  const token = 'e2e-token-' + randomBytes(12).toString('hex');
  const { server, url } = await startServe([workspace, '--port', '0', '--token', token, '--no-demo']);
  writeFileSync(STATE_FILE, JSON.stringify({ workspace, url, token, pid: server.pid }));
  server.unref();
}
