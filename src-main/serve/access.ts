/**
 * Who may talk to the HTTP server: the token (refused when short), where it may travel (an
 * Authorization header or an HttpOnly cookie; the query string only to load the page and open
 * the event stream, where a browser cannot send a header), and which Host names the server
 * answers to, so that a DNS-rebinding page cannot reach it through a name of its own.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api/contract.js';

export const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 256;

/** The token if it is long enough and safe in a URL and a cookie; an ApiError('invalid') otherwise. */
export function checkToken(token: string): string {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ApiError('invalid', `the token must be at least ${MIN_TOKEN_LENGTH} characters long (it has ${token.length}); leave --token and CIRCUIT_WORKBENCH_TOKEN unset for a random one`);
  }
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9._~-]+$/.test(token)) {
    throw new ApiError('invalid', `the token may hold at most ${MAX_TOKEN_LENGTH} letters, digits, dots, dashes, underscores and tildes; leave --token and CIRCUIT_WORKBENCH_TOKEN unset for a random one`);
  }
  return token;
}

/** A constant-time comparison with the server's token. */
export function tokenMatcher(token: string): (given: string | null | undefined) => boolean {
  const expected = Buffer.from(token);
  return (given) => {
    if (!given) return false;
    const b = Buffer.from(given);
    return b.length === expected.length && timingSafeEqual(b, expected);
  };
}

/** The cookie that carries the token; named after the port, as cookies do not tell ports apart. */
export const cookieName = (port: number): string => `circuit-workbench-${port}`;

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** One cookie's value from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The bearer token of an Authorization header, or null. */
export function bearer(req: IncomingMessage): string | null {
  const header = req.headers['authorization'];
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : null;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '';
const bracket = (host: string): string => (isIP(host) === 6 ? `[${host}]` : host);

/**
 * Decides whether a request's Host header names this server: the address it listens on and its
 * port (localhost, 127.0.0.1 and [::1] alike on loopback), or any of `extra`. Listening on every
 * interface (0.0.0.0 or ::), it also answers to IP addresses and this machine's name, which a
 * rebinding page cannot borrow.
 */
export function hostCheck(listenHost: string, port: number, extra: string[] = []): (header: string | undefined) => boolean {
  const host = listenHost.toLowerCase();
  const names = new Set<string>([bracket(host), ...extra.map((h) => bracket(h.toLowerCase()))]);
  if (isLoopback(host)) for (const n of LOOPBACK_NAMES) names.add(n);
  const wildcard = isWildcard(host);
  if (wildcard) {
    for (const n of LOOPBACK_NAMES) names.add(n);
    names.add(hostname().toLowerCase());
  }
  return (header) => {
    if (typeof header !== 'string') return false;
    const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
    if (!m) return false;
    const name = m[1].toLowerCase();
    if (Number(m[2] ?? 80) !== port) return false;
    if (names.has(name)) return true;
    return wildcard && isIP(name.replace(/^\[|\]$/g, '')) !== 0;
  };
}

/** Throws the 403 a request from another origin gets (a page elsewhere posting with the cookie). */
export function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers['origin'];
  if (origin === undefined) return;
  if (origin !== `http://${req.headers.host ?? ''}`) {
    throw new ApiError('forbidden', `calls from ${origin} are refused; open the workbench at the address the server printed`);
  }
}
