/**
 * One writer per run folder. Two trainings appending to the same metrics.csv and trajectory.npy
 * interleave their rows; the lock file names the writer (pid, host, start) so the second one is
 * refused with a sentence. A lock whose process is gone (same host), or that nobody has touched
 * for ten minutes (another host: a crashed cluster node), is stale and taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processIsAlive } from '../io/atomic.js';

export const LOCK_FILE = 'writer.lock';
const STALE_AFTER_MS = 10 * 60 * 1000;

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export class RunLockedError extends Error {
  override name = 'RunLockedError';
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.since === 'string' ? (o as LockOwner) : null;
  } catch {
    return null;
  }
}

function isStale(path: string, owner: LockOwner | null): boolean {
  if (!owner) return true; // a writer killed while writing the lock itself
  if (owner.host === hostname()) return !processIsAlive(owner.pid);
  try {
    return Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS;
  } catch {
    return true;
  }
}

/** A held lock: `touch` it while working (another host judges it by its age), `release` at the end. */
export interface WriterLock {
  touch(): void;
  release(): void;
}

/** Takes the run folder's writer lock, or throws a RunLockedError naming who holds it. */
export function acquireWriterLock(dir: string): WriterLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      if (!isStale(path, owner)) {
        throw new RunLockedError(
          `${dir} is being written by process ${owner!.pid} on ${owner!.host} (since ${owner!.since}); wait for it to finish or stop it. If that process is gone (a machine that crashed), delete ${path} and try again`,
        );
      }
      rmSync(path, { force: true });
      continue;
    }
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      writeSync(fd, JSON.stringify(me) + '\n');
    } finally {
      closeSync(fd);
    }
    let held = true;
    return {
      touch: () => {
        if (!held) return;
        const now = new Date();
        try {
          utimesSync(path, now, now);
        } catch {
          // a missing lock file is taken again at the next start; training goes on
        }
      },
      release: () => {
        if (!held) return;
        held = false;
        if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new RunLockedError(`${dir} is being started by another process at the same moment; try again`);
}
