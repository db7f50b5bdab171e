// `npm start`: the desktop app through `electron-vite preview`. The electron package on npm holds
// only a downloader, and npm here does not run it (package.json's allowScripts), so the binary
// may be missing: then say in one sentence how to get it, instead of Electron's stack trace.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron binary's path if it is there, else null. */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // electron's index.js throws when its download never ran
  }
}

if (!electronBinary()) {
  process.stderr.write(
    'The Electron binary is not installed (npm install does not download it here): run `node node_modules/electron/install.js` where the network allows, then `npm start` again, or use the workbench in a browser with `npx circuit-workbench serve runs/`.\n',
  );
  process.exit(1);
}

const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [cli, 'preview', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
