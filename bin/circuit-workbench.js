#!/usr/bin/env node
// Runs the CLI's bundle (out/main/cli.js, built by `electron-vite build`, which `npm install`
// runs) while it is newer than every file under src-main/; otherwise the TypeScript sources
// through tsx's loader, so a fresh checkout or an edited source works with no build step (compiling
// the CLI first costs a second or more at every start).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/main/cli.js', import.meta.url);
const sources = fileURLToPath(new URL('../src-main', import.meta.url));

/** Whether any file under `dir` was modified after `since` (ms). */
function changedSince(dir, since) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory() ? changedSince(path, since) : statSync(path).mtimeMs > since) return true;
  }
  return false;
}

const bundlePath = fileURLToPath(bundle);
const fresh = process.env['CIRCUIT_WORKBENCH_FROM_SOURCE'] !== '1' && existsSync(bundlePath) && (!existsSync(sources) || !changedSince(sources, statSync(bundlePath).mtimeMs));
if (fresh) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src-main/cli/main.ts');
}
