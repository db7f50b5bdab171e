/**
 * What the job manager says about its jobs: their state, and the events pushed to the views as
 * they run. The api contract re-exports these types. No imports: the renderer's type check
 * reads this file through the contract.
 */

export interface JobInfo {
  jobId: string;
  kind: 'train' | 'sweep' | 'project';
  label: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** 0..1 */
  fraction: number;
  stage: string;
  /** where a training run or sweep writes */
  outDir: string | null;
  message: string | null;
}

/** One point of a training job's live curves. */
export interface TrainProgressPoint {
  step: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
}

/** Events pushed to the views while jobs run. */
export type JobEvent =
  | { type: 'progress'; job: JobInfo; point?: TrainProgressPoint }
  | { type: 'done'; job: JobInfo; result?: unknown }
  | { type: 'failed'; job: JobInfo }
  | { type: 'cancelled'; job: JobInfo };
