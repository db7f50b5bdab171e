/**
 * Electron main process: one hardened window that shows the renderer (src-renderer).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { IPC, type AppInfo } from '../preload/api.js';

const here = dirname(fileURLToPath(import.meta.url));
// Built layout: out/main/index.js, out/preload/index.cjs, out/renderer/index.html
const PRELOAD_PATH = join(here, '../preload/index.cjs');
const RENDERER_HTML = join(here, '../renderer/index.html');
const DEV_URL = process.env['ELECTRON_RENDERER_URL'];

function appInfo(): AppInfo {
  return {
    name: app.getName(),
    version: app.getVersion(),
    electron: process.versions.electron ?? '',
    chrome: process.versions.chrome ?? '',
    node: process.versions.node,
    platform: process.platform,
  };
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Circuit Workbench',
    show: false,
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  win.once('ready-to-show', () => win.show());

  if (!app.isPackaged && DEV_URL) {
    void win.loadURL(DEV_URL);
  } else {
    void win.loadFile(RENDERER_HTML);
  }
  return win;
}

// Harden every web contents the app ever creates: no navigation away, no new windows,
// no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

ipcMain.handle(IPC.appInfo, (): AppInfo => appInfo());

void app.whenReady().then(() => {
  // The workbench needs no browser permissions (camera, notifications, ...).
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
