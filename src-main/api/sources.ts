/**
 * The sources a workbench has open, by id, and the rule for which paths it may open: anywhere
 * for the desktop app (the user picked them), only inside the workspace folders for the HTTP
 * server (it never serves files outside the runs it was given).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, isAbsolute, basename } from 'node:path';
import { openSource, type AnalysisSource } from '../engine/analysis/source.js';
import { ApiError, type SourceInfo } from './contract.js';
import { moduliOf, sampleSequences } from './phaseData.js';

export class PathPolicy {
  readonly roots: string[] | null;
  constructor(roots: string[] | null) {
    this.roots = roots ? roots.map((r) => realpathSync(r)) : null;
  }

  /** The real path of `path` if it may be opened; an ApiError('forbidden') otherwise. */
  check(path: string): string {
    if (!existsSync(path)) throw new ApiError('not-found', `${path} does not exist`);
    const real = realpathSync(path);
    if (this.roots && !this.roots.some((root) => real === root || (!relative(root, real).startsWith('..') && !isAbsolute(relative(root, real))))) {
      throw new ApiError('forbidden', `${path} is outside the workspace folders this server was started with`);
    }
    return real;
  }
}

export function sourceId(realPath: string): string {
  return createHash('sha256').update(realPath).digest('hex').slice(0, 12);
}

function flatten(obj: unknown, prefix = '', out: Record<string, string | number | boolean | null> = {}): Record<string, string | number | boolean | null> {
  if (obj === null || typeof obj !== 'object') {
    out[prefix] = obj as string | number | boolean | null;
    return out;
  }
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

export function describe(id: string, src: AnalysisSource): SourceInfo {
  const m = src.manifest;
  const T = src.checkpoint.T;
  return {
    id,
    path: src.path,
    label: src.label,
    kind: src.kind,
    status: m?.status ?? null,
    preset: m?.config.preset ?? null,
    seed: m?.config.seed ?? null,
    T,
    V: src.checkpoint.V,
    d: src.checkpoint.d,
    p: src.data.p,
    k: src.data.k,
    dataOrigin: src.data.origin,
    steps: src.steps,
    phases: src.phases,
    stepsDone: m?.stepsDone ?? null,
    totalSteps: m?.totalSteps ?? null,
    config: m ? flatten({ seed: m.config.seed, task: m.config.task, model: m.config.model, phases: m.config.phases, backend: m.backend }) : flatten({ model: src.checkpoint.model ?? { T, V: src.checkpoint.V, d: src.checkpoint.d } }),
    sampleSequences: sampleSequences(src, src.data.p),
    moduli: moduliOf(src).map((p) => ({ p, sampleSequences: sampleSequences(src, p) })),
  };
}

export class SourceRegistry {
  private readonly open = new Map<string, AnalysisSource>();
  readonly policy: PathPolicy;

  constructor(policy: PathPolicy) {
    this.policy = policy;
  }

  /** Opens (or reopens, to see a running run's new snapshots) a path. */
  async openPath(path: string): Promise<{ id: string; source: AnalysisSource }> {
    const real = this.policy.check(path);
    const id = sourceId(real);
    const previous = this.open.get(id);
    const source = await openSource(real);
    this.open.set(id, source);
    if (previous) await previous.session.release();
    return { id, source };
  }

  get(id: string): AnalysisSource {
    const s = this.open.get(id);
    if (!s) throw new ApiError('not-found', `no open run or checkpoint has the id '${id}'; open it first`);
    return s;
  }

  async close(id: string): Promise<boolean> {
    const s = this.open.get(id);
    if (!s) return false;
    this.open.delete(id);
    await s.session.release();
    return true;
  }

  entries(): [string, AnalysisSource][] {
    return [...this.open.entries()];
  }
}

/** Runs and checkpoints found under the workspace folders (three levels deep). */
export function discover(roots: string[]): { path: string; label: string; kind: 'run' | 'onnx' | 'onnx-folder' }[] {
  const found: { path: string; label: string; kind: 'run' | 'onnx' | 'onnx-folder' }[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    if (entries.includes('run.json')) {
      found.push({ path: dir, label: basename(dir), kind: 'run' });
      return;
    }
    if (entries.some((e) => e.endsWith('.onnx'))) found.push({ path: dir, label: basename(dir), kind: 'onnx-folder' });
    if (depth === 0) return;
    for (const e of entries.sort()) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const full = join(dir, e);
      try {
        if (statSync(full).isDirectory()) walk(full, depth - 1);
      } catch {
        // unreadable: skip
      }
    }
  };
  for (const r of roots) walk(r, 3);
  return found;
}
