/**
 * Crash consistency of `export`, by fault injection on the real CLI: strace kills it (SIGKILL) on
 * entering each write and rename it makes to its output, with and without an earlier export at
 * that path. The run folder must be untouched, the output absent or whole (the earlier export or
 * the new one, never half of one), and the next export must remove the killed one's temporary
 * file and write exactly the bytes of an uninterrupted export.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cli, tempDir } from '../../helpers.js';
import { STRACE, straceCli } from './strace-kill.js';

const root = tempDir('cw-export-kill-');
const tiny = ['--T', '6', '--k', '3', '--d', '8', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '16'];

/** Every file under `dir` with its bytes. */
function filesUnder(dir: string, out = new Map<string, Buffer>(), base = dir): Map<string, Buffer> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, out, base);
    else out.set(relative(base, path), readFileSync(path));
  }
  return out;
}

describe('an export killed at any write or rename', () => {
  it('leaves the run and any earlier export whole, and the next export cleans up and writes the same bytes', async () => {
    expect(existsSync(STRACE), `${STRACE} is missing: apt-get install strace`).toBe(true);
    const run = join(root, 'run');
    const trained = cli(['train', '--preset', 'fig5-scratch', '--seed', '0', ...tiny, '--steps', '20', '--out', run]);
    expect(trained.code, trained.stderr).toBe(0);
    const runFiles = filesUnder(run);
    const exportArgs = (out: string) => ['export', run, '--step', '20', '--out', out];
    const outPaths = (out: string) => (pid: number) => [out, `${out}.tmp-${pid}`];

    const refOut = join(root, 'reference.onnx');
    const ref = await straceCli(exportArgs(refOut), outPaths(refOut), join(root, 'reference.strace'));
    expect(ref.code, ref.stderr).toBe(0);
    const expected = readFileSync(refOut);
    const older = (() => {
      const r = cli(['export', run, '--step', '10', '--out', join(root, 'older.onnx')]);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(root, 'older.onnx'));
    })();
    expect(ref.calls.length, 'no traced write or rename of the export').toBeGreaterThanOrEqual(2);

    const report: string[] = [];
    let failures = 0;
    for (const over of [false, true]) {
      for (const [i, point] of ref.calls.entries()) {
        const dir = join(root, `${over ? 'over' : 'fresh'}-${i}`);
        mkdirSync(dir);
        const out = join(dir, 'model.onnx');
        if (over) writeFileSync(out, older);
        const what = `${over ? 'over an earlier export' : 'fresh'}: ${point.syscall} #${point.ordinal} ${point.paths.map((p) => p.slice(root.length + 1)).join(' → ')}`;
        const problems: string[] = [];
        const killed = await straceCli(exportArgs(out), outPaths(out), join(root, `kill-${over}-${i}.strace`), point);
        if (killed.signal !== 'SIGKILL') problems.push(`not killed (exit ${killed.code})`);
        const after = filesUnder(run);
        if (after.size !== runFiles.size || [...runFiles].some(([f, b]) => !after.get(f)?.equals(b))) problems.push('the run folder changed');
        if (existsSync(out)) {
          const now = readFileSync(out);
          if (!now.equals(expected) && !(over && now.equals(older))) problems.push('the output is neither the earlier export nor the new one');
        } else if (over) problems.push('the earlier export is gone');
        const again = cli(exportArgs(out));
        if (again.code !== 0) problems.push(`the next export exited ${again.code}: ${again.stderr.trim()}`);
        else if (!readFileSync(out).equals(expected)) problems.push('the next export differs from an uninterrupted one');
        const left = readdirSync(dir).filter((n) => n !== 'model.onnx');
        if (left.length > 0) problems.push(`left behind: ${left.join(', ')}`);
        if (problems.length > 0) failures++;
        report.push(`  ${problems.length ? 'FAIL' : 'ok  '} ${what}${problems.length ? `: ${problems.join('; ')}` : ''}`);
      }
    }
    console.log(`export fault injection: ${report.length} kill points\n${report.join('\n')}`);
    expect(failures).toBe(0);
  }, 300_000);
});
