/**
 * Long work (training, experiments, t-SNE/UMAP) runs in worker processes so that the server or
 * the window never freezes; the manager tracks jobs, forwards their progress as events, and
 * cancels them on request. At most `concurrency` workers run at once (default: the cores); the
 * jobs past that wait in a queue, reported as running with the stage 'queued'.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { JobEvent, JobInfo } from './events.js';
import { nodeWorkerLauncher } from './launchers.js';
import type { JobSpec, WorkerHandle, WorkerLauncher } from './protocol.js';

interface Job {
  info: JobInfo;
  spec: JobSpec;
  /** null while the job waits in the queue */
  handle: WorkerHandle | null;
  /** whether its worker has said anything yet (it is still loading before that) */
  heard: boolean;
  /** resolves when the job's worker process has ended (or the job left the queue unstarted) */
  ended: Promise<void>;
  markEnded: () => void;
}

/** How long a cancelled job's worker may take to stop before it is killed: once it runs, and while it still loads. */
const STOP_GRACE_MS = 15_000;
const LOADING_GRACE_MS = 120_000;

export const QUEUED_STAGE = 'queued';

export interface JobManagerOptions {
  /** how many workers may run at once (default: the cores) */
  concurrency?: number;
  /** another launcher for the jobs of a kind (the desktop app runs experiments in-process) */
  launchByKind?: Partial<Record<JobSpec['kind'], WorkerLauncher>>;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private active = 0;
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly launch: WorkerLauncher;
  readonly concurrency: number;
  private readonly launchByKind: Partial<Record<JobSpec['kind'], WorkerLauncher>>;

  /** `launch` starts every job's worker, unless `options.launchByKind` names another for its kind. */
  constructor(launch: WorkerLauncher = nodeWorkerLauncher, options: JobManagerOptions = {}) {
    this.launch = launch;
    this.launchByKind = options.launchByKind ?? {};
    const n = options.concurrency ?? availableParallelism();
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`the job concurrency must be a positive integer, got ${n}`);
    this.concurrency = n;
  }

  onEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) l(e);
  }

  start(spec: JobSpec, label: string, outDir: string | null): JobInfo {
    const info: JobInfo = { jobId: randomUUID(), kind: spec.kind, label, state: 'running', fraction: 0, stage: QUEUED_STAGE, outDir, message: null };
    let markEnded = (): void => {};
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    const job: Job = { info, spec, handle: null, heard: false, ended, markEnded };
    this.jobs.set(info.jobId, job);
    this.queue.push(job);
    this.pump();
    return { ...info };
  }

  /**
   * A job that is already done with `result` (a cached answer): listed like any other, and its
   * 'done' event sent after the caller has the job's id.
   */
  finished(kind: JobSpec['kind'], label: string, result: unknown): JobInfo {
    const info: JobInfo = { jobId: randomUUID(), kind, label, state: 'done', fraction: 1, stage: 'done', outDir: null, message: null };
    const job: Job = { info, spec: { kind } as JobSpec, handle: null, heard: true, ended: Promise.resolve(), markEnded: () => {} };
    this.jobs.set(info.jobId, job);
    setImmediate(() => this.emit({ type: 'done', job: { ...info }, result }));
    return { ...info };
  }

  /** Starts queued jobs while fewer than `concurrency` workers run. */
  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) this.run(this.queue.shift()!);
  }

  private run(job: Job): void {
    const { info } = job;
    info.stage = 'starting';
    this.active++;
    let ended = false;
    const release = () => {
      if (ended) return;
      ended = true;
      this.active--;
      this.pump();
    };
    job.handle = (this.launchByKind[job.spec.kind] ?? this.launch)(
      (m) => {
        job.heard = true;
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
        job.markEnded();
        if (info.state === 'running') {
          info.state = 'failed';
          info.message = `the worker process ended unexpectedly (exit code ${code})`;
          this.emit({ type: 'failed', job: { ...info } });
        }
        release();
      },
    );
    job.handle.send({ type: 'start', spec: job.spec });
  }

  /** How many workers run now, and how many jobs wait for one. */
  load(): { running: number; queued: number } {
    return { running: this.active, queued: this.queue.length };
  }

  /**
   * Asks a job to stop (it finishes its current step and saves); kills it if it has not after 15 s
   * (2 min while its worker loads). A projection, which has nothing to save, is killed at once.
   */
  cancel(jobId: string, reason?: string): JobInfo | null {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      // never started: nothing to stop, nothing written
      this.queue.splice(queued, 1);
      job.markEnded();
      job.info.state = 'cancelled';
      job.info.stage = 'cancelled';
      this.emit({ type: 'cancelled', job: { ...job.info } });
    } else if (job.info.state === 'running' && job.handle && job.spec.kind === 'project') {
      // a projection writes nothing: its worker is ended at once, wherever it is (still loading,
      // or inside a long product between two checks of its signal)
      job.handle.kill();
      job.info.state = 'cancelled';
      job.info.stage = 'cancelled';
      this.emit({ type: 'cancelled', job: { ...job.info } });
    } else if (job.info.state === 'running' && job.handle) {
      const handle = job.handle;
      handle.send({ type: 'cancel', reason });
      // a worker still loading (slow on a busy machine) has not read the cancel yet: give it longer
      const timer = setTimeout(() => job.info.state === 'running' && handle.kill(), job.heard ? STOP_GRACE_MS : LOADING_GRACE_MS);
      timer.unref();
    }
    return { ...job.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  /**
   * Cancels every job with `reason` (each running one saves and records why it stopped) and waits
   * for the workers to end; those still running after `graceMs` are killed.
   */
  async shutdown(reason = 'the workbench was closed', graceMs = 10_000): Promise<void> {
    for (const j of this.queue.splice(0)) {
      j.info.state = 'cancelled';
      j.info.stage = 'cancelled';
      j.markEnded();
    }
    const running = [...this.jobs.values()].filter((j) => j.info.state === 'running' && j.handle);
    for (const j of running) j.handle!.send({ type: 'cancel', reason });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running.map((j) => j.ended)), timeout]);
    clearTimeout(timer);
    for (const j of running) j.handle!.kill();
  }
}
