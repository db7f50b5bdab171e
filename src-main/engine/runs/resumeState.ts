/**
 * The state a run resumes from: θ and Adam's moments after `step` updates.
 *
 * A save writes a new file, resume/state-<step>.npy, then run.json naming it, then deletes the
 * older state. run.json is the commit point: a kill anywhere in a save leaves run.json naming a
 * state file that exists and holds the step run.json says, and the trajectory and metrics rows up
 * to that step were written before it. The file also says which step it holds, so a folder that
 * mixes two saves anyway (copied mid-run, edited by hand) is refused instead of resumed wrongly.
 *
 * File: float32 [4, parameters]; rows 0–2 are θ, Adam m and Adam v; row 3 is a record
 * [format 1, step, Adam t, snapshot rows, 0, …]. Every count is ≤ MAX_STEPS + 1 < 2^24, so it is
 * exact in float32.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy, type NpyArray } from '../io/npy.js';
import { paths, readMetrics, type RunManifest } from './runFolder.js';

const RECORD_FORMAT = 1;
const RESUME_DIR = 'resume';
/** Runs written before the record existed keep θ, m, v as float32 [3, parameters] here. */
const LEGACY_FILE = `${RESUME_DIR}/state.npy`;

/** A state that cannot be resumed from; the message says why and what to do. */
export class ResumeStateError extends Error {
  override name = 'ResumeStateError';
}

/** Where a resumed run continues from: the step, Adam's step count, and [θ; m; v] as saved there. */
export interface ResumePoint {
  step: number;
  adamT: number;
  /** float32 [3 · parameterCount]: the parameters, Adam's first and second moments */
  state: Float32Array;
}

/** The state file of `step`, relative to the run folder. */
export function resumeStateFile(step: number): string {
  return `${RESUME_DIR}/state-${String(step).padStart(6, '0')}.npy`;
}

/** Writes the state after `step` updates (atomically and durably); returns its file, relative to the run folder. */
export function writeResumeState(dir: string, step: number, theta: Float32Array, adam: { t: number; m: Float32Array; v: Float32Array }, snapshotRows: number): string {
  const P = theta.length;
  const data = new Float32Array(4 * P);
  data.set(theta, 0);
  data.set(adam.m, P);
  data.set(adam.v, 2 * P);
  data.set([RECORD_FORMAT, step, adam.t, snapshotRows], 3 * P);
  const file = resumeStateFile(step);
  writeNpy(join(dir, file), data, [4, P]);
  return file;
}

/** Deletes every resume state but `keep`, and temporary files left by killed writers. */
export function removeStaleResumeStates(dir: string, keep: string): void {
  const folder = join(dir, RESUME_DIR);
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) {
    const rel = `${RESUME_DIR}/${name}`;
    if (rel !== keep && (/^state(-\d+)?\.npy$/.test(name) || /\.tmp-\d+$/.test(name))) rmSync(join(folder, name), { force: true });
  }
}

/**
 * Reads the state run.json points at and checks it against run.json, trajectory.npy and
 * metrics.csv; throws a ResumeStateError with a sentence when they do not belong together.
 */
export function readResumeState(dir: string, m: RunManifest): ResumePoint {
  const resume = m.resume!;
  const P = m.parameterCount;
  const file = resume.file ?? LEGACY_FILE;
  const path = join(dir, file);
  const refuse = (why: string): never => {
    throw new ResumeStateError(`${dir} cannot be resumed exactly: ${why}; start the run again (a new --out folder)`);
  };
  if (!existsSync(path)) refuse(`run.json names the resume state ${file}, which is missing`);
  const arr = readNpy(path);
  const rows = resume.file ? 4 : 3;
  if (arr.dtype !== 'float32' || arr.shape.join(',') !== `${rows},${P}`) {
    refuse(`${file} should be float32 [${rows}, ${P}], found ${arr.dtype} [${arr.shape.join(', ')}]; the resume state is corrupt`);
  }
  const data = arr.data as Float32Array;
  const kept = m.snapshotSteps.filter((k) => k <= resume.step);
  if (resume.file) {
    const [format, step, adamT, snapshotRows] = data.subarray(3 * P, 3 * P + 4);
    if (format !== RECORD_FORMAT) refuse(`${file} has a record of format ${format}, not ${RECORD_FORMAT}`);
    if (step !== resume.step || adamT !== resume.adamT) refuse(`${file} holds the state after ${step} steps (Adam t = ${adamT}), but run.json says ${resume.step} (Adam t = ${resume.adamT})`);
    if (snapshotRows !== kept.length) refuse(`${file} was saved with ${snapshotRows} trajectory rows, but run.json lists ${kept.length} snapshots up to step ${resume.step}`);
  }
  checkTrajectory(dir, kept, resume.step, data.subarray(0, P), refuse);
  const before = readMetrics(dir).filter((r) => r.step < resume.step);
  if (before.length !== resume.step || before.some((r, i) => r.step !== i)) refuse(`metrics.csv should hold one row for each of the steps 0–${resume.step - 1}, but holds ${before.length} rows before step ${resume.step}`);
  return { step: resume.step, adamT: resume.adamT, state: data.slice(0, 3 * P) };
}

/** The trajectory must hold every kept row, and its row for the resume step (if a snapshot) must be θ itself. */
function checkTrajectory(dir: string, kept: number[], step: number, theta: Float32Array, refuse: (why: string) => never): void {
  let arr: NpyArray;
  try {
    arr = readNpy(paths(dir).trajectory);
  } catch (err) {
    return refuse((err as Error).message);
  }
  const P = theta.length;
  if (arr.dtype !== 'float32' || arr.shape.length !== 2 || arr.shape[1] !== P) refuse(`trajectory.npy should be float32 [rows, ${P}], found ${arr.dtype} [${arr.shape.join(', ')}]`);
  if (arr.shape[0] < kept.length) refuse(`trajectory.npy holds ${arr.shape[0]} rows, fewer than the ${kept.length} snapshots up to step ${step}`);
  if (kept.at(-1) !== step) return;
  const row = (arr.data as Float32Array).subarray((kept.length - 1) * P, kept.length * P);
  const same = Buffer.from(row.buffer, row.byteOffset, row.byteLength).equals(Buffer.from(theta.buffer, theta.byteOffset, theta.byteLength));
  if (!same) refuse(`the trajectory's row for step ${step} differs from the parameters in the resume state`);
}
