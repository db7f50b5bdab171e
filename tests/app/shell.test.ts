/**
 * The Electron shell without Electron: the window's options and hardening, the session's CSP and
 * permissions, the utility-process job launcher and worker entry, and the desktop calls.
 * `electron` is mocked; web contents, sessions, dialogs and utility processes are fakes.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers.js';

const fake = await vi.hoisted(async () => (await import('../electron-fake.js')).fakeElectron());
vi.mock('electron', () => fake.module);
const fork = fake.electron.utilityProcess.fork;
/** The utility process the launcher forked last. */
const lastChild = () => fake.state.children[fake.state.children.length - 1];

const runJob = vi.hoisted(() => vi.fn());
vi.mock('../../src-main/jobs/run-job.js', () => ({ runJob }));

import type { Session, WebContents } from 'electron';
import { hardenContents, hardenSession, isAppUrl, windowOptions, withCsp } from '../../src-main/app/window.js';
import { CSP } from '../../src-main/api/csp.js';
import { utilityProcessLauncher } from '../../src-main/app/utility-process-launcher.js';
import { desktopTable, OPEN_DIALOG_OPTIONS, RecentList, saveDialogOptions } from '../../src-main/app/desktop.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import type { FromWorker, JobSpec, ToWorker } from '../../src-main/jobs/protocol.js';
import { DESKTOP_IPC, type AppInfo } from '../../src-main/preload/api.js';
import type { InvokeEventLike } from '../../src-main/app/registrar.js';

const APP_URL = pathToFileURL('/opt/cw/out/renderer/index.html').href;

describe('the window', () => {
  it('has the secure web preferences and the bundled preload', () => {
    const o = windowOptions('/opt/cw/out/preload/index.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/opt/cw/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(o.webPreferences?.preload).toMatch(/\.cjs$/);
  });

  it('has a strict CSP', () => {
    const directives = new Map(CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(CSP).not.toMatch(/unsafe-eval|wasm-unsafe-eval|\*|http:|https:/);
    // 'unsafe-inline' only for styles (ECharts and Vue set style attributes)
    expect(CSP.match(/'unsafe-inline'/g)).toHaveLength(1);
    expect(directives.get('style-src')).toContain("'unsafe-inline'");
  });

  it('recognises only its own page', () => {
    expect(isAppUrl(APP_URL, APP_URL)).toBe(true);
    expect(isAppUrl(`${APP_URL}#/runs`, APP_URL)).toBe(true);
    expect(isAppUrl(pathToFileURL('/opt/cw/out/renderer/other.html').href, APP_URL)).toBe(false);
    expect(isAppUrl('file:///etc/passwd', APP_URL)).toBe(false);
    expect(isAppUrl('https://example.com/', APP_URL)).toBe(false);
    expect(isAppUrl('not a url', APP_URL)).toBe(false);
    expect(isAppUrl('http://localhost:5173/src/x.ts', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('https://localhost:5173/', 'http://localhost:5173/')).toBe(false);
  });
});

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

const navEvent = (url: string) => ({ url, preventDefault: vi.fn() });

describe('hardenContents', () => {
  const contents = new FakeContents();
  hardenContents(contents as unknown as WebContents, () => APP_URL);

  it('prevents navigation to another URL and allows reloading the app', () => {
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const away = navEvent('https://example.com/phish');
      contents.emit(name, away);
      expect(away.preventDefault, name).toHaveBeenCalledTimes(1);
      const file = navEvent('file:///home/user/secrets.html');
      contents.emit(name, file);
      expect(file.preventDefault, name).toHaveBeenCalledTimes(1);
      const home = navEvent(`${APP_URL}#/`);
      contents.emit(name, home);
      expect(home.preventDefault, name).not.toHaveBeenCalled();
    }
  });

  it('reads the URL from the old (event, url) signature too', () => {
    const e = { preventDefault: vi.fn() };
    contents.emit('will-navigate', e, 'https://example.com/');
    expect(e.preventDefault).toHaveBeenCalled();
    const nothing = { preventDefault: vi.fn() };
    contents.emit('will-navigate', nothing);
    expect(nothing.preventDefault).toHaveBeenCalled();
  });

  it('denies window.open and <webview>', () => {
    expect(contents.openHandler).not.toBeNull();
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: APP_URL })).toEqual({ action: 'deny' });
    const attach = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', attach, {}, {});
    expect(attach.preventDefault).toHaveBeenCalled();
  });
});

describe('hardenSession', () => {
  type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
  let headers: HeadersListener | null = null;
  let request: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | null = null;
  let check: ((...a: unknown[]) => boolean) | null = null;
  const session = {
    webRequest: { onHeadersReceived: (l: HeadersListener) => (headers = l) },
    setPermissionRequestHandler: (h: typeof request) => (request = h),
    setPermissionCheckHandler: (h: typeof check) => (check = h),
  };
  hardenSession(session as unknown as Session);

  it('puts the CSP on every response, replacing a weaker one', () => {
    const cb = vi.fn();
    headers!({ responseHeaders: { 'content-security-policy': ["default-src *; script-src 'unsafe-eval'"], 'Content-Type': ['text/html'] } }, cb);
    const out = cb.mock.calls[0][0].responseHeaders as Record<string, string[]>;
    expect(out['Content-Security-Policy']).toEqual([CSP]);
    expect(out['content-security-policy']).toBeUndefined();
    expect(out['Content-Type']).toEqual(['text/html']);
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CSP] });
  });

  it('denies every permission request and check', () => {
    for (const p of ['media', 'notifications', 'geolocation', 'openExternal', 'clipboard-read']) {
      const cb = vi.fn();
      request!({}, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(check!({}, 'media', APP_URL, {})).toBe(false);
  });
});

describe('the utility-process job launcher', () => {
  beforeEach(() => fork.mockClear());
  afterEach(() => vi.useRealTimers());

  it('forks the worker and forwards messages both ways', () => {
    const onMessage = vi.fn();
    const onExit = vi.fn();
    const handle = utilityProcessLauncher('/opt/cw/out/main/job-worker.js')(onMessage, onExit);
    expect(fork).toHaveBeenCalledTimes(1);
    expect(fork.mock.calls[0][0]).toBe('/opt/cw/out/main/job-worker.js');
    const child = lastChild();

    const cancel: ToWorker = { type: 'cancel' };
    handle.send(cancel);
    expect(child.postMessage).toHaveBeenCalledWith(cancel);

    const progress: FromWorker = { type: 'progress', fraction: 0.25, stage: 'step 25 of 100' };
    child.emit('message', progress);
    expect(onMessage).toHaveBeenCalledWith(progress);

    child.emit('exit', 3);
    expect(onExit).toHaveBeenCalledWith(3);
    handle.send(cancel);
    handle.kill();
    expect(child.postMessage).toHaveBeenCalledTimes(1);
    expect(child.kill).not.toHaveBeenCalled();
  });

  it('kills on request, and stops a worker that lingers after its outcome', () => {
    vi.useFakeTimers();
    const handle = utilityProcessLauncher('/w.js')(vi.fn(), vi.fn());
    const child = lastChild();
    child.emit('message', { type: 'done', result: null });
    expect(child.kill).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2_500);
    expect(child.kill).toHaveBeenCalledTimes(1);
    handle.kill();
    expect(child.kill).toHaveBeenCalledTimes(2);
  });

  it('carries a JobManager job: start goes out, progress and the outcome come back as events', () => {
    const jobs = new JobManager(utilityProcessLauncher('/w.js'));
    const events: unknown[] = [];
    jobs.onEvent((e) => events.push(e));
    const spec: JobSpec = { kind: 'project', paths: ['/runs/a'], ids: ['a'], method: 'pca', every: 1, seed: 0 };
    const info = jobs.start(spec, 'pca of a', null);
    const child = lastChild();
    expect(child.postMessage).toHaveBeenCalledWith({ type: 'start', spec });
    child.emit('message', { type: 'progress', fraction: 0.5, stage: 'half' });
    child.emit('message', { type: 'done', result: { ok: 1 } });
    expect(events).toMatchObject([
      { type: 'progress', job: { jobId: info.jobId, fraction: 0.5, stage: 'half' } },
      { type: 'done', job: { jobId: info.jobId, state: 'done' }, result: { ok: 1 } },
    ]);
    jobs.cancel(info.jobId);
    expect(child.postMessage).toHaveBeenCalledTimes(1);
  });

  it('reports a worker that dies mid-job as failed', () => {
    const jobs = new JobManager(utilityProcessLauncher('/w.js'));
    const events: { type: string; job: { message: string | null } }[] = [];
    jobs.onEvent((e) => events.push(e));
    jobs.start({ kind: 'project', paths: ['/r'], ids: ['r'], method: 'pca', every: 1, seed: 0 }, 'x', null);
    const child = lastChild();
    child.emit('exit', 9);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('failed');
    expect(events[0].job.message).toMatch(/exit code 9/);
  });
});

describe('the utility-process worker entry', () => {
  class FakePort extends EventEmitter {
    postMessage = vi.fn();
  }
  const port = new FakePort();

  it('runs a job from parentPort messages and posts its reports back', async () => {
    let captured: { signal: AbortSignal; post: (m: FromWorker) => void } | null = null;
    runJob.mockImplementation((_spec: JobSpec, signal: AbortSignal, post: (m: FromWorker) => void) => {
      captured = { signal, post };
      return new Promise(() => {}); // still running: the worker must not exit during the test
    });
    (process as unknown as { parentPort?: FakePort }).parentPort = port;
    try {
      await import('../../src-main/jobs/electron-worker.js');
    } finally {
      delete (process as unknown as { parentPort?: FakePort }).parentPort;
    }
    const spec: JobSpec = { kind: 'project', paths: ['/runs/a'], ids: ['a'], method: 'pca', every: 1, seed: 0 };
    port.emit('message', { data: { type: 'start', spec } });
    expect(runJob).toHaveBeenCalledTimes(1);
    expect(runJob.mock.calls[0][0]).toEqual(spec);
    expect(captured).not.toBeNull();

    captured!.post({ type: 'progress', fraction: 0.1, stage: 'pca' });
    expect(port.postMessage).toHaveBeenCalledWith({ type: 'progress', fraction: 0.1, stage: 'pca' });

    port.emit('message', { data: { type: 'start', spec } });
    port.emit('message', { data: null });
    expect(runJob).toHaveBeenCalledTimes(1);

    expect(captured!.signal.aborted).toBe(false);
    port.emit('message', { data: { type: 'cancel' } });
    expect(captured!.signal.aborted).toBe(true);
  });

  it('does not import electron', () => {
    const src = readFileSync(new URL('../../src-main/jobs/electron-worker.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/from ['"]electron['"]|require\(['"]electron['"]\)/);
  });
});

describe('the desktop calls', () => {
  const dir = tempDir('cw-shell-');
  const info: AppInfo = { name: 'Circuit Workbench', version: '0.1.0', electron: '41', chrome: '140', node: '22', platform: 'linux' };
  const ev = {} as InvokeEventLike;

  function table(dialog: Record<string, unknown>, recent = new RecentList(join(dir, `recent-${Math.random()}.json`))) {
    return desktopTable({ dialog: dialog as never, window: () => null, info: () => info, recent });
  }

  it('app:info answers the app info', async () => {
    expect(await table({})[DESKTOP_IPC.appInfo](undefined, ev)).toEqual(info);
    expect(() => table({})[DESKTOP_IPC.appInfo]({ x: 1 }, ev)).toThrow(/app:info/);
  });

  it('app:open-dialog opens folders and .onnx files, several at once', async () => {
    const showOpenDialog = vi.fn(async () => ({ canceled: false, filePaths: ['/runs/a', '/ckpt/b.onnx'] }));
    const t = table({ showOpenDialog });
    expect(await t[DESKTOP_IPC.openDialog](undefined, ev)).toEqual(['/runs/a', '/ckpt/b.onnx']);
    const opts = (showOpenDialog.mock.calls[0] as unknown[])[0] as typeof OPEN_DIALOG_OPTIONS;
    expect(opts.properties).toEqual(expect.arrayContaining(['openDirectory', 'openFile', 'multiSelections']));
    expect(opts.filters?.[0].extensions).toEqual(['onnx']);
    // cancelled: nothing, whatever paths the dialog still reports
    showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: ['/runs/a'] });
    expect(await t[DESKTOP_IPC.openDialog](undefined, ev)).toEqual([]);
  });

  it('app:save-file writes utf8 and base64 data where the user chose, and nothing when cancelled', async () => {
    const svg = join(dir, 'figure.svg');
    const png = join(dir, 'figure.png');
    const cancelled = join(dir, 'never.csv');
    const showSaveDialog = vi.fn().mockResolvedValueOnce({ canceled: false, filePath: svg }).mockResolvedValueOnce({ canceled: false, filePath: png }).mockResolvedValueOnce({ canceled: true, filePath: cancelled });
    const t = table({ showSaveDialog });
    expect(await t[DESKTOP_IPC.saveFile]({ defaultName: 'figure.svg', data: '<svg>é</svg>', encoding: 'utf8' }, ev)).toBe(true);
    expect(readFileSync(svg, 'utf8')).toBe('<svg>é</svg>');
    expect(showSaveDialog.mock.calls[0][0]).toMatchObject({ defaultPath: 'figure.svg', filters: [{ extensions: ['svg'] }, { extensions: ['*'] }] });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    expect(await t[DESKTOP_IPC.saveFile]({ defaultName: 'figure.png', data: bytes.toString('base64'), encoding: 'base64' }, ev)).toBe(true);
    expect(readFileSync(png)).toEqual(bytes);
    expect(await t[DESKTOP_IPC.saveFile]({ defaultName: 'never.csv', data: 'a', encoding: 'utf8' }, ev)).toBe(false);
    expect(existsSync(cancelled)).toBe(false);
  });

  it('app:save-file validates its payload and suggests only a file name', async () => {
    const showSaveDialog = vi.fn();
    const t = table({ showSaveDialog });
    await expect(t[DESKTOP_IPC.saveFile]({ defaultName: 'a.png', data: 'x', encoding: 'hex' }, ev)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^app:save-file: 'encoding'/) });
    await expect(t[DESKTOP_IPC.saveFile]({ defaultName: '', data: 'x', encoding: 'utf8' }, ev)).rejects.toMatchObject({ kind: 'invalid' });
    await expect(t[DESKTOP_IPC.saveFile](undefined, ev)).rejects.toMatchObject({ kind: 'invalid' });
    expect(showSaveDialog).not.toHaveBeenCalled();
    expect(saveDialogOptions('../../etc/evil.csv').defaultPath).toBe('evil.csv');
  });

  it('the recent list is newest first, without duplicates, at most 12, and survives a corrupt file', () => {
    const file = join(dir, 'recent.json');
    const recent = new RecentList(file);
    expect(recent.list()).toEqual([]);
    recent.add('/a');
    recent.add('/b');
    expect(recent.add('/a')).toEqual(['/a', '/b']);
    for (let i = 0; i < 20; i++) recent.add(`/r${i}`);
    const list = recent.list();
    expect(list).toHaveLength(12);
    expect(list[0]).toBe('/r19');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(list);
    writeFileSync(file, '{not json');
    expect(recent.list()).toEqual([]);
    writeFileSync(file, JSON.stringify(['/x', 3, '/x', null, '/y']));
    expect(recent.list()).toEqual(['/x', '/y']);
  });

  it('app:recent lists the recent paths that still exist', async () => {
    const recent = new RecentList(join(dir, 'recent2.json'));
    recent.add('/definitely/not/here');
    recent.add(dir);
    expect(await table({}, recent)[DESKTOP_IPC.recent](undefined, ev)).toEqual([dir]);
  });
});
