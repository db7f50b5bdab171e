/**
 * Job workers as Electron utility processes (docs/design.md: long work never runs in the main
 * process). The worker entry is src-main/jobs/electron-worker.ts, built to out/main/job-worker.js.
 */
import { utilityProcess } from 'electron';
import type { RunLauncher } from '../engine/experiment/launcher.js';
import { workerRunLauncher } from '../jobs/launchers.js';
import type { FromWorker, WorkerLauncher } from '../jobs/protocol.js';

const TERMINAL: ReadonlySet<FromWorker['type']> = new Set(['done', 'failed', 'cancelled']);

/**
 * A WorkerLauncher that forks `workerPath` in a utility process: ToWorker messages go out with
 * child.postMessage, FromWorker messages come back on 'message', the end on 'exit'. Once the
 * worker has reported its outcome it is stopped, whether or not it exits by itself.
 */
export function utilityProcessLauncher(workerPath: string): WorkerLauncher {
  return (onMessage, onExit) => {
    const child = utilityProcess.fork(workerPath, [], { serviceName: 'Circuit Workbench job', stdio: 'inherit' });
    let exited = false;
    child.on('message', (m: FromWorker) => {
      onMessage(m);
      if (m && TERMINAL.has(m.type) && !exited) {
        // the outcome is delivered; let the worker finish its own exit, or end it
        const timer = setTimeout(() => {
          if (!exited) child.kill();
        }, 2_000);
        timer.unref?.();
      }
    });
    child.on('exit', (code: number) => {
      exited = true;
      onExit(code);
    });
    return {
      send: (m) => {
        if (!exited) child.postMessage(m);
      },
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}

/** Each run of an experiment in its own utility process, on the same worker entry as every job. */
export function utilityProcessRunLauncher(workerPath: string): RunLauncher {
  return workerRunLauncher(utilityProcessLauncher(workerPath));
}
