/** Picks the WorkbenchApi implementation: the preload bridge in Electron, HTTP in a browser. */
import type { WorkbenchBridge } from '../../../src-main/preload/api';
import { httpApi, takeToken } from './http';
import { ipcApi } from './ipc';
import type { WorkbenchApi } from './types';

declare global {
  interface Window {
    workbench?: WorkbenchBridge;
  }
}

export function createApi(): WorkbenchApi {
  return window.workbench ? ipcApi(window.workbench) : httpApi(takeToken());
}

export * from './types';
