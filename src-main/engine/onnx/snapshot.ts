/** Any snapshot of a run's trajectory as a portable ONNX checkpoint. */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportModel } from './export.js';
import { readManifest, readTrajectory, refuseWriteIntoRun } from '../runs/runFolder.js';
import { writeFileAtomic } from '../runs/atomic.js';
import { dataSeedOf, phaseBoundaries } from '../train/config.js';
import { SourceError } from '../analysis/source.js';

/** Writes θ_step of the run (the last snapshot when step is null) to `out`; returns the step. */
export function exportSnapshot(runDir: string, step: number | null, out: string): { step: number; bytes: number } {
  const m = readManifest(runDir);
  const traj = readTrajectory(runDir, m);
  if (traj.steps.length === 0) throw new SourceError(`${runDir} has no snapshots yet`);
  const k = step ?? traj.steps[traj.steps.length - 1];
  const i = traj.steps.indexOf(k);
  if (i < 0) {
    const below = [...traj.steps].reverse().find((s) => s < k);
    const above = traj.steps.find((s) => s > k);
    throw new SourceError(`step ${k} is not a snapshot of ${runDir}; the nearest are ${[below, above].filter((s) => s !== undefined).join(' and ')}`);
  }
  refuseWriteIntoRun(out);
  const outDir = dirname(out);
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new SourceError(`cannot write ${out}: the folder ${outDir} does not exist`);
  const c = m.config;
  const phase = phaseBoundaries(c).find((b) => k > b.start && k <= b.end) ?? phaseBoundaries(c)[0];
  const bytes = exportModel(c.model, traj.data.slice(i * traj.width, (i + 1) * traj.width), {
    task: { ...c.task, p: phase.p, dataSeed: dataSeedOf(c) },
    step: k,
    run: { preset: c.preset, seed: c.seed, phase: phase.name, p: phase.p },
  });
  try {
    writeFileAtomic(out, bytes);
  } catch (err) {
    throw new SourceError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { step: k, bytes: bytes.length };
}
