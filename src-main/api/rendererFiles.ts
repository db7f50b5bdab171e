/**
 * The built renderer's files, as both doors that serve them answer for them: the desktop app's
 * app:// scheme (app/protocol.ts) and the HTTP server (serve/server.ts). Which file a URL path
 * names (never one outside the folder), its content type, and the headers every page file
 * carries (the CSP among them).
 */
import { extname, isAbsolute, join, relative } from 'node:path';
import { CSP } from './csp.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/** The Content-Type of a renderer file, by its extension. */
export function contentTypeOf(file: string): string {
  const ext = extname(file).toLowerCase();
  return Object.hasOwn(TYPES, ext) ? TYPES[ext] : 'application/octet-stream';
}

/** The headers of every response for a renderer file (and of the door's refusals). */
export function rendererHeaders(contentType: string): Record<string, string> {
  return { 'Content-Type': contentType, 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
}

/**
 * The file under `root` that a URL's (still %-encoded) path names, '/' being index.html; null
 * when it leaves `root` (.., encoded or not) or holds a NUL byte or a backslash. A malformed %
 * escape throws a URIError, which each door answers in its own way.
 */
export function rendererFile(root: string, pathname: string): string | null {
  const rel = decodeURIComponent(pathname === '/' || pathname === '' ? '/index.html' : pathname);
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const file = join(root, rel);
  const r = relative(root, file);
  if (r === '' || r.startsWith('..') || isAbsolute(r)) return null;
  return file;
}
