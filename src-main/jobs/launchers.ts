/**
 * Starting work in other processes. A WorkerLauncher starts one job worker (a forked Node
 * process here, an Electron utility process in src-main/app/utility-process.ts); a RunLauncher
 * (the engine's way for an experiment to train its runs) is a train job on such a worker.
 */
import { fork } from 'node:child_process';
import { newRunConfig, type RunLauncher, type TrainRunSpec } from '../engine/experiment/launcher.js';
import { nodeWorkerScript } from '../engine/io/packageRoot.js';
import type { FromWorker, JobSpec, WorkerLauncher } from './protocol.js';

/** Forks the node worker (src-main/jobs/node-worker.ts through tsx, or its bundle): the CLI, `serve` and the tests. */
export const nodeWorkerLauncher: WorkerLauncher = (onMessage, onExit) => {
  const { entry, execArgv } = nodeWorkerScript('node-worker', import.meta.url);
  const child = fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.on('message', (m) => onMessage(m as FromWorker));
  child.on('exit', (code) => onExit(code));
  return { send: (m) => child.send(m), kill: () => child.kill('SIGKILL') };
};

/** The worker job that trains a run spec (throws a ConfigError when a new run's settings are invalid). */
export function trainJobSpec(spec: TrainRunSpec): JobSpec {
  if (spec.kind === 'resume') return { kind: 'train', runDir: spec.runDir, config: null, resume: true, maxSteps: spec.maxSteps, backend: spec.backend };
  return { kind: 'train', runDir: spec.runDir, config: newRunConfig(spec), maxSteps: spec.maxSteps, backend: spec.backend };
}

/**
 * A RunLauncher that trains each run in a worker started by `launch`: the worker runs the
 * trainer in-process (src-main/jobs/run-job.ts), reports progress, and stops after its current
 * step when the signal is aborted.
 */
export function workerRunLauncher(launch: WorkerLauncher): RunLauncher {
  return (spec, signal, onProgress) => {
    // built before a worker starts, so that invalid settings leave no worker behind
    let job: JobSpec;
    try {
      job = trainJobSpec(spec);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const handle = launch(
        (m) => {
          if (m.type === 'progress') {
            if (m.train) onProgress(m.train);
          } else if (m.type === 'done') settle(null);
          else if (m.type === 'failed') settle(new Error(m.message));
          else settle(new Error(`${spec.runDir} was cancelled; run the sweep again to resume it`));
        },
        (code) => settle(new Error(`the worker training ${spec.runDir} ended unexpectedly (exit code ${code})`)),
      );
      const onAbort = (): void => handle.send({ type: 'cancel', reason: typeof signal.reason === 'string' ? signal.reason : undefined });
      signal.addEventListener('abort', onAbort);
      handle.send({ type: 'start', spec: job });
      if (signal.aborted) onAbort();
    });
  };
}

/** Each run in a forked Node worker: what the CLI and `serve` give a sweep. */
export const nodeRunLauncher: RunLauncher = workerRunLauncher(nodeWorkerLauncher);
