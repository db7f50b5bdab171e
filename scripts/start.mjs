// `npm start` / `npm run dev`: the desktop app through `electron-vite preview` (or `dev`). The
// electron package holds only a downloader for its binary, run on the first require('electron'),
// which prints a stack trace where the download host cannot be reached. So look for the binary
// here first, fetch it with electron's own install.js when it is missing, and when that fails say
// in one sentence how to get it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));

/** Where require('electron') would point (electron's index.js, without its download), if the file is there. */
function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? join(override, executable || 'electron') : executable ? join(electronDir, 'dist', executable) : null;
  return binary && existsSync(binary) ? binary : null;
}

if (!electronBinary()) {
  process.stderr.write('Fetching the Electron binary (once)…\n');
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 600_000 });
  if (!electronBinary()) {
    process.stderr.write(
      'The Electron binary is not installed and could not be downloaded here: run `node node_modules/electron/install.js` where the network allows, then `npm start` again, or use the workbench in a browser with `npx circuit-workbench serve runs/`.\n',
    );
    process.exit(1);
  }
}

const mode = process.argv[2] === 'dev' ? 'dev' : 'preview';
const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [cli, mode, ...process.argv.slice(3)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
