/**
 * The sources a workbench has open, by id, and the rule for which paths it may open: anywhere
 * for the desktop app (the user picked them), only inside the workspace folders for the HTTP
 * server (it never serves files outside the runs it was given).
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, isAbsolute, basename } from 'node:path';
import { layoutSignature, openSource, type AnalysisSource } from '../engine/analysis/source.js';
import { ApiError, type SourceInfo } from './contract.js';
import { moduliOf, sampleSequences } from './phaseData.js';

/** The most entries `PathPolicy.check` looks at inside one folder tree before refusing it. */
const MAX_TREE_ENTRIES = 100_000;

export class PathPolicy {
  readonly roots: string[] | null;
  constructor(roots: string[] | null) {
    this.roots = roots ? roots.map((r) => realpathSync(r)) : null;
  }

  /** Whether a real (symlink-free) path lies inside a root; always true without roots. */
  allows(real: string): boolean {
    if (!this.roots) return true;
    return this.roots.some((root) => real === root || (!relative(root, real).startsWith('..') && !isAbsolute(relative(root, real))));
  }

  /**
   * The real path of `path` if it may be opened; an ApiError('forbidden') otherwise. With roots,
   * every file the engine may read under it must resolve inside them too: a symlink inside an
   * allowed run that points out of the workspace forbids the whole run.
   */
  check(path: string): string {
    if (!existsSync(path)) throw new ApiError('not-found', `${path} does not exist`);
    const real = realpathSync(path);
    if (!this.allows(real)) throw new ApiError('forbidden', `${path} is outside the workspace folders this server was started with`);
    if (this.roots) this.checkTree(path, real);
    return real;
  }

  /** Walks a folder (following only links that stay inside the roots) and refuses any that leave. */
  private checkTree(shown: string, real: string): void {
    if (!statSync(real).isDirectory()) return;
    const seen = new Set<string>([real]);
    const pending = [real];
    let entries = 0;
    while (pending.length > 0) {
      const dir = pending.pop()!;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // unreadable: the engine cannot read it either
      }
      for (const name of names) {
        if (++entries > MAX_TREE_ENTRIES) throw new ApiError('invalid', `${shown} holds more than ${MAX_TREE_ENTRIES} files; open the run folder itself, not a folder above it`);
        const full = join(dir, name);
        let target = full;
        try {
          const st = lstatSync(full);
          if (st.isSymbolicLink()) {
            target = realpathSync(full);
            if (!this.allows(target)) throw new ApiError('forbidden', `${shown} holds a link (${relative(real, full)}) to a file outside the workspace folders this server was started with`);
          } else if (!st.isDirectory()) continue;
          if (statSync(target).isDirectory() && !seen.has(target)) {
            seen.add(target);
            pending.push(target);
          }
        } catch (err) {
          if (err instanceof ApiError) throw err;
          // a dangling link or a file that vanished: nothing to read there
        }
      }
    }
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
    parameterCount: src.checkpoint.total,
    parameterLayout: layoutSignature(src.checkpoint),
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

/**
 * Visits the folders under the workspace roots, three levels deep, in name order; hidden folders
 * and node_modules are skipped and, with a policy, links that leave its roots are not entered.
 * `visit` gets a folder and its entries and answers whether to look below it.
 */
export function walkWorkspaces(roots: string[], visit: (dir: string, entries: string[]) => boolean, policy?: PathPolicy): void {
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    if (!visit(dir, entries) || depth === 0) return;
    for (const e of entries.sort()) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const full = join(dir, e);
      try {
        if (policy && lstatSync(full).isSymbolicLink() && !policy.allows(realpathSync(full))) continue;
        if (statSync(full).isDirectory()) walk(full, depth - 1);
      } catch {
        // unreadable: skip
      }
    }
  };
  for (const r of roots) walk(r, 3);
}

/** Runs and checkpoints found under the workspace folders (walkWorkspaces), outside sweep folders. */
export function discover(roots: string[], policy?: PathPolicy): { path: string; label: string; kind: 'run' | 'onnx' | 'onnx-folder' }[] {
  const found: { path: string; label: string; kind: 'run' | 'onnx' | 'onnx-folder' }[] = [];
  walkWorkspaces(
    roots,
    (dir, entries) => {
      if (entries.includes('run.json')) {
        found.push({ path: dir, label: basename(dir), kind: 'run' });
        return false;
      }
      // A sweep's runs (hundreds, perhaps) are reached through the Sweeps view, not listed here.
      if (entries.includes('sweep.json')) return false;
      if (entries.some((e) => e.endsWith('.onnx'))) found.push({ path: dir, label: basename(dir), kind: 'onnx-folder' });
      return true;
    },
    policy,
  );
  return found;
}
