/**
 * The IPC registrar of the Electron shell: sender check, payload validation, error sentences.
 * Electron is never imported (mocked); ipcMain, frames and web contents are fakes.
 */
import { describe, expect, it, vi } from 'vitest';

const fake = await vi.hoisted(async () => (await import('../electron-fake.js')).fakeElectron());
vi.mock('electron', () => fake.module);

import { pathToFileURL } from 'node:url';
import { ApiError, CHANNELS, type SourceInfo } from '../../src-main/api/contract.js';
import type { createHandlers } from '../../src-main/api/handlers.js';
import { apiChannel } from '../../src-main/preload/api.js';
import { apiTable, registerHandlers, toIpcError, trustedSender, type FrameLike, type HandlerTable, type InvokeEventLike } from '../../src-main/app/registrar.js';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle(channel: string, listener: Listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    invoke(channel: string, event: InvokeEventLike, payload?: unknown): Promise<unknown> {
      const l = handlers.get(channel);
      if (!l) return Promise.reject(new Error(`No handler registered for '${channel}'`));
      return Promise.resolve().then(() => l(event, payload));
    },
  };
}

const APP_URL = pathToFileURL('/opt/cw/out/renderer/index.html').href;

function fakeWindow(url = APP_URL) {
  const mainFrame: FrameLike = { url, parent: null, processId: 4, routingId: 1 };
  const contents = { mainFrame, isDestroyed: () => false };
  return { contents, mainFrame };
}

describe('trustedSender', () => {
  const own = fakeWindow();
  const check = trustedSender(() => own.contents, () => APP_URL);

  it("accepts the app window's main frame showing the app (hash and query included)", () => {
    expect(check(own.mainFrame, own.contents)).toBe(true);
    const sameFrameOtherObject: FrameLike = { url: `${APP_URL}#/compare?x=1`, parent: null, processId: 4, routingId: 1 };
    expect(check(sameFrameOtherObject, own.contents)).toBe(true);
  });

  it('refuses another web contents, an iframe, a gone frame, and a frame showing another page', () => {
    const other = fakeWindow();
    expect(check(other.mainFrame, other.contents)).toBe(false);
    expect(check({ url: APP_URL, parent: own.mainFrame, processId: 4, routingId: 7 }, own.contents)).toBe(false);
    expect(check({ url: APP_URL, parent: own.mainFrame, processId: 4, routingId: 1 }, own.contents)).toBe(false);
    expect(check(null, own.contents)).toBe(false);
    expect(check({ url: 'https://evil.example/index.html', parent: null, processId: 4, routingId: 1 }, own.contents)).toBe(false);
    expect(check({ url: pathToFileURL('/tmp/evil/index.html').href, parent: null, processId: 4, routingId: 1 }, own.contents)).toBe(false);
    // a main frame of the same contents but another routing id (a stale frame after a swap)
    expect(check({ url: APP_URL, parent: null, processId: 5, routingId: 9 }, own.contents)).toBe(false);
  });

  it('refuses everything when the window is gone or destroyed', () => {
    expect(trustedSender(() => null, () => APP_URL)(own.mainFrame, own.contents)).toBe(false);
    const dead = { mainFrame: own.mainFrame, isDestroyed: () => true };
    expect(trustedSender(() => dead, () => APP_URL)(own.mainFrame, dead)).toBe(false);
  });

  it('accepts the dev server origin in development', () => {
    const dev = fakeWindow('http://localhost:5173/');
    const devCheck = trustedSender(() => dev.contents, () => 'http://localhost:5173');
    expect(devCheck(dev.mainFrame, dev.contents)).toBe(true);
    expect(devCheck({ ...dev.mainFrame, url: 'http://localhost:5174/' }, dev.contents)).toBe(false);
  });
});

describe('registerHandlers', () => {
  const own = fakeWindow();
  const check = trustedSender(() => own.contents, () => APP_URL);
  const ok: InvokeEventLike = { sender: own.contents, senderFrame: own.mainFrame };

  it('registers exactly the channels of the table', () => {
    const ipc = fakeIpcMain();
    const table: HandlerTable = { 'a:one': () => 1, 'a:two': () => 2 };
    expect(registerHandlers(ipc, check, table)).toEqual(['a:one', 'a:two']);
    expect([...ipc.handlers.keys()].sort()).toEqual(['a:one', 'a:two']);
  });

  it('drops a foreign sender with a [forbidden] error, before the handler runs', async () => {
    const ipc = fakeIpcMain();
    const handler = vi.fn(() => 'secret');
    registerHandlers(ipc, check, { 'a:call': handler });
    const stranger = fakeWindow();
    await expect(ipc.invoke('a:call', { sender: stranger.contents, senderFrame: stranger.mainFrame })).rejects.toThrow(/^\[forbidden\] a:call was called from file:/);
    await expect(ipc.invoke('a:call', { sender: own.contents, senderFrame: { url: 'https://evil.example/', parent: null, processId: 4, routingId: 1 } })).rejects.toThrow(/^\[forbidden\] .*https:\/\/evil\.example/);
    await expect(ipc.invoke('a:call', { sender: own.contents, senderFrame: null })).rejects.toThrow(/^\[forbidden\] /);
    expect(handler).not.toHaveBeenCalled();
    await expect(ipc.invoke('a:call', ok)).resolves.toBe('secret');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('treats a sender check that throws as a refusal', async () => {
    const ipc = fakeIpcMain();
    registerHandlers(ipc, () => {
      throw new Error('frame disposed');
    }, { 'a:call': () => 1 });
    await expect(ipc.invoke('a:call', ok)).rejects.toThrow(/^\[forbidden\] /);
  });

  it('rethrows failures as "[kind] sentence"', async () => {
    const ipc = fakeIpcMain();
    registerHandlers(ipc, check, {
      'a:missing': () => {
        throw new ApiError('not-found', 'no open run has the id x');
      },
      'a:crash': async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    await expect(ipc.invoke('a:missing', ok)).rejects.toThrow(/^\[not-found\] no open run has the id x$/);
    await expect(ipc.invoke('a:crash', ok)).rejects.toThrow(/^\[failed\] cannot read properties of undefined$/);
  });

  it('toIpcError keeps an already tagged message and tags anything else', () => {
    expect(toIpcError(new Error('[invalid] bad')).message).toBe('[invalid] bad');
    expect(toIpcError(new ApiError('forbidden', 'no')).message).toBe('[forbidden] no');
    expect(toIpcError('plain').message).toBe('[failed] plain');
  });
});

describe('apiTable through the registrar', () => {
  const own = fakeWindow();
  const check = trustedSender(() => own.contents, () => APP_URL);
  const ok: InvokeEventLike = { sender: own.contents, senderFrame: own.mainFrame };

  const info = { id: 'abc123', path: '/runs/one', label: 'one' } as unknown as SourceInfo;
  const fake = {
    'source.open': vi.fn(async () => info),
    'source.close': vi.fn(async () => ({ closed: true })),
  };
  const handlers = new Proxy(fake as Record<string, unknown>, {
    get: (t, k) => (k in t ? t[k as string] : async () => ({ called: k })),
    has: () => true,
  }) as unknown as ReturnType<typeof createHandlers>;

  it('has one channel per API call, named api:<call>, and nothing else', () => {
    const table = apiTable(handlers);
    expect(Object.keys(table).sort()).toEqual(CHANNELS.map((c) => apiChannel(c)).sort());
  });

  it('rejects an invalid payload with "[invalid] …" and never calls the handler', async () => {
    const ipc = fakeIpcMain();
    registerHandlers(ipc, check, apiTable(handlers));
    await expect(ipc.invoke('api:source.open', ok, { path: '' })).rejects.toThrow(/^\[invalid\] source\.open: 'path' /);
    await expect(ipc.invoke('api:source.open', ok, { path: '/x', extra: 1 })).rejects.toThrow(/^\[invalid\] /);
    await expect(ipc.invoke('api:source.close', ok, 42)).rejects.toThrow(/^\[invalid\] /);
    expect(fake['source.open']).not.toHaveBeenCalled();
    expect(fake['source.close']).not.toHaveBeenCalled();
  });

  it('passes a valid payload through to the handler and returns its answer', async () => {
    const ipc = fakeIpcMain();
    const after = vi.fn();
    registerHandlers(ipc, check, apiTable(handlers, after));
    await expect(ipc.invoke('api:source.open', ok, { path: '/runs/one' })).resolves.toBe(info);
    expect(fake['source.open']).toHaveBeenCalledWith({ path: '/runs/one' });
    expect(after).toHaveBeenCalledWith('source.open', { path: '/runs/one' }, info);
  });

  it('does not let a failing bookkeeping hook fail the call', async () => {
    const ipc = fakeIpcMain();
    registerHandlers(ipc, check, apiTable(handlers, () => {
      throw new Error('disk full');
    }));
    await expect(ipc.invoke('api:source.close', ok, { id: 'abc123' })).resolves.toEqual({ closed: true });
  });

  it('never registers unknown channels', async () => {
    const ipc = fakeIpcMain();
    registerHandlers(ipc, check, apiTable(handlers));
    expect(ipc.handlers.has('api:constructor')).toBe(false);
    expect(ipc.handlers.has('api:__proto__')).toBe(false);
    await expect(ipc.invoke('api:fs.read', ok, {})).rejects.toThrow(/No handler registered/);
  });
});
