/**
 * Finished projections, kept so that a second visit to the Trajectories view with the same
 * settings answers at once instead of computing again. An entry is keyed by the settings, the
 * runs and a fingerprint of their files (name, size, modification time of every file at the top
 * of a run folder, or of an ONNX file): a run that changes — one still training grows its
 * trajectory — no longer matches, and its stale entries are dropped when next looked up.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JobManager } from '../jobs/manager.js';
import type { JobInfo } from '../jobs/events.js';
import type { JobSpec } from '../jobs/protocol.js';

type ProjectSpec = Extract<JobSpec, { kind: 'project' }>;

/** The files of a run folder (top level) or the file itself, as name:size:mtime; '' if it is gone. */
export function fingerprint(path: string): string {
  try {
    const s = statSync(path);
    if (!s.isDirectory()) return `${s.size}:${s.mtimeMs}`;
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const f = statSync(join(path, e.name));
        return `${e.name}:${f.size}:${f.mtimeMs}`;
      })
      .sort()
      .join('|');
  } catch {
    return '';
  }
}

export class ProjectionCache {
  private readonly entries = new Map<string, { files: string; result: unknown }>();
  /** jobs started through `start`, whose results are kept when they finish */
  private readonly pending = new Map<string, { key: string; paths: string[]; files: string }>();

  constructor(
    private readonly jobs: JobManager,
    private readonly limit = 8,
  ) {
    jobs.onEvent((e) => {
      const wanted = this.pending.get(e.job.jobId);
      if (!wanted || e.type === 'progress') return;
      this.pending.delete(e.job.jobId);
      // keep it only if the runs did not change while it ran
      if (e.type === 'done' && fingerprints(wanted.paths) === wanted.files) this.put(wanted.key, wanted.files, e.result);
    });
  }

  /** A finished job at once when the same projection of unchanged runs is cached, else a new job. */
  start(spec: ProjectSpec, label: string): JobInfo {
    const key = JSON.stringify({ paths: spec.paths, ids: spec.ids, method: spec.method, every: spec.every, seed: spec.seed });
    const files = fingerprints(spec.paths);
    const hit = this.entries.get(key);
    if (hit && hit.files === files) {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, hit);
      return this.jobs.finished(spec.kind, label, hit.result);
    }
    if (hit) this.entries.delete(key); // a run changed: that projection is stale
    const info = this.jobs.start(spec, label, null);
    this.pending.set(info.jobId, { key, paths: spec.paths, files });
    return info;
  }

  get size(): number {
    return this.entries.size;
  }

  private put(key: string, files: string, result: unknown): void {
    this.entries.delete(key);
    this.entries.set(key, { files, result });
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }
}

function fingerprints(paths: string[]): string {
  return paths.map(fingerprint).join('\n');
}
