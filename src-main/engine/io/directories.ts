import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileSystemReason } from './atomic.js';

/** A folder that cannot be created; the message says which and why. */
export class FolderError extends Error {
  override name = 'FolderError';
}

/**
 * Creates a folder and its missing parents, one level at a time. Node's `mkdirSync(…, {recursive:
 * true})` retries forever, in native code that no signal interrupts, where the parent exists but
 * refuses new entries with ENOENT (`/proc/x`); here every level is tried once.
 */
export function makeDirectory(path: string): void {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    let isDir: boolean | null = null;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      // does not exist (or cannot be seen): create it after its parent
    }
    if (isDir === true) break;
    if (isDir === false) throw new FolderError(`cannot create ${path}: ${dir} is a file, not a folder; choose another folder`);
    const parent = dirname(dir);
    if (parent === dir) break;
    missing.push(dir);
    dir = parent;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // another process made it first
      if (code === 'EEXIST' && statSync(d).isDirectory()) continue;
      const why = code === 'ENOENT' ? `${dirname(d)} does not accept new folders` : (fileSystemReason(err)?.split(';')[0] ?? `the system refused to make ${d} (${code ?? String(err)})`);
      throw new FolderError(`cannot create ${path}: ${why}; choose another folder`);
    }
  }
}
