/**
 * WorkbenchApi over the HTTP server (`circuit-workbench serve`): fetch for calls, SSE for events.
 * The server swaps the ?token=… of the printed URL for an HttpOnly cookie before the page loads,
 * so calls normally carry only that cookie; a token still in the address (a page served some
 * other way) is sent as an Authorization header instead.
 */
import { WorkbenchError, type Channel, type JobEvent, type Request, type Response, type WorkbenchApi } from './types';

const TOKEN_KEY = 'circuit-workbench.token';
const RECENT_KEY = 'circuit-workbench.recent';

/** The token from ?token=… (then removed from the address bar), the one kept for this tab, or '' (the cookie). */
export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function httpApi(token: string, base = ''): WorkbenchApi {
  let source: EventSource | null = null;
  const listeners = new Set<(e: JobEvent) => void>();
  return {
    kind: 'http',
    async call<C extends Channel>(channel: C, req: Request<C>): Promise<Response<C>> {
      let res: globalThis.Response;
      try {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (token) headers['Authorization'] = `Bearer ${token}`;
        res = await fetch(`${base}/api/${channel}`, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(req) });
      } catch {
        throw new WorkbenchError('the workbench server does not answer; is `circuit-workbench serve` still running?', 'failed');
      }
      const body = (await res.json().catch(() => ({ error: `the server answered ${res.status}`, kind: 'failed' }))) as Response<C> & { error?: string; kind?: string };
      if (!res.ok) throw new WorkbenchError(body.error ?? `the server answered ${res.status}`, body.kind ?? 'failed');
      return body;
    },
    onJobEvent(listener) {
      listeners.add(listener);
      if (!source) {
        source = new EventSource(token ? `${base}/api/events?token=${encodeURIComponent(token)}` : `${base}/api/events`);
        source.onmessage = (m) => {
          const e = JSON.parse(m.data as string) as JobEvent;
          for (const l of listeners) l(e);
        };
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
    openDialog: null,
    pathForFile: null,
    async recent() {
      return JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as string[];
    },
    remember(path) {
      const list = (JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as string[]).filter((p) => p !== path);
      localStorage.setItem(RECENT_KEY, JSON.stringify([path, ...list].slice(0, 12)));
    },
    async saveFile(name, data, encoding, mime) {
      const bytes = encoding === 'base64' ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0)) : new TextEncoder().encode(data);
      const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return true;
    },
  };
}
