/**
 * The Content-Security-Policy of every page of the workbench, for both doors that serve the
 * renderer: the Electron session (app/window.ts) and the HTTP server (serve/server.ts). No
 * electron import: the server runs in plain Node.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
