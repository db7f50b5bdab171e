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
