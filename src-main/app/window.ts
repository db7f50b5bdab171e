/**
 * The workbench window and everything that keeps it locked down (docs/design.md, security):
 * secure web preferences, a strict Content-Security-Policy on every response, no navigation away from the
 * app, no new windows, no <webview>, no browser permissions. Pure functions over Electron objects
 * so that the tests can check them with fakes.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { CSP } from '../api/csp.js';

/** The options of the workbench window: a sandboxed, context-isolated renderer with no Node. */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Circuit Workbench',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // a folder dropped outside the drop zone must not replace the app with a file listing
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/**
 * Whether `url` is the app's own page: for the app:// scheme (protocol.ts) and the dev server,
 * the same scheme, host and port; for a file:// app, the same file (any query or hash).
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  let u: URL;
  let a: URL;
  try {
    u = new URL(url);
    a = new URL(appUrl);
  } catch {
    return false;
  }
  if (a.protocol === 'file:') {
    return u.protocol === 'file:' && u.host === a.host && decodeURIComponent(u.pathname) === decodeURIComponent(a.pathname);
  }
  if (a.protocol === 'app:') return u.protocol === 'app:' && u.host === a.host && u.username === '' && u.password === '';
  if (a.protocol !== 'http:' && a.protocol !== 'https:') return false;
  return u.origin === a.origin;
}

/** The response headers with the app's CSP in place of any the server sent. */
export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  }
  out['Content-Security-Policy'] = [CSP];
  return out;
}

/**
 * Locks down a web contents: it may only navigate to the app's own page (`appUrl()`, read at
 * each navigation), never opens windows, never attaches a <webview>.
 */
export function hardenContents(contents: WebContents, appUrl: () => string): void {
  const guard = (event: { preventDefault(): void; url?: string }, url?: unknown) => {
    const target = typeof event.url === 'string' ? event.url : typeof url === 'string' ? url : '';
    if (!isAppUrl(target, appUrl())) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The session's CSP on every response, and no browser permissions (camera, notifications, …). */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
