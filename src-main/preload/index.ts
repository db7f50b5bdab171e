/**
 * Preload script. Runs in the sandboxed renderer with context isolation, so it may only
 * import `electron`; it is bundled into a single CommonJS file (out/preload/index.cjs).
 * Expose a small, explicit API; never hand ipcRenderer itself to the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type AppInfo, type WorkbenchApi } from './api.js';

const api: WorkbenchApi = {
  appInfo: () => ipcRenderer.invoke(IPC.appInfo) as Promise<AppInfo>,
};

contextBridge.exposeInMainWorld('workbench', api);
