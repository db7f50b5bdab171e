/**
 * bin/circuit-workbench.js runs the CLI's bundle (out/main/cli.js) only while it is newer than
 * every source under src-main/, and the TypeScript sources through tsx otherwise: an edited source
 * is never shadowed by a stale bundle. Checked on a copy of bin/ in a package folder of its own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let pkg: string;

function write(path: string, text: string, seconds: number): void {
  mkdirSync(dirname(join(pkg, path)), { recursive: true });
  writeFileSync(join(pkg, path), text);
  utimesSync(join(pkg, path), seconds, seconds);
}

const run = (env: Record<string, string> = {}): string => {
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'circuit-workbench.js')], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
};

beforeEach(() => {
  pkg = mkdtempSync(join(tmpdir(), 'cw-launcher-'));
  mkdirSync(join(pkg, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'circuit-workbench.js'), join(pkg, 'bin', 'circuit-workbench.js'));
  writeFileSync(join(pkg, 'package.json'), '{"type":"module"}');
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  write('src-main/cli/main.ts', "const from: string = 'sources';\nconsole.log(from);\n", 1000);
  write('src-main/engine/model.ts', 'export {};\n', 1000);
});
afterEach(() => rmSync(pkg, { recursive: true, force: true }));

describe('bin/circuit-workbench.js', () => {
  it('runs the TypeScript sources when there is no bundle', () => {
    expect(run()).toBe('sources');
  });

  it('runs the bundle while it is newer than every source, and the sources once one changes', () => {
    write('out/main/cli.js', "console.log('bundle');\n", 2000);
    expect(run()).toBe('bundle');
    expect(run({ CIRCUIT_WORKBENCH_FROM_SOURCE: '1' })).toBe('sources');
    write('src-main/engine/model.ts', 'export const edited = 1;\n', 3000); // a source edited after the build
    expect(run()).toBe('sources');
  });
});
