/**
 * Runs the real CLI under strace, either recording which writes and renames it makes to the files
 * of a run folder, or killing it (SIGKILL) at one chosen call of them.
 *
 * The CLI's temporary files carry its pid (`run.json.tmp-PID`), and strace's `-P` selects calls by
 * exact path, so the CLI is started stopped (`kill -STOP $$; exec …`), strace attaches to that pid
 * knowing the names, and only then is it let go. strace counts injections per system call and per
 * thread among the calls `-P` selects; every run-folder write is made by the main thread, so
 * "the 7th pwrite64 to these paths" names the same call in every run of the same command.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../../helpers.js';

export const STRACE = '/usr/bin/strace';
export const TRACED = ['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat'];

/** One write or rename the CLI made to a run-folder file, and its number among calls of that system call. */
export interface FileCall {
  syscall: string;
  /** 1-based, per system call, as strace's `when=` counts */
  ordinal: number;
  /** the file written (for writes, the file behind the descriptor) or the paths named (rename, unlink) */
  paths: string[];
  /** the file offset of a pwrite64 */
  offset: number | null;
  line: string;
}

export interface TracedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  calls: FileCall[];
}

/** The files of a run folder whose writes and renames are traced, with their temporary names. */
export function runFolderPaths(dir: string, pid: number, lastStep: number): string[] {
  const names = ['run.json', 'metrics.csv', 'trajectory.npy', 'test_attention.npy', 'resume/state.npy'];
  for (let k = 0; k <= lastStep; k++) {
    const step = String(k).padStart(6, '0');
    names.push(`checkpoints/step-${step}.onnx`, `resume/state-${step}.npy`);
  }
  return names.flatMap((n) => [join(dir, n), join(dir, `${n}.tmp-${pid}`)]);
}

/**
 * Runs `circuit-workbench ARGS` under strace. `paths(pid)` lists the files to trace; `kill`
 * (a call from a recorded run) makes strace kill the CLI on entering that call, before it acts.
 */
export async function straceCli(args: string[], paths: (pid: number) => string[], log: string, kill?: Pick<FileCall, 'syscall' | 'ordinal'>): Promise<TracedRun> {
  const child = spawn('/bin/sh', ['-c', 'kill -STOP $$; exec "$@"', 'sh', process.execPath, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const pid = child.pid!;
  // Wait until the shell has stopped itself.
  for (let i = 0; i < 500 && !/^\d+ \(.*\) T/.test(readStat(pid)); i++) await new Promise((r) => setTimeout(r, 10));

  const straceArgs = ['-f', '-y', '-s', '0', '-o', log, '-e', `trace=${TRACED.join(',')}`, ...paths(pid).flatMap((p) => ['-P', p])];
  if (kill) straceArgs.push('-e', `inject=${kill.syscall}:error=EIO:signal=KILL:when=${kill.ordinal}`);
  const tracer = spawn(STRACE, [...straceArgs, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let tracerErr = '';
  const tracerDone = new Promise<void>((resolve) => tracer.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    tracer.stderr.on('data', (d: Buffer) => {
      tracerErr += d.toString();
      if (tracerErr.includes(`Process ${pid} attached`)) resolve();
    });
    tracer.on('exit', (code) => reject(new Error(`strace exited with ${code} before attaching: ${tracerErr}`)));
  });
  process.kill(pid, 'SIGCONT');
  const { code, signal } = await exited;
  await tracerDone;
  return { code, signal, stdout, stderr, calls: parseStraceLog(readFileSync(log, 'utf8'), pid) };
}

function readStat(pid: number): string {
  const file = `/proc/${pid}/stat`;
  try {
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  } catch {
    return '';
  }
}

/** The main thread's traced calls, numbered per system call as strace's `when=` counts them. */
export function parseStraceLog(text: string, pid: number): FileCall[] {
  const counts = new Map<string, number>();
  const calls: FileCall[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) +(\w+)\((.*)$/.exec(line);
    if (!m || Number(m[1]) !== pid) continue;
    const syscall = m[2];
    const ordinal = (counts.get(syscall) ?? 0) + 1;
    counts.set(syscall, ordinal);
    const rest = m[3];
    const fdPath = /^\d+<([^>]*)>/.exec(rest);
    const strings = [...rest.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => s[1]);
    const paths = syscall.includes('write') ? (fdPath ? [fdPath[1]] : []) : strings;
    const offset = syscall === 'pwrite64' ? Number(/, (\d+)(?:\)| <unfinished)/.exec(rest)?.[1] ?? NaN) : null;
    calls.push({ syscall, ordinal, paths, offset, line });
  }
  return calls;
}
