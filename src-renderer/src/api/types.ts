/**
 * The only thing the views know about the outside world. Two implementations: the Electron
 * preload bridge (ipc.ts) and the HTTP server (http.ts).
 */
import type { Channel, JobEvent, Request, Response } from '../../../src-main/api/contract';

export type { Channel, JobEvent, Request, Response };
export type {
  SourceInfo,
  MetricsTable,
  MetricsAnswer,
  JobInfo,
  ProjectionResult,
  TrainProgressPoint,
  PhaseInfo,
  LossAccuracy,
} from '../../../src-main/api/contract';

export interface WorkbenchApi {
  readonly kind: 'electron' | 'http';
  call<C extends Channel>(channel: C, req: Request<C>): Promise<Response<C>>;
  /** subscribes to job events (training progress, projections); returns an unsubscribe function */
  onJobEvent(listener: (e: JobEvent) => void): () => void;
  /** the Open dialog (desktop only; null in the browser) */
  openDialog: (() => Promise<string[]>) | null;
  /** the path of a dropped file (desktop only; null in the browser) */
  pathForFile: ((file: File) => string) | null;
  /** recently opened paths, newest first */
  recent(): Promise<string[]>;
  /** remembers an opened path (the browser keeps the list itself) */
  remember(path: string): void;
  /** saves an exported figure or table: a Save dialog on the desktop, a download in the browser */
  saveFile(name: string, data: string, encoding: 'utf8' | 'base64', mime: string): Promise<boolean>;
}

/** An error from a call, with the sentence the engine wrote. */
export class WorkbenchError extends Error {
  readonly kind: string;
  constructor(message: string, kind: string) {
    super(message);
    this.name = 'WorkbenchError';
    this.kind = kind;
  }
}
