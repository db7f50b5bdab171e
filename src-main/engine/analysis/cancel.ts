/** Cancelling long analyses: they check their signal between chunks of work and yield in between. */

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** Lets signals and messages through between chunks of work. */
export const tick = (): Promise<unknown> => new Promise((r) => setImmediate(r));

export function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
