/**
 * Sparse modular addition: x = (x_1..x_T) with x_t in {0..p-1}, y = (x_1 + ... + x_k) mod p.
 *
 * A task draws one table of uniforms per split; the tokens for modulus p are floor(u * p). The
 * datasets of a curriculum therefore come from the same uniforms, and since u = m / 2^24 exactly,
 * floor(floor(u * 4) / 2) = floor(u * 2): the p = 2 tokens are the p = 4 tokens halved, as in the
 * reference code.
 */
import { Rng, deriveSeed } from './rng.js';

export interface TaskConfig {
  /** sequence length */
  T: number;
  /** number of leading tokens that are summed */
  k: number;
  nTrain: number;
  /** the paper's small test set (may overlap the training set) */
  nTest: number;
  /** a larger held-out set, disjoint from the training set (0 to skip) */
  nHeldout: number;
}

export interface Dataset {
  p: number;
  T: number;
  n: number;
  /** int32 [n, T], row-major */
  tokens: Int32Array;
  /** int32 [n] */
  targets: Int32Array;
}

export type Split = 'train' | 'test' | 'heldout';

export interface TaskData {
  p: number;
  train: Dataset;
  test: Dataset;
  heldout: Dataset;
  /** how many test sequences also occur in the training set */
  testOverlap: number;
}

export const UNIFORM_SCALE = 16777216; // uniforms are m / 2^24

/** Integer uniforms m in [0, 2^24) for the train and test splits, drawn from the data seed. */
export interface TaskUniforms {
  train: Int32Array;
  test: Int32Array;
}

export function drawUniforms(task: TaskConfig, dataSeed: number): TaskUniforms {
  const rng = new Rng(deriveSeed(dataSeed, 'task-uniforms'));
  const draw = (n: number): Int32Array => {
    const out = new Int32Array(n * task.T);
    for (let i = 0; i < out.length; i++) out[i] = rng.nextUint32() >>> 8;
    return out;
  };
  const train = draw(task.nTrain);
  const test = draw(task.nTest);
  return { train, test };
}

export function targetsFor(tokens: Int32Array, T: number, k: number, p: number): Int32Array {
  const n = tokens.length / T;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += tokens[i * T + t];
    out[i] = s % p;
  }
  return out;
}

export function tokensFromUniforms(uniforms: Int32Array, p: number): Int32Array {
  const out = new Int32Array(uniforms.length);
  for (let i = 0; i < uniforms.length; i++) out[i] = Math.floor((uniforms[i] * p) / UNIFORM_SCALE);
  return out;
}

export function makeDataset(tokens: Int32Array, T: number, k: number, p: number): Dataset {
  return { p, T, n: tokens.length / T, tokens, targets: targetsFor(tokens, T, k, p) };
}

function sequenceKey(tokens: Int32Array, T: number, i: number): string {
  let key = '';
  for (let t = 0; t < T; t++) key += String.fromCharCode(48 + tokens[i * T + t]);
  return key;
}

export function sequenceSet(ds: Dataset): Set<string> {
  const set = new Set<string>();
  for (let i = 0; i < ds.n; i++) set.add(sequenceKey(ds.tokens, ds.T, i));
  return set;
}

/** How many sequences of `ds` also occur in `reference`. */
export function countOverlap(ds: Dataset, reference: Set<string>): number {
  let count = 0;
  for (let i = 0; i < ds.n; i++) if (reference.has(sequenceKey(ds.tokens, ds.T, i))) count++;
  return count;
}

/**
 * Up to `n` distinct sequences that do not occur in the training set. When the sequence space
 * is small (p^T ≤ 2^20) the complement is enumerated and shuffled, so the set is as large as the
 * space allows; otherwise sequences are drawn and rejected.
 */
export function heldoutDataset(task: TaskConfig, p: number, train: Set<string>, seed: number): Dataset {
  const rng = new Rng(deriveSeed(seed, `heldout-p${p}`));
  const T = task.T;
  const chosen: number[][] = [];
  const space = Math.pow(p, T);
  if (task.nHeldout > 0 && space <= 1 << 20) {
    const candidates: number[] = [];
    const seq = new Int32Array(T);
    for (let code = 0; code < space; code++) {
      let c = code;
      for (let t = T - 1; t >= 0; t--) {
        seq[t] = c % p;
        c = Math.floor(c / p);
      }
      if (!train.has(sequenceKey(seq, T, 0))) candidates.push(code);
    }
    const order = rng.permutation(candidates.length);
    for (let i = 0; i < Math.min(task.nHeldout, candidates.length); i++) {
      let c = candidates[order[i]];
      const s = new Array<number>(T);
      for (let t = T - 1; t >= 0; t--) {
        s[t] = c % p;
        c = Math.floor(c / p);
      }
      chosen.push(s);
    }
  } else if (task.nHeldout > 0) {
    const seen = new Set<string>();
    const seq = new Int32Array(T);
    for (let attempts = 0; chosen.length < task.nHeldout && attempts < task.nHeldout * 100; attempts++) {
      for (let t = 0; t < T; t++) seq[t] = rng.int(p);
      const key = sequenceKey(seq, T, 0);
      if (train.has(key) || seen.has(key)) continue;
      seen.add(key);
      chosen.push(Array.from(seq));
    }
  }
  const tokens = new Int32Array(chosen.length * T);
  chosen.forEach((s, i) => tokens.set(s, i * T));
  return makeDataset(tokens, T, task.k, p);
}

/** The train, test and held-out datasets for modulus p, from the task's uniforms. */
export function taskData(task: TaskConfig, p: number, uniforms: TaskUniforms, dataSeed: number): TaskData {
  const train = makeDataset(tokensFromUniforms(uniforms.train, p), task.T, task.k, p);
  const test = makeDataset(tokensFromUniforms(uniforms.test, p), task.T, task.k, p);
  const trainSet = sequenceSet(train);
  return {
    p,
    train,
    test,
    heldout: heldoutDataset(task, p, trainSet, dataSeed),
    testOverlap: countOverlap(test, trainSet),
  };
}

export function validateTask(task: TaskConfig): void {
  const int = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('T (sequence length)', task.T, 1);
  int('k (number of summed tokens)', task.k, 1);
  int('n_train', task.nTrain, 1);
  int('n_test', task.nTest, 1);
  int('n_heldout', task.nHeldout, 0);
  if (task.k > task.T) throw new RangeError(`k = ${task.k} is larger than the sequence length T = ${task.T}; k must be at most T`);
}
