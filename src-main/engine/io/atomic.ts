import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that readers see either the old or the new content, never half of one.
 * `durable: false` skips the fsync: still atomic against a killed process, for files rewritten
 * often (the resume state), where a lost update after a power cut only costs a few steps.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, { durable = true } = {}): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      let written = 0;
      while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    // the error names the file asked for, not its temporary name
    const e = err as NodeJS.ErrnoException;
    if (e.path === tmp) e.path = path;
    throw err;
  }
  removeStaleTemporaries(path);
}

/** Whether a process of this machine is alive (one we may not signal still is). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A writer killed between write and rename leaves `FILE.tmp-PID` behind: remove those of dead writers. */
function removeStaleTemporaries(path: string): void {
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processIsAlive(pid)) rmSync(join(dirname(path), name), { force: true });
  }
}

const FS_SENTENCES: Record<string, string> = {
  ENOSPC: 'the disk is full; free some space and run the command again',
  EDQUOT: 'the disk quota is used up; free some space and run the command again',
  EACCES: 'permission denied; choose a folder you can write to',
  EPERM: 'the operation is not permitted; choose a folder you can write to',
  EROFS: 'the file system is read-only; choose another folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EMFILE: 'too many files are open; close other programs and try again',
  EIO: 'the disk reported an input/output error',
  ENOENT: 'there is no such file or folder',
};

/** What a file-system error means, without its path ("the disk is full; …"), or null for other errors. */
export function fileSystemReason(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException | null;
  return (e && typeof e.code === 'string' ? FS_SENTENCES[e.code] : undefined) ?? null;
}

/** One sentence for a file-system error (ENOSPC: "the disk is full…"), or null for other errors. */
export function fileSystemSentence(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException | null;
  const why = fileSystemReason(err);
  if (!why) return null;
  return e?.path ? `${e.path}: ${why}` : `a file operation failed: ${why}`;
}
