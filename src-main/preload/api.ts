/**
 * What the preload script exposes to the renderer as `window.workbench`: one named function per
 * API call, job events, and the few things only the desktop can do (file dialogs, dropped-file
 * paths). Type-only for the renderer; the channel names are shared with the main process.
 */
import type { Channel, JobEvent, Request, Response } from '../api/contract.js';

export interface AppInfo {
  name: string;
  version: string;
  electron: string;
  chrome: string;
  node: string;
  platform: string;
}

/** Desktop-only calls (main process, not the engine). */
export interface DesktopCalls {
  appInfo(): Promise<AppInfo>;
  /** the Open dialog: run folders, checkpoint folders or .onnx files; [] when cancelled */
  openDialog(): Promise<string[]>;
  /** the Save dialog, then writes the file; false when cancelled */
  saveFile(req: { defaultName: string; data: string; encoding: 'utf8' | 'base64' }): Promise<boolean>;
  /** recently opened paths, newest first */
  recent(): Promise<string[]>;
}

export type BridgeCalls = { [C in Channel]: (req: Request<C>) => Promise<Response<C>> };

export interface WorkbenchBridge {
  calls: BridgeCalls;
  desktop: DesktopCalls;
  /** subscribes to job events; returns an unsubscribe function */
  onJobEvent(listener: (e: JobEvent) => void): () => void;
  /** the path of a dropped file or folder (webUtils.getPathForFile) */
  pathForFile(file: File): string;
}

/** IPC channels of the desktop-only calls and of job events. */
export const DESKTOP_IPC = {
  appInfo: 'app:info',
  openDialog: 'app:open-dialog',
  saveFile: 'app:save-file',
  recent: 'app:recent',
  jobEvent: 'app:job-event',
} as const;

/** The IPC channel of an API call. */
export const apiChannel = (c: Channel): string => `api:${c}`;
