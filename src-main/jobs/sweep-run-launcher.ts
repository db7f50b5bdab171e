/**
 * A run launcher for Node (CLI, server, tests): each run trains in a forked Node worker, so runs
 * go in parallel and a crash takes down one run, not the sweep.
 */
import { fork } from 'node:child_process';
import { nodeWorkerScript } from '../engine/io/packageRoot.js';
import type { RunLauncher } from '../engine/experiment/localScheduler.js';

export const forkRunLauncher: RunLauncher = (job, signal, onProgress) =>
  new Promise((resolve) => {
    const { entry, execArgv } = nodeWorkerScript('sweep-train-worker', import.meta.url);
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let outcome: { status: string; message: string | null } | null = null;
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const onAbort = () => child.send({ type: 'cancel' });
    signal.addEventListener('abort', onAbort);
    child.on('message', (m: { type: string; step?: number; totalSteps?: number; testAcc?: number; status?: string; message?: string | null }) => {
      if (m.type === 'progress') onProgress({ step: m.step!, totalSteps: m.totalSteps!, testAcc: m.testAcc! });
      else if (m.type === 'result') outcome = { status: m.status!, message: m.message ?? null };
    });
    child.on('exit', (code) => {
      signal.removeEventListener('abort', onAbort);
      resolve(outcome ?? { status: 'failed', message: stderr.trim().split('\n').pop() || `the training worker ended with code ${code}` });
    });
    child.send({ type: 'start', job });
  });
