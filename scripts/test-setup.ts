/**
 * The set-up `npm test` does before any test (it runs as `pretest`): the Debian packages the tests
 * use, installed with apt-get where this process may (root, apt-get present, nothing asked), and
 * otherwise the one command to run, with exit code 1; then the build (electron-vite) when out/
 * is missing or older than its sources, since the end-to-end tests serve the built renderer and
 * bin/ runs the CLI's bundle only while it is newer than src-main/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

/** A Debian package the tests need, and how to tell it is there. */
export interface Requirement {
  apt: string;
  /** why the tests need it, for the message */
  why: string;
  /** Python modules Debian's python3 must import */
  modules?: string[];
  /** programs that must exist (found on PATH, /usr/sbin or /sbin) */
  programs?: string[];
  /** files that must exist */
  files?: string[];
}

export const REQUIREMENTS: Requirement[] = [
  { apt: 'python3-numpy', why: 'reading and writing .npy and CSV files as a user would', modules: ['numpy'] },
  { apt: 'python3-torch', why: 'comparing the model with PyTorch', modules: ['torch'] },
  { apt: 'python3-onnx', why: 'checking exported models with the onnx checker', modules: ['onnx'] },
  { apt: 'python3-scipy', why: 'checking the sweep statistics (Wilson intervals, Fisher exact test)', modules: ['scipy'] },
  { apt: 'python3-sklearn', why: 'checking the silhouette score and timing peers in the benchmarks', modules: ['sklearn'] },
  { apt: 'chromium', why: 'the end-to-end tests (Playwright never downloads a browser)', files: ['/usr/bin/chromium'] },
  { apt: 'slurm-wlm', why: 'the sweep tests against a one-node SLURM', programs: ['sbatch', 'slurmctld', 'slurmd'] },
  { apt: 'munge', why: "SLURM's authentication", programs: ['munged'] },
  { apt: 'strace', why: 'the crash-consistency tests, which kill the CLI at chosen system calls', programs: ['strace'] },
];

/** The Python modules that Debian's python3 cannot import (all of them when it is missing). */
export function unimportable(modules: string[], python = PYTHON): string[] {
  if (modules.length === 0) return [];
  if (!existsSync(python)) return modules;
  const script = 'import importlib, sys\nfor m in sys.argv[1:]:\n    try:\n        importlib.import_module(m)\n    except Exception:\n        print(m)\n';
  const r = spawnSync(python, ['-c', script, ...modules], { encoding: 'utf8' });
  if (r.status !== 0) return modules;
  return r.stdout.split('\n').filter(Boolean);
}

function onPath(program: string): boolean {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => d !== '' && existsSync(join(d, program)));
}

/** The requirements that are not met here. */
export function missing(requirements: Requirement[] = REQUIREMENTS): Requirement[] {
  const notImported = new Set(unimportable(requirements.flatMap((r) => r.modules ?? [])));
  return requirements.filter((r) => (r.modules ?? []).some((m) => notImported.has(m)) || (r.programs ?? []).some((p) => !onPath(p)) || (r.files ?? []).some((f) => !existsSync(f)));
}

/** What to do about missing packages: nothing, install them, or tell the user the command. */
export function plan(need: Requirement[], canInstall: boolean): { action: 'none' } | { action: 'install'; packages: string[] } | { action: 'tell'; message: string } {
  if (need.length === 0) return { action: 'none' };
  const packages = need.map((r) => r.apt);
  if (canInstall) return { action: 'install', packages };
  const lines = need.map((r) => `  ${r.apt}: ${r.why}`);
  return {
    action: 'tell',
    message: `The tests need Debian packages that are not installed:\n${lines.join('\n')}\nInstall them, then run npm test again:\n  sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}\n`,
  };
}

/** apt-get may be run here without asking anyone: as root, with apt-get present. */
export function canInstall(): boolean {
  return process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
}

export function install(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stdout.write(`test set-up: installing ${packages.join(' ')} with apt-get\n`);
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit code ${r.status})`);
  }
}

const BUILD_OUTPUTS = ['out/main/index.js', 'out/main/job-worker.js', 'out/main/cli.js', 'out/main/node-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const BUILD_SOURCES = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestMtime(join(path, name))), 0);
}

/** Why the UI must be built (an output missing, or a source newer than the oldest output), or null. */
export function buildReason(root: string): string | null {
  const absent = BUILD_OUTPUTS.find((o) => !existsSync(join(root, o)));
  if (absent) return `${absent} is missing`;
  const oldestOutput = Math.min(...BUILD_OUTPUTS.map((o) => statSync(join(root, o)).mtimeMs));
  const stale = BUILD_SOURCES.find((s) => newestMtime(join(root, s)) > oldestOutput);
  return stale ? `${stale} changed since the last build` : null;
}

function main(): number {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  let decision = plan(missing(), canInstall());
  if (decision.action === 'install') {
    try {
      install(decision.packages);
    } catch (err) {
      process.stderr.write(`test set-up: ${(err as Error).message}\n`);
      return 1;
    }
    decision = plan(missing(), false);
  }
  if (decision.action === 'tell') {
    process.stderr.write(decision.message);
    return 1;
  }
  const reason = buildReason(root);
  if (reason) {
    process.stdout.write(`test set-up: building the UI (${reason})\n`);
    const r = spawnSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write('test set-up: the UI build failed (electron-vite build); see above\n');
      return 1;
    }
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
