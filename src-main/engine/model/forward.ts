/**
 * The forward pass in TensorFlow.js. Shapes are kept 2-D and matmuls untransposed where it
 * matters, with explicit-transpose gradients (docs/design.md, measured facts): the wasm backend's fast path.
 */
import * as tf from '@tensorflow/tfjs';
import { RMS_EPS, type ModelConfig, type ParamLayout } from './config.js';
import type { Dataset } from '../task/data.js';

export type Params = Record<string, tf.Tensor>;

/** tf.customGrad with typed arguments (its own signature takes an untyped rest parameter). */
function customGrad<F>(f: F): unknown {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** y = x @ w for 2-D x and w, with a gradient that transposes explicitly. */
export const linear = customGrad((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D),
      tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor2D;

/**
 * Constant tensors for one dataset (or minibatch). Tokens are kept one-hot per (position, token)
 * pair, [n, T·V]: since z_t = E[x_t] + P_t takes only T·V distinct values, the norm, keys and
 * scores are computed once per pair on a [T·V, d] table and picked out with a matmul, which is
 * exact and turns the n·T·d work of the embedding and attention into n·T·V.
 */
export interface Batch {
  n: number;
  T: number;
  V: number;
  /** float [n, T·V]: column t·V + v is 1 where x_t = v */
  pairsOneHot: tf.Tensor2D;
  /** float [T·V, n]: its transpose, kept for gradients */
  pairsOneHotT: tf.Tensor2D;
  /** float [n, V] */
  targetsOneHot: tf.Tensor2D;
  /** int32 [n] */
  targets: tf.Tensor1D;
  dispose(): void;
}

export function makeBatch(tokens: Int32Array, targets: Int32Array, T: number, V: number): Batch {
  const n = targets.length;
  const pairs = new Float32Array(n * T * V);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) pairs[i * T * V + t * V + tokens[i * T + t]] = 1;
  }
  const pairsOneHot = tf.tensor2d(pairs, [n, T * V]);
  const batch: Batch = {
    n,
    T,
    V,
    pairsOneHot,
    pairsOneHotT: tf.tidy(() => tf.transpose(pairsOneHot)),
    targetsOneHot: tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), V).toFloat() as tf.Tensor2D),
    targets: tf.tensor1d(targets, 'int32'),
    dispose() {
      tf.dispose([batch.pairsOneHot, batch.pairsOneHotT, batch.targetsOneHot, batch.targets]);
    },
  };
  return batch;
}

export function datasetBatch(ds: Dataset, V: number): Batch {
  return makeBatch(ds.tokens, ds.targets, ds.T, V);
}

/** x @ w for a constant x whose transpose is at hand: only w gets a gradient. */
function constantTimes(x: tf.Tensor2D, xT: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D {
  const f = customGrad((weights: tf.Tensor) => ({
    value: tf.matMul(x, weights as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor) => tf.matMul(xT, dy as tf.Tensor2D),
  })) as (weights: tf.Tensor) => tf.Tensor2D;
  return f(w);
}

/** RMS(z) = z / (sqrt(mean(z²)) + eps) over the last axis: eps outside the root, no gain. */
export function rmsNorm(z: tf.Tensor): tf.Tensor {
  return tf.div(z, tf.add(tf.sqrt(tf.mean(tf.square(z), -1, true)), RMS_EPS));
}

/** y = x @ w + b, with the bias gradient as a matmul (a column sum is slower on wasm). */
export const dense = customGrad((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D),
      tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
      tf.reshape(tf.matMul(tf.ones([1, dy.shape[0]]), dy as tf.Tensor2D), b.shape),
    ],
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact GELU, x Φ(x) with Φ(x) = (1 + erf(x / √2)) / 2, and its derivative Φ(x) + x φ(x). */
export const gelu = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const cdf = tf.add(tf.mul(tf.erf(tf.mul(x, Math.SQRT1_2)), 0.5), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, [xs, cdfs]: tf.Tensor[]) => {
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
      return tf.mul(dy, tf.add(cdfs, tf.mul(xs, pdf)));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

export interface ForwardOutput {
  /** [n, V] */
  logits: tf.Tensor2D;
  /** [n, T] */
  attention: tf.Tensor2D;
  /** [n, d] */
  zAttn: tf.Tensor2D;
}

/** [T·V, T] with a 1 at (t·V + v, t): spreads per-pair scores into per-position columns. */
const positionMasks = new Map<string, Float32Array>();
function positionMask(T: number, V: number): tf.Tensor2D {
  const key = `${T}x${V}`;
  let m = positionMasks.get(key);
  if (!m) {
    m = new Float32Array(T * V * T);
    for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) m[(t * V + v) * T + t] = 1;
    positionMasks.set(key, m);
  }
  return tf.tensor2d(m, [T * V, T]);
}

export function forward(params: Params, batch: Batch, c: ModelConfig): ForwardOutput {
  const { n, T, V } = batch;
  if (V !== c.V || T !== c.T) throw new RangeError(`batch of T = ${T}, V = ${V} for a model of T = ${c.T}, V = ${c.V}`);
  const E = params['token_embedding'];
  // The table of every (position, token) pair: z[t·V + v] = E[v] + P[t], normed.
  const pairs = tf.reshape(tf.add(tf.reshape(params['position_embedding'], [T, 1, c.d]), tf.reshape(E, [1, V, c.d])), [T * V, c.d]);
  const pairsNormed = rmsNorm(pairs) as tf.Tensor2D;
  const pairScores = tf.mul(linear(pairsNormed, params['attention.query']), 1 / Math.sqrt(c.d));
  // scores[i, t] = pairScores[t·V + x_it]
  const scores = constantTimes(batch.pairsOneHot, batch.pairsOneHotT, tf.mul(pairScores, positionMask(T, V)));
  const attention = tf.softmax(scores) as tf.Tensor2D;
  // Σ_t a_t RMS(z_t) as one matmul over pairs; W_V after pooling (the same value, a T-th of the cost).
  const pairWeights = tf.reshape(tf.mul(tf.reshape(attention, [n, T, 1]), tf.reshape(batch.pairsOneHot, [n, T, V])), [n, T * V]);
  const pooled = linear(pairWeights, pairsNormed);
  const zAttn = linear(pooled, params['attention.value']);
  const zNormed = rmsNorm(zAttn);
  const hidden = c.mlpBias ? dense(zNormed, params['mlp.fc1.kernel'], params['mlp.fc1.bias']) : linear(zNormed, params['mlp.fc1.kernel']);
  const activated = gelu(hidden);
  const mlpOut = c.mlpBias ? dense(activated, params['mlp.fc2.kernel'], params['mlp.fc2.bias']) : linear(activated, params['mlp.fc2.kernel']);
  const zOut = tf.add(c.residual === 'raw' ? zAttn : zNormed, mlpOut);
  const unembed = c.tiedUnembedding ? tf.transpose(E) : params['unembedding'];
  const logits = linear(zOut, unembed);
  return { logits, attention, zAttn };
}

/** Mean cross-entropy over all V logits. */
export function crossEntropy(logits: tf.Tensor2D, batch: Batch): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(batch.targetsOneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

export function correctCount(logits: tf.Tensor2D, batch: Batch): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), batch.targets), 'float32'));
}

/** Parameters as constant tensors, from a flat vector laid out by `layout`. */
export function paramsFromFlat(flat: Float32Array, layout: ParamLayout): Params {
  const out: Params = {};
  for (const p of layout.params) out[p.name] = tf.tensor(flat.subarray(p.offset, p.offset + p.size), p.shape, 'float32');
  return out;
}

/** Loss and accuracy of flat parameters on a dataset (no gradient). */
export function evaluate(flat: Float32Array, layout: ParamLayout, c: ModelConfig, ds: Dataset): { loss: number; accuracy: number } {
  if (ds.n === 0) return { loss: NaN, accuracy: NaN };
  const batch = datasetBatch(ds, c.V);
  try {
    const [loss, correct] = tf.tidy(() => {
      const params = paramsFromFlat(flat, layout);
      const out = forward(params, batch, c);
      return [crossEntropy(out.logits, batch).dataSync()[0], correctCount(out.logits, batch).dataSync()[0]];
    });
    return { loss, accuracy: correct / ds.n };
  } finally {
    batch.dispose();
  }
}
