/**
 * The API the preload script exposes to the renderer as `window.workbench`.
 * Type-only module: shared by the preload (implementation) and the renderer (declaration).
 */

export interface AppInfo {
  name: string;
  version: string;
  electron: string;
  chrome: string;
  node: string;
  platform: string;
}

export interface WorkbenchApi {
  /** Basic information about the running app (answered by the main process). */
  appInfo: () => Promise<AppInfo>;
}

/** IPC channel names, kept in one place so main and preload agree. */
export const IPC = {
  appInfo: 'app:info',
} as const;
