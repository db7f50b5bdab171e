/**
 * The shapes of a sweep's state and summary that the views show too. No imports: the api
 * contract re-exports these types, and the renderer's type check (DOM, no Node types) reads this
 * file through it.
 */

export type RunState = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'interrupted';

/** One cell and schedule of a sweep: its success rate with a 95 % Wilson interval, and medians. */
export interface ScheduleCell {
  schedule: string;
  planned: number;
  /** finished runs */
  total: number;
  /** finished runs whose final test accuracy is ≥ 0.99 */
  succeeded: number;
  rate: number | null;
  ci95: [number, number];
  /** median first step (global) of the last phase after which test accuracy ≥ 0.99, over successes */
  medianFirstStep: number | null;
  medianFinalTrainAcc: number | null;
  medianFinalTestAcc: number | null;
  medianFinalHeldoutAcc: number | null;
  states: Record<RunState, number>;
}
