/**
 * Electron main process: one hardened window showing the renderer (src-renderer) from the
 * app:// scheme, the API's handler table over IPC (every channel through the registrar, with
 * its sender check against that origin), job workers in utility processes, and the
 * desktop-only calls (dialogs, recent files).
 *
 * Built layout: out/main/index.js, out/main/job-worker.js, out/preload/index.cjs,
 * out/renderer/index.html.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import type { JobEvent, SourceInfo } from '../api/contract.js';
import { createHandlers } from '../api/handlers.js';
import { discover, PathPolicy, SourceRegistry } from '../api/sources.js';
import { JobManager } from '../jobs/manager.js';
import { DESKTOP_IPC, type AppInfo } from '../preload/api.js';
import { desktopTable, RecentList } from './desktop.js';
import { inProcessLauncher } from '../jobs/in-process.js';
import { utilityProcessLauncher, utilityProcessRunLauncher } from './utility-process-launcher.js';
import { APP_URL as BUILT_APP_URL, handleAppScheme, registerAppScheme } from './protocol.js';
import { apiTable, registerHandlers, trustedSender } from './registrar.js';
import { hardenContents, hardenSession, windowOptions } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD_PATH = join(here, '../preload/index.cjs');
const RENDERER_DIR = join(here, '../renderer');
const WORKER_PATH = join(here, 'job-worker.js');
const DEV_URL = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;

/** The URL of the app's own page: the dev server in development, app://workbench/ otherwise. */
const APP_URL = DEV_URL ?? BUILT_APP_URL;

/**
 * The bundled demo runs: every run folder under resources/demo (or a single resources/demo-run),
 * next to the app's resources when packaged, in the repository otherwise. None when absent.
 */
function demoRuns(): string[] {
  const base = app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
  const dirs = ['demo', 'demo-run'].map((d) => join(base, d)).filter((d) => existsSync(d));
  return discover(dirs)
    .filter((d) => d.kind === 'run')
    .map((d) => d.path);
}

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

let mainWindow: BrowserWindow | null = null;
const liveWindow = (): BrowserWindow | null => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions(PRELOAD_PATH));
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(APP_URL);
  return win;
}

function start(): void {
  // Every renderer is sandboxed, whatever its options say.
  app.enableSandbox();
  // app:// must be declared before the app is ready; it is served once it is.
  registerAppScheme(protocol);

  // Harden every web contents the app ever creates, the window's included.
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, () => APP_URL));

  // Every job in a utility process, except a sweep: it only waits on its runs, each in a utility
  // process of its own on the app's built job worker, which only the main process can start.
  const jobs = new JobManager(utilityProcessLauncher(WORKER_PATH), { launchByKind: { sweep: inProcessLauncher(utilityProcessRunLauncher(WORKER_PATH)) } });
  jobs.onEvent((e: JobEvent) => {
    const win = liveWindow();
    if (win && !win.webContents.isDestroyed()) win.webContents.send(DESKTOP_IPC.jobEvent, e);
  });

  const sources = new SourceRegistry(new PathPolicy(null));
  const workspace = join(app.getPath('documents'), 'Circuit Workbench runs');
  const handlers = createHandlers({ sources, jobs, workspaces: [workspace], demo: demoRuns() });
  const recent = new RecentList(join(app.getPath('userData'), 'recent.json'));

  const table = {
    ...apiTable(handlers, (channel, _request, response) => {
      if (channel === 'source.open') recent.add((response as SourceInfo).path);
    }),
    ...desktopTable({ dialog, window: liveWindow, info: appInfo, recent }),
  };
  registerHandlers(
    ipcMain,
    trustedSender(() => liveWindow()?.webContents ?? null, () => APP_URL),
    table,
  );

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    handleAppScheme(protocol, RENDERER_DIR);
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('second-instance', () => {
    const win = liveWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => {
    jobs.shutdown();
    for (const [id] of sources.entries()) void sources.close(id).catch(() => {});
  });
}

if (app.requestSingleInstanceLock()) start();
else app.quit();
