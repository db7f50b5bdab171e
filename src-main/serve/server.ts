/**
 * The workbench over HTTP, for a remote training box or a headless machine: the built renderer
 * as static files, the same handler table under POST /api/<call>, job events as server-sent
 * events. Listens on 127.0.0.1 by default, answers only to its own Host name, asks for a token
 * on every API call (as Jupyter does; access.ts says where it may travel), and opens only what
 * lies under the workspace folders it was given. A request that fails gets a 4xx or 500 with a
 * sentence; none takes the server down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { ApiError, type JobEvent } from '../api/contract.js';
import { createHandlers, dispatch } from '../api/handlers.js';
import { PathPolicy, SourceRegistry, discover } from '../api/sources.js';
import { JobManager } from '../jobs/manager.js';
import { nodeWorkerLauncher } from '../jobs/launchers.js';
import { contentTypeOf, rendererFile, rendererHeaders } from '../api/rendererFiles.js';
import { bearer, checkOrigin, checkToken, cookieName, hostCheck, readCookie, tokenCookie, tokenMatcher } from './access.js';

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
  /** how many job workers run at once (default: the cores); the rest wait in a queue */
  maxJobs?: number;
  /** how many event streams may be open at once (default 32); past it a new one gets 429 */
  maxStreams?: number;
  /** more Host names to answer to (a reverse proxy's name) */
  allowedHosts?: string[];
}

export interface RunningServer {
  server: Server;
  url: string;
  token: string;
  jobs: JobManager;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

const DEFAULT_MAX_STREAMS = 32;
/** Past the 1 MB limit the rest of a body is read and dropped (so the client sees the 413) up to this. */
const MAX_DRAIN = 64 << 20;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(text);
}

class TooLarge extends Error {}

/** The request body as text; a TooLarge error past MAX_BODY, once the rest has been read and dropped. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let over = false;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        over = true;
        chunks.length = 0;
        if (size > MAX_DRAIN) req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => (over ? reject(new TooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('close', () => over && reject(new TooLarge()));
    req.on('error', reject);
  });
}

const STATUS: Record<ApiError['kind'], number> = { invalid: 400, 'not-found': 404, forbidden: 403, failed: 500 };

/** The page's own entry points: where the token may come in the address, to be swapped for a cookie. */
const PAGE_PATHS = new Set(['/', '/index.html']);

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token === undefined ? randomBytes(24).toString('hex') : checkToken(opts.token);
  const matches = tokenMatcher(token);
  const workspaces = opts.workspaces.map((w) => {
    if (!existsSync(w) || !statSync(w).isDirectory()) throw new ApiError('not-found', `the workspace ${w} is not a folder`);
    return realpathSync(w);
  });
  if (!existsSync(join(opts.rendererDir, 'index.html'))) {
    throw new ApiError('not-found', `the workbench UI is not built (${opts.rendererDir} has no index.html); run 'npm run build' first`);
  }
  const rendererRoot = realpathSync(opts.rendererDir);
  const jobs = opts.jobs ?? new JobManager(nodeWorkerLauncher, { concurrency: opts.maxJobs ?? availableParallelism() });
  const maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
  const demoDir = opts.demoDir && existsSync(opts.demoDir) ? realpathSync(opts.demoDir) : null;
  const demo = demoDir ? discover([demoDir]).filter((d) => d.kind === 'run').map((d) => d.path) : [];
  const sources = new SourceRegistry(new PathPolicy(demoDir ? [...workspaces, demoDir] : workspaces));
  const handlers = createHandlers({ sources, jobs, workspaces, demo });
  const streams = new Set<ServerResponse>();
  jobs.onEvent((e: JobEvent) => {
    for (const s of streams) s.write(`data: ${JSON.stringify(e)}\n\n`);
  });
  // set once listening: the Host check and the cookie need the real port
  let port = 0;
  let hostAllowed: (header: string | undefined) => boolean = () => false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host)) {
      return send(res, 403, { error: `this server answers only to its own address, not to the host '${String(req.headers.host ?? '')}'; open the URL it printed`, kind: 'forbidden' });
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, 400, { error: 'the request address is malformed', kind: 'invalid' });
    }
    const cookie = readCookie(req.headers.cookie, cookieName(port));
    const queryToken = url.searchParams.get('token');
    const isGet = req.method === 'GET' || req.method === 'HEAD';

    if (url.pathname.startsWith('/api/')) {
      checkOrigin(req);
      const isEvents = url.pathname === '/api/events' && req.method === 'GET';
      // a query-string token only where a browser cannot send a header: the event stream
      if (!matches(bearer(req)) && !matches(cookie) && !(isEvents && matches(queryToken))) {
        const where = queryToken && !isEvents ? 'send the token in an Authorization: Bearer header, not in the address' : 'open the URL the server printed (…/?token=…)';
        return send(res, 401, { error: `a valid token is required: ${where}`, kind: 'forbidden' });
      }
      if (isEvents) {
        if (streams.size >= maxStreams) {
          return send(res, 429, { error: `too many open event streams (${maxStreams}); close other workbench tabs and reload`, kind: 'invalid' }, { 'Retry-After': '5' });
        }
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (req.method !== 'POST') return send(res, 405, { error: 'API calls are POST requests', kind: 'invalid' });
      const channel = url.pathname.slice('/api/'.length);
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_DRAIN) return send(res, 413, { error: `the request body is larger than ${MAX_BODY / (1 << 20)} MB`, kind: 'invalid' }, { Connection: 'close' });
      let payload: unknown;
      try {
        const body = await readBody(req);
        payload = body.trim() === '' ? {} : JSON.parse(body);
      } catch (err) {
        if (err instanceof TooLarge) return send(res, 413, { error: `the request body is larger than ${MAX_BODY / (1 << 20)} MB`, kind: 'invalid' }, { Connection: 'close' });
        throw new ApiError('invalid', 'the request body is not valid JSON');
      }
      return send(res, 200, await dispatch(handlers, channel, payload));
    }

    if (!isGet) return send(res, 405, { error: 'method not allowed', kind: 'invalid' });
    if (PAGE_PATHS.has(url.pathname) && queryToken !== null) {
      if (!matches(queryToken)) return send(res, 401, { error: "the token in this address is not this server's; open the URL the server printed", kind: 'forbidden' });
      // swap the token in the address for a cookie, and take it out of the address bar
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + url.search, 'Set-Cookie': tokenCookie(port, token), 'Cache-Control': 'no-store' });
      return void res.end();
    }
    // static files of the built renderer, never outside it
    let file: string | null;
    try {
      file = rendererFile(rendererRoot, url.pathname);
    } catch {
      return send(res, 400, { error: 'the request address has a malformed % escape', kind: 'invalid' });
    }
    if (!file || !existsSync(file) || !statSync(file).isFile() || realpathSync(file) !== file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return void res.end('not found');
    }
    res.writeHead(200, rendererHeaders(contentTypeOf(file)));
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      try {
        if (err instanceof ApiError) return send(res, STATUS[err.kind], { error: err.message, kind: err.kind });
        process.stderr.write(`circuit-workbench serve: ${req.method ?? ''} ${req.url ?? ''} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        send(res, 500, { error: 'the server could not answer this request (an unexpected error, logged where the server runs)', kind: 'failed' });
      } catch {
        res.destroy();
      }
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : opts.port ?? 0;
  hostAllowed = hostCheck(host, port, opts.allowedHosts ?? []);
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
