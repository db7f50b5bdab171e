/**
 * Training workers end with the server that started them: `serve` as a real process, a run
 * started through its HTTP API, then the server killed (SIGKILL) or stopped (SIGINT). The worker
 * must be gone within seconds and its run must say why it stopped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tempDir } from '../helpers.js';
import { readManifest } from '../../src-main/engine/runs/runFolder.js';

const root = tempDir('cw-workers-');
const renderer = join(root, 'renderer');
mkdirSync(renderer);
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>stub</title>');
const TOKEN = 'worker-lifetime-test-token';
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
});

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process that has ended (gone, or a zombie nobody has reaped yet). */
function ended(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The job workers a process has forked (its other children, such as tsx's esbuild service, are not). */
function workersOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('node-worker')) out.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** Starts `serve` and a long tiny training run through its API; returns the server, its URL base and the run folder. */
async function serveAndTrain(name: string): Promise<{ server: ChildProcess; runDir: string; worker: number }> {
  const workspace = join(root, name);
  mkdirSync(workspace);
  const server = spawn(process.execPath, [CLI, 'serve', workspace, '--token', TOKEN, '--no-demo'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CIRCUIT_WORKBENCH_RENDERER: renderer } });
  servers.push(server);
  let stdout = '';
  server.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const base = await waitFor('the server to print its URL', () => /open (http:\/\/[^/]+)\//.exec(stdout)?.[1], 90_000);
  const res = await fetch(`${base}/api/train.start`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ preset: 'fig5-scratch', overrides: { 'task.T': 6, 'task.k': 3, 'task.nTrain': 64, 'task.nTest': 32, 'model.d': 8, 'model.h': 16 }, name: 'long-run' }),
  });
  expect(res.status).toBe(200);
  const runDir = join(workspace, 'long-run');
  // training has started once the run folder has its first progress in metrics.csv
  await waitFor('the worker to start training', () => existsSync(join(runDir, 'run.json')) && readFileSync(join(runDir, 'metrics.csv'), 'utf8').split('\n').length > 3, 90_000);
  const workers = workersOf(server.pid!);
  expect(workers).toHaveLength(1);
  return { server, runDir, worker: workers[0] };
}

describe('training workers end with the server that started them', () => {
  it('a SIGKILLed server leaves no worker behind, and the run says why it stopped', async () => {
    const { server, runDir, worker } = await serveAndTrain('killed');
    server.kill('SIGKILL');
    const t0 = Date.now();
    await waitFor('the orphaned worker to end', () => ended(worker), 15_000);
    console.log(`worker ended ${Date.now() - t0} ms after its server was killed`);
    const m = readManifest(runDir);
    expect(m.status).toBe('cancelled');
    expect(m.message).toMatch(/^cancelled at step \d+ of 10000: its parent process \(the server, app or experiment that started it\) ended$/);
    expect(m.stepsDone).toBeGreaterThan(0);
  }, 240_000);

  it('a server stopped with Ctrl-C cancels its workers first, and the run says so', async () => {
    const { server, runDir, worker } = await serveAndTrain('stopped');
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    server.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(ended(worker)).toBe(true);
    const m = readManifest(runDir);
    expect(m.status).toBe('cancelled');
    expect(m.message).toMatch(/^cancelled at step \d+ of 10000: the server that started it was stopped$/);
  }, 240_000);
});
