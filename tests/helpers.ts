import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

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
