/**
 * The workbench over HTTP, for a remote training box or a headless machine: the built renderer
 * as static files, the same handler table under POST /api/<call>, job events as server-sent
 * events. Listens on 127.0.0.1 by default and asks for a token on every API call, as Jupyter
 * does; opens only what lies under the workspace folders it was given.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, isAbsolute } from 'node:path';
import { ApiError, type JobEvent } from '../api/contract.js';
import { createHandlers, dispatch } from '../api/handlers.js';
import { PathPolicy, SourceRegistry, discover } from '../api/sources.js';
import { JobManager } from '../jobs/manager.js';

export interface ServeOptions {
  workspaces: string[];
  host?: string;
  port?: number;
  token?: string;
  /** the built renderer (out/renderer) */
  rendererDir: string;
  /** a folder of bundled demo runs the page opens when nothing else is open (readable too) */
  demoDir?: string | null;
  jobs?: JobManager;
}

export interface RunningServer {
  server: Server;
  url: string;
  token: string;
  jobs: JobManager;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const MAX_BODY = 1 << 20;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError('invalid', 'the request body is larger than 1 MB'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const STATUS: Record<ApiError['kind'], number> = { invalid: 400, 'not-found': 404, forbidden: 403, failed: 500 };

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const tokenBytes = Buffer.from(token);
  const workspaces = opts.workspaces.map((w) => {
    if (!existsSync(w) || !statSync(w).isDirectory()) throw new ApiError('not-found', `the workspace ${w} is not a folder`);
    return realpathSync(w);
  });
  if (!existsSync(join(opts.rendererDir, 'index.html'))) {
    throw new ApiError('not-found', `the workbench UI is not built (${opts.rendererDir} has no index.html); run 'npm run build' first`);
  }
  const rendererRoot = realpathSync(opts.rendererDir);
  const jobs = opts.jobs ?? new JobManager();
  const demoDir = opts.demoDir && existsSync(opts.demoDir) ? realpathSync(opts.demoDir) : null;
  const demo = demoDir ? discover([demoDir]).filter((d) => d.kind === 'run').map((d) => d.path) : [];
  const sources = new SourceRegistry(new PathPolicy(demoDir ? [...workspaces, demoDir] : workspaces));
  const handlers = createHandlers({ sources, jobs, workspaces, demo });
  const streams = new Set<ServerResponse>();
  jobs.onEvent((e: JobEvent) => {
    for (const s of streams) s.write(`data: ${JSON.stringify(e)}\n\n`);
  });

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const header = req.headers['authorization'];
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token') ?? '';
    const b = Buffer.from(given);
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        if (url.pathname.startsWith('/api/')) {
          if (!authorized(req, url)) return send(res, 401, { error: 'a valid token is required: open the URL the server printed (…/?token=…)', kind: 'forbidden' });
          if (url.pathname === '/api/events' && req.method === 'GET') {
            res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
            res.write(': connected\n\n');
            streams.add(res);
            req.on('close', () => streams.delete(res));
            return;
          }
          if (req.method !== 'POST') return send(res, 405, { error: 'API calls are POST requests', kind: 'invalid' });
          const channel = url.pathname.slice('/api/'.length);
          let payload: unknown;
          try {
            const body = await readBody(req);
            payload = body.trim() === '' ? {} : JSON.parse(body);
          } catch (err) {
            throw err instanceof ApiError ? err : new ApiError('invalid', 'the request body is not valid JSON');
          }
          return send(res, 200, await dispatch(handlers, channel, payload));
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed', kind: 'invalid' });
        // static files of the built renderer, never outside it
        const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
        const file = join(rendererRoot, rel);
        const inside = !relative(rendererRoot, file).startsWith('..') && !isAbsolute(relative(rendererRoot, file));
        if (!inside || !existsSync(file) || !statSync(file).isFile() || realpathSync(file) !== file) {
          res.writeHead(404, { 'Content-Type': 'text/plain' });
          return res.end('not found');
        }
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError('failed', (err as Error).message);
        send(res, STATUS[e.kind], { error: e.message, kind: e.kind });
      }
    })();
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 0;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    jobs,
    close: async () => {
      for (const s of streams) s.end();
      await jobs.shutdown('the server that started it was stopped');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
