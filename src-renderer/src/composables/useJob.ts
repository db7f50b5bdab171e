/**
 * One long-running job (a training run, an experiment, a projection) as a view follows it: start
 * it, read its state, progress and result from the jobs store, cancel it, and react once when it
 * ends, including a job that ended before its id came back.
 */
import { computed, inject, ref, watch } from 'vue';
import type { JobInfo, WorkbenchApi } from '../api';
import { useJobs } from '../stores/jobs';

/** Use as `reactive(useJob())` for templates: `.info` is the job (null before one starts). */
export function useJob(opts: { onEnd?: (job: JobInfo, result: unknown) => void } = {}) {
  const api = inject<WorkbenchApi>('api')!;
  const jobs = useJobs();
  const jobId = ref<string | null>(null);
  const job = computed<JobInfo | null>(() => (jobId.value ? (jobs.jobs[jobId.value] ?? null) : null));
  const running = computed(() => job.value?.state === 'running');
  /** live training points (training jobs only) */
  const points = computed(() => (jobId.value ? (jobs.points[jobId.value] ?? []) : []));
  /** what the job returned when it finished (undefined until then) */
  const result = computed<unknown>(() => (jobId.value ? jobs.results[jobId.value] : undefined));
  const starting = ref(false);
  const error = ref<string | null>(null);

  function follow(info: JobInfo) {
    // an event may have arrived before the call's answer: keep the newer state
    if (!jobs.jobs[info.jobId]) jobs.track(info);
    jobId.value = info.jobId;
  }

  /** Starts a job with `call` (an api call answering a JobInfo) and follows it. */
  async function start(call: () => Promise<JobInfo>): Promise<JobInfo | null> {
    starting.value = true;
    error.value = null;
    try {
      const info = await call();
      follow(info);
      return info;
    } catch (err) {
      error.value = (err as Error).message;
      return null;
    } finally {
      starting.value = false;
    }
  }

  async function cancel() {
    const id = jobId.value;
    if (!id) return;
    try {
      const info = await api.call('job.cancel', { jobId: id });
      const now = jobs.jobs[id];
      if (now?.state !== 'running') return;
      // the job's own 'cancelled' event follows; until then say that it is stopping
      jobs.jobs[id] = info.state === 'running' ? { ...now, stage: 'cancelling…' } : info;
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  /** Follows the newest running job of `kind` started before this page was (re)loaded. */
  async function resume(kind: JobInfo['kind']) {
    try {
      const list = await api.call('job.list', {});
      for (const j of list) if (!jobs.jobs[j.jobId]) jobs.track(j);
      const last = [...list].reverse().find((j) => j.kind === kind && j.state === 'running');
      if (last && !jobId.value) jobId.value = last.jobId;
    } catch {
      // not essential: the view still starts new jobs
    }
  }

  watch(
    () => `${jobId.value}:${job.value?.state ?? ''}`,
    () => {
      const j = job.value;
      if (j && j.state !== 'running') opts.onEnd?.(j, result.value);
    },
  );

  return { jobId, info: job, running, points, result, starting, error, start, cancel, resume };
}
