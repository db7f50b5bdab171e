/**
 * The one stand-in for `electron` in the tests (mocks only at the Electron boundary): an app, a
 * BrowserWindow with web contents, ipcMain, protocol, dialog, the default session and
 * utilityProcess, each recording what the main process does with it in `state`. A test file
 * creates it inside vi.hoisted and mocks the module with it:
 *
 *   const fake = await vi.hoisted(async () => (await import('../electron-fake.js')).fakeElectron());
 *   vi.mock('electron', () => fake.module);
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { vi, type Mock } from 'vitest';

type Listener = (event: unknown, payload?: unknown) => unknown;
type ProtocolHandler = (request: { url: string; method: string }) => Promise<Response>;

/** A forked utility process: what was posted to it, and the path it runs. */
export type FakeChild = EventEmitter & { path: string; sent: unknown[]; postMessage: Mock<(m: unknown) => void>; kill: Mock<() => boolean> };

export function fakeElectron() {
  const state = {
    /** where app.getPath(name) points (name below it) and getAppPath() (repo below it) */
    root: '',
    handlers: new Map<string, Listener>(),
    windows: [] as FakeWindow[],
    children: [] as FakeChild[],
    app: null as unknown as EventEmitter & Record<string, unknown>,
    session: { headers: null as unknown, request: null as unknown, check: null as unknown },
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, ProtocolHandler>(),
    quit: 0,
    sandboxed: false,
  };

  class FakeWindow extends EventEmitter {
    static getAllWindows = () => state.windows;
    options: unknown;
    loaded: { file?: string; url?: string } = {};
    destroyed = false;
    webContents: EventEmitter & { mainFrame: { url: string; parent: null; processId: number; routingId: number }; sent: unknown[][]; send: (...a: unknown[]) => void; isDestroyed: () => boolean };
    constructor(options: unknown) {
      super();
      this.options = options;
      const wc = new EventEmitter() as FakeWindow['webContents'];
      wc.mainFrame = { url: '', parent: null, processId: 7, routingId: 1 };
      wc.sent = [];
      wc.send = (...a: unknown[]) => wc.sent.push(a);
      wc.isDestroyed = () => false;
      this.webContents = wc;
      state.windows.push(this);
    }
    loadFile(file: string) {
      this.loaded.file = file;
      return Promise.resolve();
    }
    loadURL(url: string) {
      this.loaded.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return this.destroyed;
    }
    show() {}
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
  }

  const app = new EventEmitter() as EventEmitter & Record<string, unknown>;
  Object.assign(app, {
    isPackaged: false,
    getPath: (name: string) => join(state.root, name),
    getAppPath: () => join(state.root, 'repo'),
    getName: () => 'Circuit Workbench',
    getVersion: () => '0.1.0',
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    enableSandbox: () => {
      state.sandboxed = true;
    },
    quit: () => {
      state.quit++;
    },
  });
  state.app = app;

  const electron = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle(channel: string, l: Listener) {
        if (state.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        state.handlers.set(channel, l);
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.schemes.push(...schemes),
      handle: (scheme: string, handler: ProtocolHandler) => state.protocolHandlers.set(scheme, handler),
    },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }) },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (l: unknown) => (state.session.headers = l) },
        setPermissionRequestHandler: (h: unknown) => (state.session.request = h),
        setPermissionCheckHandler: (h: unknown) => (state.session.check = h),
      },
    },
    utilityProcess: {
      fork: vi.fn((path: string): FakeChild => {
        const child = new EventEmitter() as FakeChild;
        child.path = path;
        child.sent = [];
        child.postMessage = vi.fn((m: unknown) => void child.sent.push(m));
        child.kill = vi.fn(() => true);
        state.children.push(child);
        return child;
      }),
    },
  };
  return { state, electron, module: { ...electron, default: electron } };
}
