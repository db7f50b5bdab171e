/**
 * `npm test`'s own set-up (scripts/test-setup.ts): which Debian packages are missing, what it does
 * about them, and when it rebuilds the UI.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildReason, missing, plan, REQUIREMENTS, unimportable, type Requirement } from '../../scripts/test-setup.js';
import { DEBIAN_PYTHON, tempDir } from '../helpers.js';

const root = tempDir();

function touch(path: string, seconds: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, seconds, seconds);
}

describe('test set-up', () => {
  it('finds what is missing: a module Python cannot import, a program or a file that is not there', () => {
    expect(unimportable(['json', 'no_such_module_cw'], DEBIAN_PYTHON)).toEqual(['no_such_module_cw']);
    expect(unimportable(['json'], join(root, 'no-python'))).toEqual(['json']);
    const fake: Requirement[] = [
      { apt: 'python3-json', why: 'x', modules: ['json'] },
      { apt: 'python3-nothing', why: 'x', modules: ['no_such_module_cw'] },
      { apt: 'coreutils', why: 'x', programs: ['ls'] },
      { apt: 'nothing-bin', why: 'x', programs: ['no-such-program-cw'] },
      { apt: 'nothing-file', why: 'x', files: [join(root, 'absent')] },
    ];
    expect(missing(fake).map((r) => r.apt)).toEqual(['python3-nothing', 'nothing-bin', 'nothing-file']);
    expect(REQUIREMENTS.map((r) => r.apt)).toEqual(['python3-numpy', 'python3-torch', 'python3-onnx', 'python3-scipy', 'python3-sklearn', 'chromium', 'slurm-wlm', 'munge', 'strace']);
  });

  it('installs where it may, and otherwise prints the one command to run', () => {
    const need = REQUIREMENTS.filter((r) => r.apt === 'python3-torch' || r.apt === 'chromium');
    expect(plan([], false)).toEqual({ action: 'none' });
    expect(plan(need, true)).toEqual({ action: 'install', packages: ['python3-torch', 'chromium'] });
    const told = plan(need, false);
    expect(told.action).toBe('tell');
    const message = told.action === 'tell' ? told.message : '';
    expect(message).toMatch(/python3-torch: comparing the model with PyTorch/);
    expect(message.split('\n').filter((l) => l.includes('apt-get'))).toEqual(['  sudo apt-get update && sudo apt-get install -y python3-torch chromium']);
  });

  it('builds the UI when an output is missing or a source is newer than the oldest output', () => {
    const outputs = ['out/main/index.js', 'out/main/job-worker.js', 'out/main/cli.js', 'out/main/node-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
    touch(join(root, 'src-main/engine/model.ts'), 1000);
    touch(join(root, 'src-renderer/src/App.vue'), 1000);
    expect(buildReason(root)).toBe('out/main/index.js is missing');
    for (const o of outputs.filter((o) => o !== 'out/main/cli.js')) touch(join(root, o), 2000);
    expect(buildReason(root)).toBe('out/main/cli.js is missing'); // the CLI's bundle that bin/ runs
    for (const o of outputs) touch(join(root, o), 2000);
    expect(buildReason(root)).toBeNull();
    touch(join(root, 'src-renderer/src/App.vue'), 3000);
    expect(buildReason(root)).toBe('src-renderer changed since the last build');
    for (const o of outputs) touch(join(root, o), 4000);
    touch(join(root, 'out/preload/index.cjs'), 2500);
    expect(buildReason(root)).toBe('src-renderer changed since the last build');
  });
});
