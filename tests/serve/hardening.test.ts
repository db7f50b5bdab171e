/**
 * The HTTP server against a hostile client (issue 8): short tokens, the token in the address, a
 * foreign Host header, symlinks out of the workspace, file content in error messages, oversized
 * bodies, bad escapes, prototype keys, a burst of jobs, a flood of event streams, and requests
 * that used to take the process down. Every case runs against a real server on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { cpSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type RunningServer } from '../../src-main/serve/server.js';
import { train } from '../../src-main/engine/train/trainer.js';
import { cli, serveFolders, tempDir, tinyConfig } from '../helpers.js';

const TOKEN = 'hardening-token-0123456789';
const root = tempDir();
const { workspace, outside, renderer } = serveFolders(root);
let server: RunningServer;
let port: number;
let base: string;

const tiny = () => tinyConfig('fig5-scratch', { steps: 10, snapshots: { denseUntil: 10, every: 5 } });

/** A raw HTTP request (fetch cannot set Host or send a malformed path). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer, at = port): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: at, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function call(channel: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }, at = base) {
  const res = await fetch(`${at}/api/${channel}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } };
}

const baseOf = (s: RunningServer) => s.url.replace(/\/\?token=.*$/, '');

beforeAll(async () => {
  writeFileSync(join(outside, 'secret.csv'), 'TOPSECRET,password=hunter2\n1,2\n');
  await train({ runDir: join(workspace, 'tiny'), config: tiny(), backend: 'wasm' });
  await train({ runDir: join(outside, 'private'), config: tiny(), backend: 'wasm' });
  // a run whose metrics.csv is a link to a file outside the workspace
  cpSync(join(workspace, 'tiny'), join(workspace, 'linked'), { recursive: true });
  rmSync(join(workspace, 'linked', 'metrics.csv'));
  symlinkSync(join(outside, 'secret.csv'), join(workspace, 'linked', 'metrics.csv'));
  // a run whose own metrics.csv holds a secret where the header should be
  cpSync(join(workspace, 'tiny'), join(workspace, 'lying'), { recursive: true });
  writeFileSync(join(workspace, 'lying', 'metrics.csv'), 'TOPSECRET,password=hunter2\n1,2\n');
  // a folder link out of the workspace
  symlinkSync(outside, join(workspace, 'elsewhere'));
  server = await serve({ workspaces: [workspace], rendererDir: renderer, token: TOKEN, maxJobs: 1, maxStreams: 3 });
  base = baseOf(server);
  port = Number(new URL(base).port);
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('the token', () => {
  it('refuses tokens shorter than 16 characters, the empty one included', async () => {
    for (const token of ['', 'short', '123456789012345']) {
      await expect(serve({ workspaces: [workspace], rendererDir: renderer, token })).rejects.toThrow(/the token must be at least 16 characters long/);
    }
    await expect(serve({ workspaces: [workspace], rendererDir: renderer, token: 'sixteen chars;x=y' })).rejects.toThrow(/letters, digits/);
  });

  it('refuses CIRCUIT_WORKBENCH_TOKEN="" and --token "" on the command line with one sentence', () => {
    const r = cli(['serve', workspace, '--token', '']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the token must be at least 16 characters long \(it has 0\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('takes the token in the address only to load the page, then swaps it for an HttpOnly cookie', async () => {
    const page = await raw('GET', `/?token=${TOKEN}&view=curves`, { Host: `127.0.0.1:${port}` });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/?view=curves');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^circuit-workbench-${port}=${TOKEN};`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await raw('GET', '/?token=wrong-token-wrong-token', { Host: `127.0.0.1:${port}` })).status).toBe(401);

    const jar = cookie.split(';')[0];
    const withCookie = await call('workspace.list', {}, { Cookie: jar, Origin: base });
    expect(withCookie.status).toBe(200);
    expect((await call('workspace.list', {}, { Cookie: `circuit-workbench-${port}=nope` })).status).toBe(401);
    // a page elsewhere cannot post with the cookie
    const foreign = await call('workspace.list', {}, { Cookie: jar, Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
  });

  it('refuses the token in the query string of an API call (the event stream excepted)', async () => {
    const r = await fetch(`${base}/api/workspace.list?token=${TOKEN}`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toMatch(/Authorization: Bearer header, not in the address/);
    const stream = await fetch(`${base}/api/events?token=${TOKEN}`);
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
  });
});

describe('the Host header', () => {
  it('answers 403 unless Host names the address and port the server listens on', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await raw('POST', '/api/workspace.list', { ...auth, Host: host }, '{}')).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `rebind.127.0.0.1.nip.io:${port}`]) {
      const r = await raw('POST', '/api/workspace.list', { ...auth, Host: host }, '{}');
      expect(r.status, host).toBe(403);
      expect(r.text).toMatch(/answers only to its own address/);
    }
    expect((await raw('GET', '/', { Host: `evil.example:${port}` })).status).toBe(403);
  });
});

describe('files', () => {
  it('never follows a symlink out of the workspace, and never echoes a file in an error', async () => {
    const r = await call('source.open', { path: join(workspace, 'linked') });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/holds a link \(metrics\.csv\) to a file outside the workspace folders/);
    expect(JSON.stringify(r.body)).not.toMatch(/TOPSECRET|hunter2/);

    const lying = await call('source.open', { path: join(workspace, 'lying') });
    expect(lying.status).toBe(200);
    const m = await call('source.metrics', { id: lying.body.id });
    expect(m.status).toBe(400);
    expect(m.body.error).toMatch(/metrics\.csv has no 'step' column/);
    expect(JSON.stringify(m.body)).not.toMatch(/TOPSECRET|hunter2/);

    // a link made after the run was opened is refused on the next read
    const open = await call('source.open', { path: join(workspace, 'tiny') });
    expect(open.status).toBe(200);
    const metrics = join(workspace, 'tiny', 'metrics.csv');
    cpSync(metrics, join(root, 'metrics.backup'));
    rmSync(metrics);
    symlinkSync(join(outside, 'secret.csv'), metrics);
    try {
      const after = await call('source.metrics', { id: open.body.id });
      expect(after.status).toBe(403);
      expect(JSON.stringify(after.body)).not.toMatch(/TOPSECRET|hunter2/);
    } finally {
      rmSync(metrics);
      cpSync(join(root, 'metrics.backup'), metrics);
    }
  });

  it('lists no folder that a link takes out of the workspace', async () => {
    const list = await call('workspace.list', {});
    const paths = (list.body.available as { path: string }[]).map((a) => a.path);
    expect(paths).toContain(join(workspace, 'tiny'));
    expect(paths.some((p) => p.includes('elsewhere') || p.includes('private'))).toBe(false);
    expect((await call('source.open', { path: join(workspace, 'elsewhere', 'private') })).status).toBe(403);
  });
});

describe('malformed requests', () => {
  it('answers 413 to a body over 1 MB, without resetting the connection', async () => {
    const big = JSON.stringify({ path: 'x'.repeat(2 << 20) });
    const r = await fetch(`${base}/api/source.open`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: big });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toMatch(/larger than 1 MB/);
  });

  it('answers 400 to a bad % escape', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/assets/%zz.js']) {
      const r = await raw('GET', path, { Host: `127.0.0.1:${port}` });
      expect(r.status, path).toBe(400);
      expect(r.text).toMatch(/malformed % escape/);
    }
  });

  it('answers 400 to names that are properties of every object', async () => {
    for (const preset of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const r = await call('train.start', { preset });
      expect(r.status, preset).toBe(400);
      expect(r.body.error).toMatch(new RegExp(`unknown preset '${preset}'`));
    }
    for (const key of ['toString', 'constructor.name', '__proto__.polluted', 'model.hasOwnProperty']) {
      const r = await call('train.start', { preset: 'fig5-scratch', overrides: { [key]: 1 } });
      expect(r.status, key).toBe(400);
      expect(r.body.error).toMatch(/unknown setting/);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses an experiment of ten billion seeds with 400 and stays up', async () => {
    for (const seeds of ['0-10000000000', '0-5000', '99999999999', '5-2']) {
      const r = await call('experiment.start', { experiment: 'fig5', seeds });
      expect(r.status, seeds).toBe(400);
      expect(r.body.error).toMatch(/'seeds'/);
    }
    expect((await call('experiment.start', { experiment: 'fig5', seeds: '0-10000000000' })).body.error).toMatch(/asks for 10000000001 seeds; an experiment runs at most 1000/);
    expect((await call('workspace.list', {})).status).toBe(200);
  });
});

describe('load', () => {
  it('queues jobs past the concurrency limit instead of starting a worker for each', async () => {
    const small = { 'task.T': 6, 'task.k': 3, 'task.nTrain': 64, 'task.nTest': 32, 'model.d': 8, 'model.h': 16, 'phases.0.steps': 100000 };
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await call('train.start', { preset: 'fig5-scratch', overrides: small, name: `burst-${i}` });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      ids.push(r.body.jobId as string);
    }
    const list = (await call('job.list', {})).body as unknown as { jobId: string; state: string; stage: string }[];
    const mine = list.filter((j) => ids.includes(j.jobId));
    expect(mine.filter((j) => j.stage !== 'queued').length).toBe(1);
    expect(mine.filter((j) => j.stage === 'queued').length).toBe(7);
    // a queued job cancels at once
    const cancelled = await call('job.cancel', { jobId: ids[7] });
    expect(cancelled.body).toMatchObject({ state: 'cancelled' });
    for (const id of ids) await call('job.cancel', { jobId: id });
  });

  it('caps the open event streams (429 past the cap)', async () => {
    const controllers: AbortController[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const c = new AbortController();
        controllers.push(c);
        const r = await fetch(`${base}/api/events?token=${TOKEN}`, { signal: c.signal });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      for (const c of controllers) c.abort();
    }
    // closed streams free their places
    await new Promise((r) => setTimeout(r, 200));
    const again = new AbortController();
    expect((await fetch(`${base}/api/events?token=${TOKEN}`, { signal: again.signal })).status).toBe(200);
    again.abort();
  });
});
