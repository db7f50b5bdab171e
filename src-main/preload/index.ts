/**
 * Preload script: runs in the sandboxed renderer with context isolation, bundled into one
 * CommonJS file. It exposes a named API (one function per call) and never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS, type Channel, type JobEvent } from '../api/contract.js';
import { DESKTOP_IPC, apiChannel, type BridgeCalls, type WorkbenchBridge } from './api.js';

const calls = Object.fromEntries(CHANNELS.map((c: Channel) => [c, (req: unknown) => ipcRenderer.invoke(apiChannel(c), req)])) as unknown as BridgeCalls;

const bridge: WorkbenchBridge = {
  calls,
  desktop: {
    appInfo: () => ipcRenderer.invoke(DESKTOP_IPC.appInfo),
    openDialog: () => ipcRenderer.invoke(DESKTOP_IPC.openDialog),
    saveFile: (req) => ipcRenderer.invoke(DESKTOP_IPC.saveFile, req),
    recent: () => ipcRenderer.invoke(DESKTOP_IPC.recent),
  },
  onJobEvent(listener) {
    const handler = (_event: unknown, e: JobEvent) => listener(e);
    ipcRenderer.on(DESKTOP_IPC.jobEvent, handler);
    return () => ipcRenderer.removeListener(DESKTOP_IPC.jobEvent, handler);
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('workbench', bridge);
