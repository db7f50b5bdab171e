/** Any snapshot θ_k of a run as a portable ONNX checkpoint, with the run's metadata inside. */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportModel } from '../onnx/export.js';
import { nearestSteps, readManifest, readTrajectory, RunFormatError } from './runFolder.js';
import { writeFileAtomic } from '../io/atomic.js';
import { dataSeedOf, phaseOfSnapshot, type TrainConfig } from './runConfig.js';

/** The ONNX bytes of θ_k of a run of configuration `c`, labelled with its step, phase and data. */
export function checkpointBytes(c: TrainConfig, k: number, theta: Float32Array): Uint8Array {
  const phase = phaseOfSnapshot(c, k);
  return exportModel(c.model, theta, {
    task: { ...c.task, p: phase.p, dataSeed: dataSeedOf(c) },
    step: k,
    run: { preset: c.preset, seed: c.seed, phase: phase.name, p: phase.p },
  });
}

/** Writes θ_step of the run (the last snapshot when step is null) to `out`; returns the step. */
export function exportSnapshot(runDir: string, step: number | null, out: string): { step: number; bytes: number } {
  const m = readManifest(runDir);
  const traj = readTrajectory(runDir, m);
  if (traj.steps.length === 0) throw new RunFormatError(`${runDir} has no snapshots yet`);
  const k = step ?? traj.steps[traj.steps.length - 1];
  const i = traj.steps.indexOf(k);
  if (i < 0) throw new RunFormatError(`step ${k} is not a snapshot of ${runDir}; the nearest are ${nearestSteps(traj.steps, k)}`);
  const outDir = dirname(out);
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new RunFormatError(`cannot write ${out}: the folder ${outDir} does not exist`);
  const bytes = checkpointBytes(m.config, k, traj.data.slice(i * traj.width, (i + 1) * traj.width));
  try {
    writeFileAtomic(out, bytes);
  } catch (err) {
    throw new RunFormatError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { step: k, bytes: bytes.length };
}
