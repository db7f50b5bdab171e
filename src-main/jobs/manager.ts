/**
 * Long work (training, experiments, t-SNE/UMAP) runs in worker processes so that the server or
 * the window never freezes; the manager tracks jobs, forwards their progress as events, and
 * cancels them on request.
 */
import { randomUUID } from 'node:crypto';
import type { JobEvent, JobInfo } from './events.js';
import { nodeWorkerLauncher } from './launchers.js';
import type { JobSpec, WorkerHandle, WorkerLauncher } from './protocol.js';

interface Job {
  info: JobInfo;
  handle: WorkerHandle;
  /** resolves when the worker process has ended */
  ended: Promise<void>;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly launch: WorkerLauncher;
  private readonly launchByKind: Partial<Record<JobSpec['kind'], WorkerLauncher>>;

  /** `launch` starts every job's worker, unless `launchByKind` names another for its kind. */
  constructor(launch: WorkerLauncher = nodeWorkerLauncher, launchByKind: Partial<Record<JobSpec['kind'], WorkerLauncher>> = {}) {
    this.launch = launch;
    this.launchByKind = launchByKind;
  }

  onEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) l(e);
  }

  start(spec: JobSpec, label: string, outDir: string | null): JobInfo {
    const info: JobInfo = { jobId: randomUUID(), kind: spec.kind, label, state: 'running', fraction: 0, stage: 'starting', outDir, message: null };
    let markEnded = (): void => {};
    const job: Job = { info, handle: { send: () => {}, kill: () => {} }, ended: new Promise<void>((resolve) => (markEnded = resolve)) };
    this.jobs.set(info.jobId, job);
    job.handle = (this.launchByKind[spec.kind] ?? this.launch)(
      (m) => {
        if (info.state !== 'running') return;
        if (m.type === 'progress') {
          info.fraction = m.fraction;
          info.stage = m.stage;
          this.emit({ type: 'progress', job: { ...info }, point: m.point });
        } else if (m.type === 'done') {
          info.state = 'done';
          info.fraction = 1;
          info.stage = 'done';
          this.emit({ type: 'done', job: { ...info }, result: m.result });
        } else if (m.type === 'failed') {
          info.state = 'failed';
          info.message = m.message;
          this.emit({ type: 'failed', job: { ...info } });
        } else {
          info.state = 'cancelled';
          info.stage = 'cancelled';
          this.emit({ type: 'cancelled', job: { ...info } });
        }
      },
      (code) => {
        markEnded();
        if (info.state === 'running') {
          info.state = 'failed';
          info.message = `the worker process ended unexpectedly (exit code ${code})`;
          this.emit({ type: 'failed', job: { ...info } });
        }
      },
    );
    job.handle.send({ type: 'start', spec });
    return { ...info };
  }

  /** Asks a job to stop (it finishes its current step and saves); kills it if it has not after 15 s. */
  cancel(jobId: string, reason?: string): JobInfo | null {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    if (job.info.state === 'running') {
      job.handle.send({ type: 'cancel', reason });
      const timer = setTimeout(() => job.info.state === 'running' && job.handle.kill(), 15_000);
      timer.unref();
    }
    return { ...job.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  /**
   * Cancels every running job with `reason` (each saves and records why it stopped) and waits
   * for the workers to end; those still running after `graceMs` are killed.
   */
  async shutdown(reason = 'the workbench was closed', graceMs = 10_000): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.info.state === 'running');
    for (const j of running) j.handle.send({ type: 'cancel', reason });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running.map((j) => j.ended)), timeout]);
    clearTimeout(timer);
    for (const j of running) j.handle.kill();
  }
}
