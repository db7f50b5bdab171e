/**
 * The app:// scheme (src-main/app/protocol.ts) that serves the renderer in Electron: privileges,
 * the CSP header on every response, no way out of the renderer folder, and the sender check
 * against its origin. Electron's protocol module is a fake; the files are real.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, APP_URL, appResponse, handleAppScheme, registerAppScheme, resolveAppPath } from '../../src-main/app/protocol.js';
import { isAppUrl } from '../../src-main/app/window.js';
import { CSP } from '../../src-main/api/csp.js';
import { trustedSender, type FrameLike } from '../../src-main/app/registrar.js';
import { tempDir } from '../helpers.js';

const root = tempDir('cw-protocol-');
const renderer = join(root, 'renderer');
mkdirSync(join(renderer, 'assets'), { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Circuit Workbench</title>');
writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(renderer, 'assets', 'tfjs-backend-wasm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
writeFileSync(join(root, 'secret.txt'), 'not for the window');

describe('the app:// scheme', () => {
  it('is a standard, secure scheme that cannot bypass the CSP', () => {
    expect(APP_URL).toBe('app://workbench/index.html');
    expect(APP_SCHEME_PRIVILEGES.scheme).toBe('app');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false, corsEnabled: false });
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (s) => registered.push(...s) });
    expect(registered).toEqual([APP_SCHEME_PRIVILEGES]);
  });

  it('serves the renderer files with their types and the CSP header', async () => {
    const handlers = new Map<string, (r: { url: string; method: string }) => Promise<Response>>();
    handleAppScheme({ handle: (scheme, h) => handlers.set(scheme, h as (r: { url: string; method: string }) => Promise<Response>) } as Parameters<typeof handleAppScheme>[0], renderer);
    const handle = handlers.get('app')!;
    const page = await handle({ url: APP_URL, method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toMatch(/<title>Circuit Workbench<\/title>/);
    expect((await handle({ url: `${APP_ORIGIN}/`, method: 'GET' })).status).toBe(200);
    const js = await handle({ url: `${APP_ORIGIN}/assets/index-abc.js`, method: 'GET' });
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const wasm = await handle({ url: `${APP_ORIGIN}/assets/tfjs-backend-wasm.wasm`, method: 'GET' });
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d]));
    const head = await handle({ url: APP_URL, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await handle({ url: APP_URL, method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('refuses every path out of the renderer folder, and puts the CSP on refusals too', async () => {
    for (const url of [
      `${APP_ORIGIN}/..%2fsecret.txt`,
      `${APP_ORIGIN}/%2e%2e%2fsecret.txt`,
      `${APP_ORIGIN}/assets/..%2f..%2fsecret.txt`,
      `${APP_ORIGIN}/..%5csecret.txt`,
      `${APP_ORIGIN}/index.html%00.png`,
      `${APP_ORIGIN}/%E0%A4%A`,
      'app://other/index.html',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(resolveAppPath(renderer, url), url).toBeNull();
      const r = await appResponse(renderer, { url, method: 'GET' });
      expect(r.status, url).toBe(403);
      expect(r.headers.get('content-security-policy')).toBe(CSP);
      expect(await r.text()).not.toMatch(/not for the window/);
    }
    // '..' that the URL parser resolves stays inside the folder
    expect(resolveAppPath(renderer, `${APP_ORIGIN}/assets/../index.html`)).toBe(join(renderer, 'index.html'));
    expect(resolveAppPath(renderer, `${APP_ORIGIN}/../../secret.txt`)).toBe(join(renderer, 'secret.txt'));
    const missing = await appResponse(renderer, { url: `${APP_ORIGIN}/nope.js`, method: 'GET' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CSP);
  });

  it('does not serve a directory', async () => {
    expect((await appResponse(renderer, { url: `${APP_ORIGIN}/assets`, method: 'GET' })).status).toBe(404);
  });
});

describe('the sender check against the app:// origin', () => {
  it('recognises app://workbench pages only', () => {
    expect(isAppUrl(APP_URL, APP_URL)).toBe(true);
    expect(isAppUrl(`${APP_ORIGIN}/index.html#/curves`, APP_URL)).toBe(true);
    expect(isAppUrl(`${APP_ORIGIN}/assets/x.html`, APP_URL)).toBe(true);
    expect(isAppUrl('app://workbench.evil/index.html', APP_URL)).toBe(false);
    expect(isAppUrl('app://user:pw@workbench/index.html', APP_URL)).toBe(false);
    expect(isAppUrl('app://other/index.html', APP_URL)).toBe(false);
    expect(isAppUrl('file:///opt/cw/out/renderer/index.html', APP_URL)).toBe(false);
    expect(isAppUrl('https://workbench/index.html', APP_URL)).toBe(false);
  });

  it('trusts the window main frame on app://workbench and nothing else', () => {
    const main: FrameLike = { url: APP_URL, parent: null, processId: 3, routingId: 1 };
    const contents = { mainFrame: main };
    const check = trustedSender(() => contents, () => APP_URL);
    expect(check(main, contents)).toBe(true);
    expect(check({ ...main, url: 'file:///etc/passwd' }, contents)).toBe(false);
    expect(check({ ...main, url: 'app://other/' }, contents)).toBe(false);
    expect(check({ url: APP_URL, parent: main, processId: 3, routingId: 2 }, contents)).toBe(false);
    expect(check(main, { mainFrame: main })).toBe(false);
  });
});
