/** Any snapshot θ_k of a run as a portable ONNX checkpoint, with the run's metadata inside. */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportModel } from '../onnx/export.js';
import { nearestSteps, readManifest, readTrajectory, refuseWriteIntoRun, RunFormatError } from './runFolder.js';
import { fileSystemReason, writeFileAtomic } from '../io/atomic.js';
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
  const theta = traj.data.slice(i * traj.width, (i + 1) * traj.width);
  if (!theta.every(Number.isFinite)) {
    // a checkpoint of NaN weights would be written and then refused by every reader
    let lastFinite: number | null = null;
    for (let j = i - 1; j >= 0 && lastFinite === null; j--) if (traj.data.subarray(j * traj.width, (j + 1) * traj.width).every(Number.isFinite)) lastFinite = traj.steps[j];
    const earlier = lastFinite === null ? 'no earlier snapshot is finite either' : `the last finite one before it is step ${lastFinite}: export that with --step ${lastFinite}`;
    throw new RunFormatError(`the weights of ${runDir} at step ${k} are not finite numbers (the run diverged${m.message ? `: ${m.message}` : ''}), so they make no checkpoint; ${earlier}`);
  }
  refuseWriteIntoRun(out);
  const outDir = dirname(out);
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new RunFormatError(`cannot write ${out}: the folder ${outDir} does not exist`);
  const bytes = checkpointBytes(m.config, k, theta);
  try {
    writeFileAtomic(out, bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RunFormatError(`cannot write ${out}: ${code === 'ENOENT' ? `${outDir} takes no new files; choose another folder` : (fileSystemReason(err) ?? code ?? String(err))}`);
  }
  return { step: k, bytes: bytes.length };
}
