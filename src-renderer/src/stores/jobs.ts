/** Long-running jobs (training, experiments, projections) and their live progress. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { JobEvent, JobInfo, TrainProgressPoint, WorkbenchApi } from '../api';

export const useJobs = defineStore('jobs', () => {
  const jobs = ref<Record<string, JobInfo>>({});
  /** live training curves, per job */
  const points = ref<Record<string, TrainProgressPoint[]>>({});
  /** results of finished jobs (projections, experiment summaries) */
  const results = ref<Record<string, unknown>>({});
  const listeners = new Set<(e: JobEvent) => void>();

  function bind(api: WorkbenchApi) {
    api.onJobEvent((e) => {
      jobs.value[e.job.jobId] = e.job;
      if (e.type === 'progress' && e.point) (points.value[e.job.jobId] ??= []).push(e.point);
      if (e.type === 'done') results.value[e.job.jobId] = e.result ?? null;
      for (const l of listeners) l(e);
    });
  }

  function track(job: JobInfo) {
    jobs.value[job.jobId] = job;
  }

  /** Calls `listener` for every job event until the returned function is called. */
  function subscribe(listener: (e: JobEvent) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return { jobs, points, results, bind, track, subscribe };
});
