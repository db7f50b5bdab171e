/**
 * The desktop-only calls (DESKTOP_IPC): app info, the Open and Save dialogs, and the list of
 * recently opened runs and checkpoints. Electron's dialog and app come in as arguments so that
 * the tests can pass fakes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { z } from 'zod';
import type { BrowserWindow, Dialog, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { ApiError, parseRequest as parse } from '../api/contract.js';
import { DESKTOP_IPC, type AppInfo } from '../preload/api.js';
import type { IpcHandler } from './registrar.js';

export const RECENT_LIMIT = 12;

/** Recently opened paths, newest first, kept in a JSON file (userData/recent.json). */
export class RecentList {
  readonly file: string;
  readonly limit: number;

  constructor(file: string, limit = RECENT_LIMIT) {
    this.file = file;
    this.limit = limit;
  }

  /** The list; a missing, unreadable or corrupt file is an empty list. */
  list(): string[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      if (!Array.isArray(parsed)) return [];
      const seen = new Set<string>();
      return parsed.filter((p): p is string => typeof p === 'string' && p.length > 0 && !seen.has(p) && (seen.add(p), true)).slice(0, this.limit);
    } catch {
      return [];
    }
  }

  /** Puts `path` first (once), keeps at most `limit`, writes the file atomically. */
  add(path: string): string[] {
    const next = [path, ...this.list().filter((p) => p !== path)].slice(0, this.limit);
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2));
    renameSync(tmp, this.file);
    return next;
  }
}

const saveRequest = z
  .object({
    defaultName: z.string().min(1).max(255),
    data: z.string().max(256 * 1024 * 1024),
    encoding: z.enum(['utf8', 'base64']),
  })
  .strict();

const noArguments = z.union([z.undefined(), z.null(), z.object({}).strict()]);

const FILTERS: Record<string, { name: string; extensions: string[] }> = {
  '.png': { name: 'PNG image', extensions: ['png'] },
  '.svg': { name: 'SVG image', extensions: ['svg'] },
  '.csv': { name: 'CSV table', extensions: ['csv'] },
  '.json': { name: 'JSON', extensions: ['json'] },
};

export const OPEN_DIALOG_OPTIONS: OpenDialogOptions = {
  title: 'Open a run folder, a checkpoint folder or an ONNX checkpoint',
  properties: ['openDirectory', 'openFile', 'multiSelections'],
  filters: [
    { name: 'ONNX checkpoints', extensions: ['onnx'] },
    { name: 'All files', extensions: ['*'] },
  ],
};

export function saveDialogOptions(defaultName: string): SaveDialogOptions {
  const name = basename(defaultName);
  const filter = FILTERS[extname(name).toLowerCase()];
  return { title: 'Save', defaultPath: name, filters: filter ? [filter, { name: 'All files', extensions: ['*'] }] : undefined, properties: ['createDirectory', 'showOverwriteConfirmation'] };
}

export interface DesktopDeps {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  /** the window dialogs are modal to, if any */
  window: () => BrowserWindow | null;
  info: () => AppInfo;
  recent: RecentList;
}

/** The desktop calls as IPC handlers, on the DESKTOP_IPC channels. */
export function desktopTable(deps: DesktopDeps): Record<string, IpcHandler> {
  return {
    [DESKTOP_IPC.appInfo]: (payload) => {
      parse(noArguments, DESKTOP_IPC.appInfo, payload);
      return deps.info();
    },
    [DESKTOP_IPC.openDialog]: async (payload) => {
      parse(noArguments, DESKTOP_IPC.openDialog, payload);
      const win = deps.window();
      const r = win ? await deps.dialog.showOpenDialog(win, OPEN_DIALOG_OPTIONS) : await deps.dialog.showOpenDialog(OPEN_DIALOG_OPTIONS);
      return r.canceled ? [] : r.filePaths;
    },
    [DESKTOP_IPC.saveFile]: async (payload) => {
      const req = parse(saveRequest, DESKTOP_IPC.saveFile, payload);
      const options = saveDialogOptions(req.defaultName);
      const win = deps.window();
      const r = win ? await deps.dialog.showSaveDialog(win, options) : await deps.dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return false;
      try {
        writeFileSync(r.filePath, Buffer.from(req.data, req.encoding));
      } catch (err) {
        throw new ApiError('failed', `could not write ${r.filePath}: ${(err as Error).message}`);
      }
      return true;
    },
    [DESKTOP_IPC.recent]: (payload) => {
      parse(noArguments, DESKTOP_IPC.recent, payload);
      return deps.recent.list().filter((p) => existsSync(p));
    },
  };
}
