/**
 * Datasets as .npy files: `<split>_tokens.npy` (int32 [n, T]) and `<split>_targets.npy`
 * (int32 [n]), one folder per modulus (`p<P>/`). A run keeps its own under data/; `circuit-
 * workbench data` writes them anywhere; `--data DIR` reads them back, for training or analysis.
 */
import { existsSync } from 'node:fs';
import { makeDirectory } from '../io/directories.js';
import { join } from 'node:path';
import { NpyError, readNpy, writeNpy, type NpyArray } from '../io/npy.js';
import { drawUniforms, taskData, type Dataset, type Split, type TaskData } from '../task/data.js';
import { dataSeedOf, moduliOf, type TrainConfig } from './runConfig.js';

/** The folder of modulus p's datasets under `root` (written or read). */
export function modulusFolder(root: string, p: number): string {
  return join(root, `p${p}`);
}

/**
 * Where a data folder holds modulus p's files: its `p<P>/` subfolder if it has one, else the
 * folder itself when `flat` allows it (a one-modulus schedule's files side by side); null if
 * neither.
 */
export function findDataFolder(root: string, p: number, flat: boolean): string | null {
  const sub = modulusFolder(root, p);
  return existsSync(sub) ? sub : flat ? root : null;
}

export function writeDataset(folder: string, split: Split, ds: Dataset): void {
  writeNpy(join(folder, `${split}_tokens.npy`), ds.tokens, [ds.n, ds.T]);
  writeNpy(join(folder, `${split}_targets.npy`), ds.targets, [ds.n]);
}

/** Writes one modulus's train, test and held-out sets into `folder` (created if missing). */
export function writeTaskData(folder: string, d: TaskData): void {
  makeDirectory(folder);
  writeDataset(folder, 'train', d.train);
  writeDataset(folder, 'test', d.test);
  writeDataset(folder, 'heldout', d.heldout);
}

/** The datasets of every modulus a configuration trains on, generated from its data seed. */
export function generateTaskData(c: TrainConfig): Map<number, TaskData> {
  const uniforms = drawUniforms(c.task, dataSeedOf(c));
  return new Map(moduliOf(c).map((p) => [p, taskData(c.task, p, uniforms, dataSeedOf(c))]));
}

/** An empty held-out set, for data folders that bring none. */
export function emptyDataset(p: number, T: number): Dataset {
  return { p, T, n: 0, tokens: new Int32Array(0), targets: new Int32Array(0) };
}

/**
 * Reads `<split>_tokens.npy` and `<split>_targets.npy` from a folder, checking shapes and ranges.
 * Targets are taken as given (they may come from elsewhere); tokens must be in [0, p).
 */
export function readDataset(folder: string, split: Split, p: number, T: number | null): Dataset {
  const tokensFile = join(folder, `${split}_tokens.npy`);
  const targetsFile = join(folder, `${split}_targets.npy`);
  const tokens = readNpy(tokensFile);
  const targets = readNpy(targetsFile);
  const isInt = (a: NpyArray) => a.dtype === 'int32' || a.dtype === 'uint8' || a.dtype === 'int8' || a.dtype === 'int16' || a.dtype === 'uint16';
  if (!isInt(tokens) || tokens.shape.length !== 2) throw new NpyError(`${tokensFile} should be an integer array [n, T], found ${tokens.dtype} [${tokens.shape.join(', ')}]`);
  if (!isInt(targets) || targets.shape.length !== 1) throw new NpyError(`${targetsFile} should be an integer array [n], found ${targets.dtype} [${targets.shape.join(', ')}]`);
  const [n, t] = tokens.shape;
  if (n === 0) throw new NpyError(`${tokensFile} holds no sequences; an evaluation over no data has no loss or accuracy: give it at least one sequence`);
  if (T !== null && t !== T) throw new NpyError(`${tokensFile} has sequences of length ${t}, but the model expects T = ${T}`);
  if (targets.shape[0] !== n) throw new NpyError(`${targetsFile} has ${targets.shape[0]} targets for ${n} sequences in ${tokensFile}`);
  const tok = Int32Array.from(tokens.data as ArrayLike<number>);
  const tgt = Int32Array.from(targets.data as ArrayLike<number>);
  for (let i = 0; i < tok.length; i++) {
    if (tok[i] < 0 || tok[i] >= p) throw new NpyError(`${tokensFile} holds the token ${tok[i]}, outside {0..${p - 1}} for p = ${p}`);
  }
  for (let i = 0; i < tgt.length; i++) {
    if (tgt[i] < 0 || tgt[i] >= p) throw new NpyError(`${targetsFile} holds the target ${tgt[i]}, outside {0..${p - 1}} for p = ${p}`);
  }
  return { p, T: t, n, tokens: tok, targets: tgt };
}
