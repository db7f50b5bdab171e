/**
 * The model's forward pass, its loss and the hand-derived gradient of the loss, emitted as ONNX
 * nodes. The formulas are those of model/forward.ts (and its tfjs custom gradients):
 *
 *   pairs  = E[v] + P[t] for every (t, v), [T·V, d];  pn = RMS(pairs)
 *   scores = (pn q / √d)[t·V + x_t];  a = softmax(scores);  pooled = Σ_t a_t pn[t·V + x_t]
 *   z_A = pooled W_V;  h = RMS(z_A) W_1 + b_1;  z_O = z_A + GELU(h) W_2 + b_2;  logits = z_O Eᵀ
 *
 * with RMS(z) = z / (√mean(z²) + ε), exact erf GELU, and the mean cross-entropy over all V
 * logits. The (position, token) pair table makes the embedding and attention work n·T·V instead
 * of n·T·d, exactly. Everything that would broadcast along a short last axis (a per-position
 * weight over its V pairs) is a product with the constant [T, T·V] spreading matrix instead, and
 * every bias gradient is a product with a column of ones: onnxruntime's broadcasts and axis-0
 * reductions are several times slower than its matrix products on these shapes.
 */
import { RMS_EPS, type ModelConfig } from '../../model/config.js';
import { DataType } from '../../onnx/proto.js';
import type { OnnxBuilder } from './builder.js';

/** The graph inputs of one batch, named `${prefix}_…`. */
export interface BatchValues {
  /** float [n, T·V]: column t·V + v is 1 where x_t = v */
  pairsOneHot: string;
  /** float [n, V] */
  targetsOneHot: string;
  /** int64 [n] */
  targets: string;
  /** float [n, 1] of ones: bias columns and bias gradients */
  ones: string;
}

export function batchInputs(g: OnnxBuilder, prefix: string, c: ModelConfig): BatchValues {
  const n = `${prefix}_n`;
  return {
    pairsOneHot: g.input(`${prefix}_pairs_onehot`, [n, c.T * c.V]),
    targetsOneHot: g.input(`${prefix}_targets_onehot`, [n, c.V]),
    targets: g.input(`${prefix}_targets`, [n], DataType.INT64),
    ones: g.input(`${prefix}_ones`, [n, 1]),
  };
}

/** [T, T·V] with a 1 at (t, t·V + v): spreads a per-position value over that position's pairs. */
function spreading(g: OnnxBuilder, c: ModelConfig): string {
  const m = new Float32Array(c.T * c.T * c.V);
  for (let t = 0; t < c.T; t++) for (let v = 0; v < c.V; v++) m[t * c.T * c.V + t * c.V + v] = 1;
  return g.floats([c.T, c.T * c.V], m);
}

/** Parameter values by layout name. */
export type Weights = Record<string, string>;

interface Rms {
  y: string;
  /** √mean(x²) + ε */
  s: string;
  /** √mean(x²) */
  r: string;
}

function rms(g: OnnxBuilder, x: string): Rms {
  const r = g.op('Sqrt', [g.mean(g.mul(x, x), [-1], true)]);
  const s = g.add(r, g.f(RMS_EPS));
  return { y: g.div(x, s), s, r };
}

/** The gradient through y = x / s: dx = (dy − x · Σ(dy·x) / (s·r·D)) / s over the last axis of width D. */
function rmsBackward(g: OnnxBuilder, x: string, n: Rms, dy: string, D: number): string {
  const k = g.div(g.sum(g.mul(dy, x), [-1], true), g.mul(g.mul(n.s, n.r), g.f(D)));
  return g.div(g.sub(dy, g.mul(x, k)), n.s);
}

export interface Forward {
  spread: string;
  pairs: string;
  pairsNorm: Rms;
  attention: string;
  pairWeights: string;
  pooled: string;
  zAttn: string;
  zNorm: Rms;
  /** [RMS(z_A), 1] when the MLP has biases: b_1 rides in W_1's last row, its gradient in W_1's */
  fc1Input: string;
  hidden: string;
  cdf: string;
  activated: string;
  zOut: string;
  logits: string;
}

export function emitForward(g: OnnxBuilder, w: Weights, b: BatchValues, c: ModelConfig): Forward {
  const TV = c.T * c.V;
  const spread = spreading(g, c);
  const pairs = g.reshape(g.add(g.reshape(w['position_embedding'], [c.T, 1, c.d]), g.reshape(w['token_embedding'], [1, c.V, c.d])), [TV, c.d]);
  const pairsNorm = rms(g, pairs);
  const pairScores = g.gemm(pairsNorm.y, w['attention.query'], { alpha: 1 / Math.sqrt(c.d) });
  // scores[i, t] = pairScores[t·V + x_it]
  const scores = g.gemm(b.pairsOneHot, g.mul(spread, g.reshape(pairScores, [1, TV])), { transB: true });
  const attention = g.op('Softmax', [scores], { axis: -1 });
  const pairWeights = g.mul(g.gemm(attention, spread), b.pairsOneHot);
  const pooled = g.gemm(pairWeights, pairsNorm.y);
  const zAttn = g.gemm(pooled, w['attention.value']);
  const zNorm = rms(g, zAttn);
  const fc1Input = c.mlpBias ? g.op('Concat', [zNorm.y, b.ones], { axis: 1 }) : zNorm.y;
  const fc1 = c.mlpBias ? g.op('Concat', [w['mlp.fc1.kernel'], g.reshape(w['mlp.fc1.bias'], [1, c.h])], { axis: 0 }) : w['mlp.fc1.kernel'];
  const hidden = g.gemm(fc1Input, fc1);
  const cdf = g.add(g.mul(g.op('Erf', [g.mul(hidden, g.f(Math.SQRT1_2))]), g.f(0.5)), g.f(0.5));
  const activated = g.mul(hidden, cdf);
  const mlpOut = g.gemm(activated, w['mlp.fc2.kernel'], c.mlpBias ? { c: w['mlp.fc2.bias'] } : {});
  const zOut = g.add(c.residual === 'raw' ? zAttn : zNorm.y, mlpOut);
  const logits = c.tiedUnembedding ? g.gemm(zOut, w['token_embedding'], { transB: true }) : g.gemm(zOut, w['unembedding']);
  return { spread, pairs, pairsNorm, attention, pairWeights, pooled, zAttn, zNorm, fc1Input, hidden, cdf, activated, zOut, logits };
}

export interface Loss {
  /** scalar: mean cross-entropy */
  loss: string;
  /** scalar: the fraction of argmax predictions that hit the target */
  accuracy: string;
  logProbs: string;
  /** [1]: 1 / n */
  invN: string;
}

export function emitLoss(g: OnnxBuilder, logits: string, b: BatchValues): Loss {
  const logProbs = g.op('LogSoftmax', [logits], { axis: -1 });
  const loss = g.op('Neg', [g.mean(g.sum(g.mul(b.targetsOneHot, logProbs), [1], false), [0], false)]);
  const invN = g.op('Reciprocal', [g.op('Cast', [g.op('Shape', [b.targets])], { to: DataType.FLOAT })]);
  const hits = g.op('Cast', [g.op('Equal', [g.op('ArgMax', [logits], { axis: 1, keepdims: 0 }), b.targets])], { to: DataType.FLOAT });
  const accuracy = g.op('ReduceMean', [hits], { axes: [0], keepdims: 0 });
  return { loss, accuracy, logProbs, invN };
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The gradient of the mean cross-entropy with respect to every weight, by layout name. */
export function emitBackward(g: OnnxBuilder, w: Weights, b: BatchValues, f: Forward, l: Loss, c: ModelConfig): Weights {
  const TV = c.T * c.V;
  const grads: Weights = {};
  // softmax − one-hot, over n
  const dLogits = g.mul(g.sub(g.op('Exp', [l.logProbs]), b.targetsOneHot), l.invN);
  let dzOut: string;
  let dEmbedFromLogits: string | null = null;
  if (c.tiedUnembedding) {
    dzOut = g.gemm(dLogits, w['token_embedding']);
    dEmbedFromLogits = g.gemm(dLogits, f.zOut, { transA: true });
  } else {
    dzOut = g.gemm(dLogits, w['unembedding'], { transB: true });
    grads['unembedding'] = g.gemm(f.zOut, dLogits, { transA: true });
  }
  // MLP: z_O = residual + GELU(h) W_2 + b_2, h = RMS(z_A) W_1 + b_1
  if (c.mlpBias) grads['mlp.fc2.bias'] = g.reshape(g.gemm(b.ones, dzOut, { transA: true }), [c.d]);
  grads['mlp.fc2.kernel'] = g.gemm(f.activated, dzOut, { transA: true });
  const dActivated = g.gemm(dzOut, w['mlp.fc2.kernel'], { transB: true });
  // GELU'(h) = Φ(h) + h φ(h)
  const pdf = g.mul(g.op('Exp', [g.mul(g.mul(f.hidden, f.hidden), g.f(-0.5))]), g.f(INV_SQRT_2PI));
  const dHidden = g.mul(dActivated, g.add(f.cdf, g.mul(f.hidden, pdf)));
  const dFc1 = g.gemm(f.fc1Input, dHidden, { transA: true });
  if (c.mlpBias) {
    grads['mlp.fc1.kernel'] = g.op('Slice', [dFc1, g.ints([0]), g.ints([c.d]), g.ints([0])]);
    grads['mlp.fc1.bias'] = g.reshape(g.op('Slice', [dFc1, g.ints([c.d]), g.ints([c.d + 1]), g.ints([0])]), [c.h]);
  } else {
    grads['mlp.fc1.kernel'] = dFc1;
  }
  let dzNorm = g.gemm(dHidden, w['mlp.fc1.kernel'], { transB: true });
  if (c.residual === 'normed') dzNorm = g.add(dzNorm, dzOut);
  let dzAttn = rmsBackward(g, f.zAttn, f.zNorm, dzNorm, c.d);
  if (c.residual === 'raw') dzAttn = g.add(dzAttn, dzOut);
  // z_A = pooled W_V, pooled = pairWeights pn
  grads['attention.value'] = g.gemm(f.pooled, dzAttn, { transA: true });
  const dPooled = g.gemm(dzAttn, w['attention.value'], { transB: true });
  const dPairWeights = g.gemm(dPooled, f.pairsNorm.y, { transB: true });
  let dPairsNormed = g.gemm(f.pairWeights, dPooled, { transA: true });
  // attention: pairWeights[i, t·V + v] = a[i, t] · onehot[i, t·V + v]
  const dAttention = g.gemm(g.mul(dPairWeights, b.pairsOneHot), f.spread, { transB: true });
  const dScores = g.mul(f.attention, g.sub(dAttention, g.sum(g.mul(f.attention, dAttention), [-1], true)));
  // scores[i, t] = pairScores[t·V + x_it]: the gradient sums over the sequences using each pair
  const dPairScores = g.reshape(g.sum(g.mul(g.gemm(dScores, b.pairsOneHot, { transA: true }), f.spread), [0], false), [TV, 1]);
  const scale = 1 / Math.sqrt(c.d);
  grads['attention.query'] = g.gemm(f.pairsNorm.y, dPairScores, { transA: true, alpha: scale });
  dPairsNormed = g.add(dPairsNormed, g.gemm(dPairScores, w['attention.query'], { transB: true, alpha: scale }));
  const dPairs = g.reshape(rmsBackward(g, f.pairs, f.pairsNorm, dPairsNormed, c.d), [c.T, c.V, c.d]);
  grads['position_embedding'] = g.sum(dPairs, [1], false);
  const dEmbed = g.sum(dPairs, [0], false);
  grads['token_embedding'] = dEmbedFromLogits ? g.add(dEmbed, dEmbedFromLogits) : dEmbed;
  return grads;
}
