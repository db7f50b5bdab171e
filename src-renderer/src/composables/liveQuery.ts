/**
 * A query that follows its inputs: re-run (debounced) whenever the request changes, answers to
 * superseded requests ignored, paused while its view is hidden (KeepAlive), and a loading flag
 * that only rises when an answer is slow, so that scrubbing the cursor does not flicker.
 */
import { onActivated, onBeforeUnmount, onDeactivated, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';

export interface LiveQuery<Q, R> {
  /** the last answer and the request it answers */
  data: ShallowRef<{ request: Q; answer: R } | null>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  /** runs the current request again */
  reload: () => void;
}

export function useLiveQuery<Q, R>(request: () => Q | null, run: (q: Q) => Promise<R>, opts: { debounceMs?: number; slowMs?: number } = {}): LiveQuery<Q, R> {
  const debounceMs = opts.debounceMs ?? 50;
  const slowMs = opts.slowMs ?? 250;
  const data = shallowRef<{ request: Q; answer: R } | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let active = true;
  let lastKey: string | null = null;
  let ticket = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waitingKey: string | null = null;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;

  function settle(mine: number) {
    if (mine !== ticket) return false;
    clearTimeout(slowTimer);
    loading.value = false;
    return true;
  }

  function schedule(force = false, delayMs = debounceMs) {
    const q = request();
    // the same request already waiting to go keeps its time (a view's first request goes at once)
    if (q !== null && !force && active && timer !== undefined && JSON.stringify(q) === waitingKey) return;
    clearTimeout(timer);
    timer = undefined;
    if (q === null) {
      ticket++;
      lastKey = null;
      clearTimeout(slowTimer);
      data.value = null;
      loading.value = false;
      error.value = null;
      return;
    }
    const key = JSON.stringify(q);
    if ((key === lastKey && !force) || !active) return;
    waitingKey = key;
    timer = setTimeout(() => {
      timer = undefined;
      lastKey = key;
      const mine = ++ticket;
      clearTimeout(slowTimer);
      slowTimer = setTimeout(() => {
        if (mine === ticket) loading.value = true;
      }, slowMs);
      run(q).then(
        (answer) => {
          if (!settle(mine)) return;
          data.value = { request: q, answer };
          error.value = null;
        },
        (err: unknown) => {
          if (!settle(mine)) return;
          error.value = err instanceof Error ? err.message : String(err);
        },
      );
    }, delayMs);
  }

  watch(request, () => schedule(), { deep: true });
  schedule(false, 0); // the first request goes at once: there is nothing to debounce yet
  onActivated(() => {
    active = true;
    schedule();
  });
  onDeactivated(() => {
    active = false;
    clearTimeout(timer);
    timer = undefined;
  });
  onBeforeUnmount(() => {
    ticket++;
    clearTimeout(timer);
    clearTimeout(slowTimer);
  });

  return { data, loading, error, reload: () => schedule(true) };
}

/**
 * Answers shared by every view, by request key: a request already answered (or being answered)
 * is not asked again while it is kept. Failures are not kept. The oldest answers go first.
 */
const answers = new Map<string, Promise<unknown>>();
const KEEP_ANSWERS = 64;

export function cachedQuery<R>(key: string, run: () => Promise<R>): Promise<R> {
  const have = answers.get(key) as Promise<R> | undefined;
  if (have) return have;
  const p = run();
  answers.set(key, p);
  p.catch(() => answers.delete(key));
  if (answers.size > KEEP_ANSWERS) answers.delete(answers.keys().next().value as string);
  return p;
}

/** Forgets a kept answer, so that the next cachedQuery asks again. */
export function forgetQuery(key: string): void {
  answers.delete(key);
}
