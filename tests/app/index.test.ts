/**
 * The main process wiring (src-main/app/index.ts) against a mocked `electron`: every channel is
 * registered through the registrar with the sender check, the window is the hardened one, job
 * events reach the window, opened paths land in the recent list, the app quits with its windows.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const fake = await vi.hoisted(async () => (await import('../electron-fake.js')).fakeElectron());
vi.mock('electron', () => fake.module);

// Every process the main process starts through Node (none should: jobs and runs go to utility processes).
const nodeProcesses = vi.hoisted(() => [] as string[]);
vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  const record =
    <F extends (...a: never[]) => unknown>(name: string, f: F) =>
    (...a: Parameters<F>) => {
      const args: unknown = a[1];
      nodeProcesses.push(`${name} ${String(a[0])} ${Array.isArray(args) ? args.join(' ') : ''}`);
      return f(...a);
    };
  const mocked = { ...real, fork: record('fork', real.fork), spawn: record('spawn', real.spawn), spawnSync: record('spawnSync', real.spawnSync), execFile: record('execFile', real.execFile) };
  return { ...mocked, default: mocked };
});

import { CHANNELS, type SourceInfo } from '../../src-main/api/contract.js';
import { initParams, PAPER_MODEL } from '../../src-main/engine/model/config.js';
import { exportModel } from '../../src-main/engine/onnx/export.js';
import { CSP } from '../../src-main/api/csp.js';
import { DESKTOP_IPC, apiChannel } from '../../src-main/preload/api.js';

const { state } = fake;
const win = () => state.windows[0];
const fromApp = () => ({ sender: win().webContents, senderFrame: win().webContents.mainFrame });
const invoke = (channel: string, event: unknown, payload?: unknown) => Promise.resolve().then(() => state.handlers.get(channel)!(event, payload));

beforeAll(async () => {
  state.root = mkdtempSync(join(tmpdir(), 'cw-app-'));
  // a bundled demo run in the (fake) repository's resources/demo
  mkdirSync(join(state.root, 'repo', 'resources', 'demo', 'curriculum-s1'), { recursive: true });
  writeFileSync(join(state.root, 'repo', 'resources', 'demo', 'curriculum-s1', 'run.json'), '{}');
  mkdirSync(join(state.root, 'repo', 'resources', 'demo', 'notes'), { recursive: true });
  await import('../../src-main/app/index.js');
  // let whenReady().then(...) run
  await new Promise((r) => setTimeout(r, 0));
  win().webContents.mainFrame.url = win().loaded.url!;
  return () => rmSync(state.root, { recursive: true, force: true });
  // importing the main process loads tfjs and onnxruntime: slow on a busy machine
}, 60_000);

describe('the main process', () => {
  it('registers every API call and the desktop calls, and nothing else', () => {
    const expected = [...CHANNELS.map((c) => apiChannel(c)), DESKTOP_IPC.appInfo, DESKTOP_IPC.openDialog, DESKTOP_IPC.saveFile, DESKTOP_IPC.recent].sort();
    expect([...state.handlers.keys()].sort()).toEqual(expected);
  });

  it('opens one hardened window on the built renderer with the bundled preload', () => {
    expect(state.windows).toHaveLength(1);
    const opts = win().options as { webPreferences: Record<string, unknown> };
    expect(opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(opts.webPreferences.preload).toMatch(/[\\/]preload[\\/]index\.cjs$/);
    expect(win().loaded.url).toBe('app://workbench/index.html');
    expect(win().loaded.file).toBeUndefined();
    expect(state.sandboxed).toBe(true);
  });

  it('serves the renderer from the privileged app:// scheme, with the CSP on every response', async () => {
    expect(state.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false }) }]);
    const handler = state.protocolHandlers.get('app')!;
    expect(handler).toBeDefined();
    // the fake repository has no built renderer: a 404, still with the CSP
    const missing = await handler({ url: 'app://workbench/index.html', method: 'GET' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CSP);
    const escape = await handler({ url: 'app://workbench/..%2f..%2fmain%2findex.js', method: 'GET' });
    expect(escape.status).toBe(403);
  });

  it('hardens every web contents and the session', () => {
    const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler: (h: () => unknown) => void; open?: () => unknown };
    contents.setWindowOpenHandler = (h) => (contents.open = h);
    state.app.emit('web-contents-created', {}, contents);
    expect(contents.open?.()).toEqual({ action: 'deny' });
    const nav = { url: 'https://example.com/', preventDefault: vi.fn() };
    contents.emit('will-navigate', nav);
    expect(nav.preventDefault).toHaveBeenCalled();

    const cb = vi.fn();
    (state.session.headers as (d: unknown, cb: unknown) => void)({ responseHeaders: {} }, cb);
    expect(cb.mock.calls[0][0].responseHeaders['Content-Security-Policy']).toEqual([CSP]);
    const granted = vi.fn();
    (state.session.request as (c: unknown, p: string, cb: unknown) => void)({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
  });

  it('answers its own window, and refuses another sender with [forbidden]', async () => {
    const info = (await invoke(DESKTOP_IPC.appInfo, fromApp())) as { name: string };
    expect(info.name).toBe('Circuit Workbench');
    const list = (await invoke(apiChannel('workspace.list'), fromApp(), {})) as { workspaces: string[]; demo: string[] };
    expect(list.workspaces).toEqual([join(state.root, 'documents', 'Circuit Workbench runs')]);
    expect(list.demo).toEqual([join(state.root, 'repo', 'resources', 'demo', 'curriculum-s1')]);

    const other = { sender: { mainFrame: win().webContents.mainFrame }, senderFrame: win().webContents.mainFrame };
    await expect(invoke(apiChannel('workspace.list'), other, {})).rejects.toThrow(/^\[forbidden\] /);
    // the same window showing a file:// page (or another app:// host) is not the app
    const mainFrame = win().webContents.mainFrame;
    for (const url of ['file:///etc/passwd', 'app://other/index.html', 'https://example.com/']) {
      await expect(invoke(DESKTOP_IPC.recent, { sender: win().webContents, senderFrame: { ...mainFrame, url } })).rejects.toThrow(/^\[forbidden\] /);
    }
    const iframe = { sender: win().webContents, senderFrame: { url: 'https://ads.example/', parent: win().webContents.mainFrame, processId: 9, routingId: 3 } };
    await expect(invoke(DESKTOP_IPC.recent, iframe)).rejects.toThrow(/^\[forbidden\] /);
  });

  it('rejects invalid payloads and reports engine failures as sentences', async () => {
    await expect(invoke(apiChannel('source.open'), fromApp(), { path: 7 })).rejects.toThrow(/^\[invalid\] source\.open: 'path'/);
    const missing = join(state.root, 'no-such-run');
    await expect(invoke(apiChannel('source.open'), fromApp(), { path: missing })).rejects.toThrow(/^\[not-found\] .*does not exist/);
    // a failed open is not remembered
    expect(existsSync(join(state.root, 'userData', 'recent.json'))).toBe(false);
    expect(await invoke(DESKTOP_IPC.recent, fromApp())).toEqual([]);
  });

  it('runs jobs in utility processes and forwards their events to the window', async () => {
    const job = (await invoke(apiChannel('train.start'), fromApp(), { preset: 'fig2', maxSteps: 2, name: 'from-test' })) as { jobId: string; outDir: string };
    expect(job.outDir).toBe(join(state.root, 'documents', 'Circuit Workbench runs', 'from-test'));
    expect(existsSync(job.outDir)).toBe(true);
    expect(state.children).toHaveLength(1);
    const child = state.children[0];
    expect(child.path).toMatch(/[\\/]job-worker\.js$/);
    expect(child.sent[0]).toMatchObject({ type: 'start', spec: { kind: 'train', runDir: job.outDir, maxSteps: 2 } });

    child.emit('message', { type: 'progress', fraction: 0.5, stage: 'step 1 of 2' });
    const sent = win().webContents.sent;
    expect(sent).toHaveLength(1);
    expect(sent[0][0]).toBe(DESKTOP_IPC.jobEvent);
    expect(sent[0][1]).toMatchObject({ type: 'progress', job: { jobId: job.jobId, fraction: 0.5 } });

    await invoke(apiChannel('job.cancel'), fromApp(), { jobId: job.jobId });
    expect(child.sent[1]).toEqual({ type: 'cancel' });
    child.emit('message', { type: 'cancelled' });
    expect(sent[1][1]).toMatchObject({ type: 'cancelled', job: { jobId: job.jobId, state: 'cancelled' } });
  });

  it('starts a sweep: it waits in the main process, each run trains in a utility process on the built job worker, never through the CLI', async () => {
    const workspace = join(state.root, 'documents', 'Circuit Workbench runs');
    const before = state.children.length;
    const sent = win().webContents.sent;
    const request = { presets: ['fig5-scratch'], seeds: '3', set: { 'task.nTrain': 64 }, grid: [{ path: 'lr', values: ['1e-2'] }], maxSteps: 2, name: 'app-sweep' };
    const job = (await invoke(apiChannel('sweep.start'), fromApp(), request)) as { jobId: string; kind: string; outDir: string };
    expect(job).toMatchObject({ kind: 'sweep', outDir: join(workspace, 'app-sweep') });
    expect(existsSync(join(job.outDir, 'sweep.json'))).toBe(true);
    await vi.waitFor(() => expect(state.children.length).toBe(before + 1), { timeout: 10_000 });
    const run = state.children[before] as (typeof state.children)[number] & { path: string };
    // the app's own job worker (out/main/job-worker.js once built), as for every other job
    expect(run.path).toBe((state.children[0] as typeof run).path);
    expect(run.path).toMatch(/[\\/]job-worker\.js$/);
    expect(run.sent[0]).toMatchObject({ type: 'start', spec: { kind: 'train', runDir: join(job.outDir, 'lr=1e-2', 'fig5-scratch-s3'), maxSteps: 2, config: { preset: 'fig5-scratch', seed: 3, task: { nTrain: 64 }, phases: [{ lr: 0.01 }] } } });
    const progress = { step: 1, totalSteps: 2, phase: 'p4', p: 4, trainLoss: 1, trainAcc: 0.5, testLoss: 1, testAcc: 0.5, stepsPerSecond: 10 };
    run.emit('message', { type: 'progress', fraction: 0.5, stage: 'step 1 of 2', train: progress });
    const events = () => sent.map((e) => e[1] as { type: string; job: { jobId: string; stage: string; state: string }; result?: { states: Record<string, number> } }).filter((e) => e.job.jobId === job.jobId);
    expect(events().at(-1)).toMatchObject({ type: 'progress', job: { stage: expect.stringContaining('step 1 of 2') } });
    run.emit('message', { type: 'done', result: null });
    run.emit('exit', 0);
    await vi.waitFor(() => expect(events().at(-1)?.type).toBe('done'));
    // the fake worker wrote no run: the summary says it is still to do
    expect(events().at(-1)?.result?.states).toMatchObject({ pending: 1, done: 0 });
    expect(existsSync(join(job.outDir, 'summary.csv'))).toBe(true);

    // the same request again resumes the folder; cancelling stops the run and leaves it resumable
    const again = (await invoke(apiChannel('sweep.start'), fromApp(), request)) as { jobId: string };
    await vi.waitFor(() => expect(state.children.length).toBe(before + 2), { timeout: 10_000 });
    const second = state.children[before + 1];
    await invoke(apiChannel('job.cancel'), fromApp(), { jobId: again.jobId });
    expect(second.sent[1]).toEqual({ type: 'cancel' });
    second.emit('message', { type: 'cancelled' });
    await vi.waitFor(() => expect(sent.map((e) => e[1] as { type: string; job: { jobId: string } }).filter((e) => e.job.jobId === again.jobId).at(-1)?.type).toBe('cancelled'));
    expect(existsSync(join(job.outDir, 'local'))).toBe(false);
    expect(nodeProcesses).toEqual([]);
  });

  it('refuses a sweep with a sentence: another sweep in the folder, a folder that is not a sweep, a bad setting', async () => {
    const other = { presets: ['fig5-curriculum'], seeds: '0', name: 'app-sweep' };
    await expect(invoke(apiChannel('sweep.start'), fromApp(), other)).rejects.toThrow(/^\[invalid\] .*app-sweep holds a different sweep/);
    await expect(invoke(apiChannel('sweep.start'), fromApp(), { presets: ['fig5-scratch'], seeds: '0', name: 'from-test' })).rejects.toThrow(/^\[invalid\] a folder named 'from-test' already exists .* and is not a sweep; choose another name$/);
    await expect(invoke(apiChannel('sweep.start'), fromApp(), { presets: ['fig5-scratch'], seeds: '0', set: { 'model.d': -3 }, name: 'bad' })).rejects.toThrow(/^\[invalid\] fig5-scratch: d must be a positive integer, got -3$/);
    expect(existsSync(join(state.root, 'documents', 'Circuit Workbench runs', 'bad'))).toBe(false);
  });

  it('quits when all windows close, except on macOS', () => {
    const before = state.quit;
    state.app.emit('window-all-closed');
    expect(state.quit).toBe(process.platform === 'darwin' ? before : before + 1);
  });

  it('remembers every path it opens, newest first, and answers it from app:recent', async () => {
    const a = join(state.root, 'a.onnx');
    const b = join(state.root, 'b.onnx');
    writeFileSync(a, exportModel(PAPER_MODEL, initParams(PAPER_MODEL, 1), { step: 5 }));
    writeFileSync(b, exportModel(PAPER_MODEL, initParams(PAPER_MODEL, 2), { step: 9 }));
    const opened = (await invoke(apiChannel('source.open'), fromApp(), { path: a })) as SourceInfo;
    expect(opened.kind).toBe('onnx');
    await invoke(apiChannel('source.open'), fromApp(), { path: b });
    await invoke(apiChannel('source.open'), fromApp(), { path: a });
    const file = join(state.root, 'userData', 'recent.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([opened.path, realpathSync(b)]);
    expect(await invoke(DESKTOP_IPC.recent, fromApp())).toEqual([opened.path, realpathSync(b)]);
    await invoke(apiChannel('source.close'), fromApp(), { id: opened.id });
  });
});
