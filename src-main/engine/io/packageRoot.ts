/**
 * Where this package is installed. Code runs from its sources (src-main/…, through tsx) or from a
 * bundle (out/main/…, where shared code lands in chunks/ one level deeper), so a path written
 * relative to one module's own URL points elsewhere in the other; the package root does not move.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The folder holding this package's package.json and bin/circuit-workbench.js, found upwards from `moduleUrl`. */
export function packageRoot(moduleUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'circuit-workbench.js'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no circuit-workbench package folder above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}

/**
 * The script a forked Node worker runs: next to the calling module's source through tsx when the
 * caller runs from src-main/, else the bundled out/main/<name>.js (built with the CLI).
 */
export function nodeWorkerScript(name: string, callerUrl: string): { entry: string; execArgv: string[] } {
  if (callerUrl.endsWith('.ts')) return { entry: fileURLToPath(new URL(`./${name}.ts`, callerUrl)), execArgv: ['--import', 'tsx'] };
  return { entry: join(packageRoot(callerUrl), 'out', 'main', `${name}.js`), execArgv: [] };
}

/**
 * A worker_threads Worker running the module `name`: its source next to the caller's through tsx's
 * API when the caller runs from src-main/ (a thread does not inherit the `--import tsx` hooks), else
 * the bundled <name>.js in out/main/, found from the caller's own place there (out/main/ or its
 * chunks/), so that it is found in a packaged app too, which has no bin/ to mark the package root.
 */
export function startThread(name: string, callerUrl: string): Worker {
  if (!callerUrl.endsWith('.ts')) {
    const here = dirname(fileURLToPath(callerUrl));
    return new Worker(join(basename(here) === 'chunks' ? dirname(here) : here, `${name}.js`));
  }
  const source = fileURLToPath(new URL(`./${name}.ts`, callerUrl));
  const api = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(source)}, ${JSON.stringify(api)}))`, { eval: true });
}
