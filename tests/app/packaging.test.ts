/**
 * Packaging and starting the desktop app. electron-builder cannot run here (it downloads
 * Electron), so these tests check its configuration (electron-builder.json): against the
 * builder's own schema, the native and wasm files it must leave outside the asar (matched
 * against the real files in node_modules), and the fuses. And `npm start` without the Electron
 * binary tries to fetch it, and says in one sentence how to install it when it cannot.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, matchesGlob, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const config = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as {
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; maintainer?: string };
  extraResources: { from: string; to: string }[];
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; devDependencies: Record<string, string>; scripts: Record<string, string> };

/** Every file under `dir`, as paths relative to the repository. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...files(full));
    else out.push(relative(ROOT, full));
  }
  return out;
}
const unpacked = (file: string) => config.asarUnpack.some((pattern) => matchesGlob(file, pattern));

describe('electron-builder.json', () => {
  it("is valid for the electron-builder this repository installs", async () => {
    const require = createRequire(import.meta.url);
    const builderDir = require.resolve('app-builder-lib/package.json', { paths: [require.resolve('electron-builder/package.json')] }).replace(/package\.json$/, '');
    const { validateConfiguration } = (await import(join(builderDir, 'out/util/config/config.js'))) as { validateConfiguration: (c: unknown, log: unknown) => Promise<void> };
    const { DebugLogger } = (await import(require.resolve('builder-util', { paths: [builderDir] }))) as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, asarUnpak: [] }, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('builds a Linux AppImage and a deb of the built app, with the demo runs as resources', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.maintainer).toBeTruthy();
    expect(config.asar).toBe(true);
    expect(config.files).toContain('out/**/*');
    expect(pkg.main).toBe('out/main/index.js');
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'resources/demo', to: 'demo' }));
    expect(pkg.scripts['package']).toMatch(/electron-builder --linux/);
  });

  it("unpacks onnxruntime-node's native files and tfjs-backend-wasm's .wasm files from the asar", () => {
    const onnx = files(join(ROOT, 'node_modules/onnxruntime-node/bin'));
    const linuxNative = onnx.filter((f) => /[\\/]linux[\\/]/.test(f));
    expect(linuxNative.some((f) => f.endsWith('.node'))).toBe(true);
    expect(linuxNative.some((f) => /\.so(\.\d+)*$/.test(f))).toBe(true);
    for (const f of linuxNative) expect(unpacked(f), f).toBe(true);
    const wasm = files(join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm')).filter((f) => f.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const f of wasm) expect(unpacked(f), f).toBe(true);
    // and nothing else: the app's code stays in the asar
    for (const f of ['out/main/index.js', 'node_modules/onnxruntime-node/dist/index.js', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js']) expect(unpacked(f), f).toBe(false);
  });

  it("flips Electron's fuses: no RunAsNode, encrypted cookies, only the asar, and its integrity checked", () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('is for a supported Electron (45)', () => {
    expect(pkg.devDependencies['electron']).toMatch(/^\^45\./);
    const require = createRequire(import.meta.url);
    const installed = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string };
    expect(Number(installed.version.split('.')[0])).toBe(45);
  });
});

describe('npm start', () => {
  it('fetches a missing Electron binary, and says in one sentence how to install it when that fails', () => {
    expect(pkg.scripts['start']).toBe('node scripts/start.mjs preview');
    expect(pkg.scripts['dev']).toBe('node scripts/start.mjs dev');
    // ELECTRON_OVERRIDE_DIST_PATH points electron at a folder without the binary, wherever it is
    // installed; ELECTRON_MIRROR sends electron's downloader to a closed port on this machine
    const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(ROOT, 'no-electron-here'), ELECTRON_MIRROR: 'http://127.0.0.1:1/' };
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/start.mjs'), 'preview'], { encoding: 'utf8', env, timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'Fetching the Electron binary (once)…',
      'The Electron binary is not installed and could not be downloaded here: run `node node_modules/electron/install.js` where the network allows, then `npm start` again, or use the workbench in a browser with `npx circuit-workbench serve runs/`.',
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  });
});
