import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { presetConfig, type TrainConfig } from '../src-main/engine/train/config.js';
import type { TaskConfig } from '../src-main/engine/task/data.js';

/** A fresh temporary folder, removed after the file's tests. */
export function tempDir(prefix = 'cw-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const CLI = fileURLToPath(new URL('../bin/circuit-workbench.js', import.meta.url));

/** Runs the real CLI in a child process. */
export function cli(args: string[], opts: { timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Debian's Python, which has numpy (and torch, onnx) from apt; the pyenv python3 does not. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/**
 * The paper's model shrunk to train in a second (T = 6, k = 3, d = 8, h = 16; 64 training, 32
 * test and 16 held-out sequences): `steps` in each phase of the preset, the task and snapshots
 * changed where given.
 */
export function tinyConfig(preset: 'fig5-scratch' | 'fig5-curriculum', o: { steps?: number; task?: Partial<TaskConfig>; snapshots?: TrainConfig['snapshots'] } = {}): TrainConfig {
  const c = presetConfig(preset);
  c.task = { T: 6, k: 3, nTrain: 64, nTest: 32, nHeldout: 16, ...o.task };
  c.model = { ...c.model, T: 6, d: 8, h: 16 };
  for (const phase of c.phases) phase.steps = o.steps ?? 20;
  if (o.snapshots) c.snapshots = o.snapshots;
  return c;
}

/** What a `serve` test starts from, under `root`: a workspace, a folder outside it, and a one-page built renderer. */
export function serveFolders(root: string): { workspace: string; outside: string; renderer: string } {
  const folders = { workspace: join(root, 'workspace'), outside: join(root, 'outside'), renderer: join(root, 'renderer') };
  for (const dir of Object.values(folders)) mkdirSync(dir);
  writeFileSync(join(folders.renderer, 'index.html'), '<!doctype html><title>Circuit Workbench</title>');
  return folders;
}
