/**
 * What the Runs table says about a run's progress: a run that ended before its schedule's last
 * step says it stopped early (not "complete 400/10,000"), and its steps read "done / total".
 */
import { thousands } from './thousands.js';
import type { SourceInfo } from '../../../src-main/api/contract.js'; // types only; '.js' paths keep this file valid for the Node tsconfig too (tests import it)

type RunLike = Pick<SourceInfo, 'status' | 'stepsDone' | 'totalSteps' | 'steps'> & { stoppedEarly?: boolean };

/** The status badge: the run's status, or 'stopped early' for a finished run short of its schedule. */
export function runStatus(s: RunLike): string | null {
  if (!s.status) return null;
  const short = s.stoppedEarly ?? (s.status === 'complete' && s.stepsDone !== null && s.totalSteps !== null && s.stepsDone < s.totalSteps);
  return short ? 'stopped early' : s.status;
}

/** "400 / 10,000" for a run (of N snapshots for checkpoints). */
export function stepsText(s: RunLike): string {
  if (s.stepsDone === null) return `${s.steps.length} checkpoint${s.steps.length === 1 ? '' : 's'}`;
  return `${thousands(s.stepsDone)} / ${typeof s.totalSteps === 'number' ? thousands(s.totalSteps) : '?'}`;
}
