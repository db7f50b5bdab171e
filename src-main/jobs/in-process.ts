/**
 * A WorkerLauncher that runs a job in this process instead of a worker. For work that only
 * waits on other processes: the desktop app's experiments, whose runs each train in a utility
 * process (a utility process cannot start another one).
 */
import type { RunLauncher } from '../engine/experiment/launcher.js';
import type { WorkerLauncher } from './protocol.js';
import { runJob } from './run-job.js';

export function inProcessLauncher(launchRun: RunLauncher): WorkerLauncher {
  return (onMessage, onExit) => {
    const controller = new AbortController();
    let started = false;
    return {
      send: (m) => {
        if (m.type === 'cancel') controller.abort(m.reason);
        else if (!started) {
          started = true;
          void runJob(m.spec, controller.signal, onMessage, launchRun).then(() => onExit(0));
        }
      },
      kill: () => controller.abort(),
    };
  };
}
