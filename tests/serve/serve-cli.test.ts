/**
 * `circuit-workbench serve` as a user types it: with no folder it serves the bundled demo runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startServe } from '../processes.js';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cli, tempDir } from '../helpers.js';

const renderer = tempDir();
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Circuit Workbench</title>');
let child: ChildProcess | null = null;
afterAll(() => void child?.kill('SIGTERM'));

/** Starts the real `serve` (with a stand-in UI build) and resolves with the URL it prints. */
async function start(args: string[]): Promise<{ url: string; out: string }> {
  const started = await startServe(args, { env: { ...process.env, CIRCUIT_WORKBENCH_RENDERER: renderer } });
  child = started.server;
  return started;
}

describe('circuit-workbench serve', () => {
  it('with no folder, serves the bundled demo runs', async () => {
    const { url, out } = await start(['--port', '0']);
    expect(out).toMatch(/serving the bundled demo runs/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const token = new URL(url).searchParams.get('token')!;
    const res = await fetch(new URL('/api/workspace.list', url), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{}' });
    expect(res.status).toBe(200);
    const list = (await res.json()) as { demo: string[]; workspaces: string[] };
    expect(list.workspaces).toEqual([]);
    expect(list.demo.map((p) => basename(p)).sort()).toEqual(['curriculum-s4', 'fig4-s9', 'scratch-s4']);
  });

  it('with no folder and --no-demo, says there is nothing to serve', () => {
    const r = cli(['serve', '--no-demo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: nothing to serve: give a folder of runs/);
  });
});
