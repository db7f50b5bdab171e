/**
 * The HTTP door: the same handler table as IPC, a token on every call, nothing outside the
 * workspace, progress as server-sent events, long work in worker processes that can be cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type RunningServer } from '../../src-main/serve/server.js';
import { train } from '../../src-main/engine/train/trainer.js';
import { readManifest } from '../../src-main/engine/runs/runFolder.js';
import type { JobEvent } from '../../src-main/api/contract.js';
import { serveFolders, tempDir, tinyConfig } from '../helpers.js';

const root = tempDir();
const { workspace, outside, renderer } = serveFolders(root);
let server: RunningServer;
let base: string;

const tiny = () => tinyConfig('fig5-curriculum', { snapshots: { denseUntil: 10, every: 5 } });

async function call(channel: string, body: unknown, token: string | null = server.token) {
  const res = await fetch(`${base}/api/${channel}`, { method: 'POST', headers: token === null ? {} : { Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } };
}

/** Collects job events from the SSE stream until `until` says stop. */
async function events(until: (e: JobEvent) => boolean, timeoutMs = 120_000): Promise<JobEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(`${base}/api/events?token=${server.token}`, { signal: controller.signal });
  const seen: JobEvent[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (!chunk.startsWith('data: ')) continue;
        const e = JSON.parse(chunk.slice(6)) as JobEvent;
        seen.push(e);
        if (until(e)) return seen;
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return seen;
}

beforeAll(async () => {
  writeFileSync(join(root, 'secret.txt'), 'not for the browser');
  await train({ runDir: join(workspace, 'tiny'), config: tiny(), backend: 'wasm' });
  await train({ runDir: join(outside, 'private'), config: tiny(), backend: 'wasm', maxSteps: 5 });
  server = await serve({ workspaces: [workspace], rendererDir: renderer, token: 'test-token-0123456789' });
  base = server.url.replace(/\/\?token=.*$/, '');
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('circuit-workbench serve', () => {
  it('listens on 127.0.0.1 and prints a URL with its token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token-0123456789$/);
  });

  it('answers 401 to API calls without the token or with a wrong one', async () => {
    expect((await call('workspace.list', {}, null)).status).toBe(401);
    expect((await call('workspace.list', {}, 'wrong-token')).status).toBe(401);
    expect((await fetch(`${base}/api/events?token=nope`)).status).toBe(401);
    const ok = await call('workspace.list', {});
    expect(ok.status).toBe(200);
    expect(ok.body.available).toEqual([{ path: join(workspace, 'tiny'), label: 'tiny', kind: 'run' }]);
  });

  it('refuses paths outside the workspace, and serves no file outside the UI', async () => {
    const r = await call('source.open', { path: join(outside, 'private') });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/is outside the workspace folders this server was started with/);
    const sneaky = await call('source.open', { path: join(workspace, '..', 'outside', 'private') });
    expect(sneaky.status).toBe(403);
    expect((await fetch(`${base}/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/..%2fsecret.txt`)).status).toBe(404);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
  });

  it('rejects invalid payloads with a sentence (400) and unknown calls (404)', async () => {
    const open = await call('source.open', { path: join(workspace, 'tiny') });
    expect(open.status).toBe(200);
    const id = open.body.id as string;
    const cases: [string, unknown, RegExp][] = [
      ['source.open', {}, /'path'/],
      ['source.open', { path: 42 }, /'path'/],
      ['analysis.attention', { id, step: 5 }, /'tokens'/],
      ['analysis.attention', { id, step: -1, tokens: [[0, 1, 2, 3, 0, 1]] }, /'step'/],
      ['analysis.attention', { id, step: 5, tokens: [[0, 1, 2, 3, 0, 9]] }, /token 9 at position 5 is outside the vocabulary/],
      ['analysis.attention', { id, step: 5, tokens: [[0, 1]] }, /every sequence needs T = 6 tokens/],
      ['analysis.attention', { id, step: 11, tokens: [[0, 1, 2, 3, 0, 1]] }, /step 11 is not a snapshot of .*; the nearest are 10 and 15/],
      ['analysis.interpolate', { a: { id }, b: { id }, points: 1, from: 0, to: 1 }, /'points'/],
      ['analysis.embeddings', { id, step: 5, set: 'everything' }, /'set'/],
      ['train.start', { preset: 'fig9' }, /unknown preset 'fig9'/],
      ['train.start', { preset: 'fig5-scratch', overrides: { 'task.k': 50 } }, /k = 50 is larger than the sequence length/],
      ['train.start', { preset: 'fig5-scratch', name: '../escape' }, /'name'/],
      ['source.metrics', { id: 'nope' }, /no open run or checkpoint has the id 'nope'/],
      ['workspace.list', { extra: 1 }, /unrecognized key/i],
    ];
    for (const [channel, body, pattern] of cases) {
      const r = await call(channel, body);
      expect([400, 404], `${channel} ${JSON.stringify(body)} → ${r.status}`).toContain(r.status);
      expect(r.body.error, channel).toMatch(pattern);
    }
    expect((await call('engine.shutdown', {})).status).toBe(404);
  });

  it('answers every analysis through the same handlers', async () => {
    const { body: info } = await call('source.open', { path: join(workspace, 'tiny') });
    const id = info.id as string;
    expect(info).toMatchObject({ kind: 'run', status: 'complete', T: 6, V: 4, d: 8, p: 4, k: 3 });
    const metrics = await call('source.metrics', { id });
    expect((metrics.body.step as number[]).length).toBe(40);
    const seq = (info.sampleSequences as number[][])[0];
    const att = await call('analysis.attention', { id, step: 20, tokens: [seq] });
    expect(att.body).toMatchObject({ step: 20, previousStep: 15 });
    expect((att.body.attention as number[][])[0].reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
    const over = await call('analysis.attentionOverTraining', { id, tokens: [seq], from: 0, to: 20 });
    expect((over.body.steps as number[]).at(-1)).toBe(20);
    const emb = await call('analysis.embeddings', { id, step: 40, set: 'prefixes', p: 2 });
    expect((emb.body.points as unknown[]).length).toBe(8);
    // the silhouette of z_A by prefix sum rides along: 2^3 prefixes have the sums 0..3
    expect(emb.body.classes).toBe(4);
    expect(emb.body.silhouette as number).toBeGreaterThanOrEqual(-1);
    expect(emb.body.silhouette as number).toBeLessThanOrEqual(1);
    const interp = await call('analysis.interpolate', { a: { id, step: 0 }, b: { id }, points: 5, from: 0, to: 1 });
    expect((interp.body.rows as unknown[]).length).toBe(5);
    expect((await call('analysis.accuracy', { id })).body).toHaveProperty('test.accuracy');
  });

  it('trains in a worker process with progress events, and cancels a job on request', async () => {
    const started = await call('train.start', { preset: 'fig5-scratch', overrides: { 'task.T': 6, 'task.k': 3, 'task.nTrain': 64, 'task.nTest': 32, 'task.nHeldout': 0, 'model.d': 8, 'model.h': 16, 'phases.0.steps': 60 }, name: 'from-the-browser' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const jobId = started.body.jobId as string;
    const seen = await events((e) => e.job.jobId === jobId && e.type !== 'progress');
    const mine = seen.filter((e) => e.job.jobId === jobId);
    expect(mine.at(-1)!.type).toBe('done');
    expect(mine.some((e) => e.type === 'progress' && e.point && e.point.step > 0)).toBe(true);
    expect(readManifest(join(workspace, 'from-the-browser'))).toMatchObject({ status: 'complete', stepsDone: 60 });
    const again = await call('train.start', { preset: 'fig5-scratch', name: 'from-the-browser' });
    expect(again.body.error).toMatch(/already exists/);

    const long = await call('train.start', { preset: 'fig5-scratch', overrides: { 'task.T': 6, 'task.k': 3, 'task.nTrain': 64, 'task.nTest': 32, 'model.d': 8, 'model.h': 16 }, name: 'cancel-me' });
    const longId = long.body.jobId as string;
    const stream = events((e) => e.job.jobId === longId && e.type !== 'progress');
    await new Promise((r) => setTimeout(r, 2500));
    expect((await call('job.cancel', { jobId: longId })).status).toBe(200);
    const end = (await stream).filter((e) => e.job.jobId === longId).at(-1)!;
    expect(end.type).toBe('cancelled');
    const m = readManifest(join(workspace, 'cancel-me'));
    expect(m.status).toBe('cancelled');
    expect(m.stepsDone).toBeLessThan(10_000);
    const jobs = (await call('job.list', {})).body as unknown as { jobId: string; state: string }[];
    expect(jobs.find((j) => j.jobId === longId)!.state).toBe('cancelled');
  });

  it('projects trajectories in a worker and delivers the result as an event', async () => {
    const { body: info } = await call('source.open', { path: join(workspace, 'tiny') });
    const started = await call('analysis.project', { ids: [info.id], method: 'pca' });
    const jobId = started.body.jobId as string;
    const seen = await events((e) => e.job.jobId === jobId && e.type !== 'progress');
    const done = seen.filter((e) => e.job.jobId === jobId).at(-1)!;
    expect(done.type).toBe('done');
    const result = (done as { result: { points: unknown[]; runs: { id: string; markers: { kind: string }[] }[]; explainedVariance: number[] } }).result;
    expect(result.runs[0].id).toBe(info.id);
    expect(result.runs[0].markers.map((m) => m.kind)).toEqual(['start', 'switch', 'end']);
    expect(result.points.length).toBe((info.steps as number[]).length);
    expect(result.explainedVariance[0]).toBeGreaterThan(0);
  });
});
