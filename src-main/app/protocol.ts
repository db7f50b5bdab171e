/**
 * The renderer is served from a custom privileged scheme, app://workbench/, rather than from
 * file://: the page gets an origin of its own (file:// pages share one with every local file),
 * each response carries the CSP as a header, and only files of the built renderer can be
 * reached. Electron's protocol module comes in as an argument so that the tests can pass a fake.
 */
import { readFile } from 'node:fs/promises';
import type { CustomScheme, Protocol } from 'electron';
import { contentTypeOf, rendererFile, rendererHeaders } from '../api/rendererFiles.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'workbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL the window loads when no dev server is running. */
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * The scheme's privileges: standard (relative URLs and an origin), secure (like https), and
 * fetch; no CORS, no service workers, no bypass of the CSP.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, stream: true },
};

/**
 * The file under `root` that an app:// URL names, or null when it names none: another scheme
 * or host, a path that leaves `root` (.., encoded or not), a bad escape, a NUL byte.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  try {
    return rendererFile(root, u.pathname);
  } catch {
    return null;
  }
}

const text = (status: number, body: string): Response => new Response(body, { status, headers: rendererHeaders('text/plain; charset=utf-8') });

/** The response to one app:// request: the file with its type and the CSP, or 403/404/405. */
export async function appResponse(root: string, request: { url: string; method: string }): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
  const file = resolveAppPath(root, request.url);
  if (!file) return text(403, 'forbidden');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return text(404, 'not found');
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: rendererHeaders(contentTypeOf(file)) });
}

/** Before the app is ready: declares app:// a privileged scheme. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

/** Once ready: serves app:// from the built renderer folder. */
export function handleAppScheme(protocol: Pick<Protocol, 'handle'>, rendererRoot: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(rendererRoot, request));
}
