/**
 * Whole training steps as single ONNX graphs. The weights and Adam's moments are flat float32
 * vectors in layout order, passed in and returned each run, so one `session.run` is one update:
 *
 *   step:      θ, m, v, lr_t, ε_t, train batch, test batch → θ', m', v', stats
 *              stats = [train loss, train accuracy] at θ and [test loss, test accuracy] at θ'
 *   evaluate:  θ, batch → loss, accuracy, attention
 *   gradient:  θ, batch → logits, attention, z_attn, loss, gradient (for the parity tests)
 *
 * Adam is PyTorch's (engine/train/adam.ts): m' = β1 m + (1−β1) g, v' = β2 v + (1−β2) g²,
 * θ' = θ − lr_t · m' / (√v' + ε_t) with lr_t = lr·√(1−β2^t)/(1−β1^t) and ε_t = ε·√(1−β2^t)
 * computed by the caller.
 */
import { paramLayout, type ModelConfig } from '../../model/config.js';
import type { AdamHyper } from '../../runs/runConfig.js';
import { OnnxBuilder } from './builder.js';
import { batchInputs, emitBackward, emitForward, emitLoss, type Weights } from './model-graph.js';

/** The flat θ split into the layout's named tensors. */
function sliceWeights(g: OnnxBuilder, theta: string, c: ModelConfig): Weights {
  const w: Weights = {};
  for (const p of paramLayout(c).params) {
    const flat = g.op('Slice', [theta, g.ints([p.offset]), g.ints([p.offset + p.size]), g.ints([0])]);
    w[p.name] = g.reshape(flat, p.shape);
  }
  return w;
}

/** The layout's gradients as one flat vector. */
function flatGradient(g: OnnxBuilder, grads: Weights, c: ModelConfig): string {
  return g.op('Concat', paramLayout(c).params.map((p) => g.reshape(grads[p.name], [-1])), { axis: 0 });
}

export function stepGraph(c: ModelConfig, adam: AdamHyper): Uint8Array {
  const P = paramLayout(c).total;
  const g = new OnnxBuilder();
  const theta = g.input('theta', [P]);
  const m = g.input('m', [P]);
  const v = g.input('v', [P]);
  // one learning rate per parameter (Adam's parameter groups: the MLP may learn more slowly)
  const lrT = g.input('lr_t', [P]);
  const epsT = g.input('eps_t', []);
  const train = batchInputs(g, 'train', c);
  const test = batchInputs(g, 'test', c);

  const w = sliceWeights(g, theta, c);
  const fw = emitForward(g, w, train, c);
  const loss = emitLoss(g, fw.logits, train);
  const grad = flatGradient(g, emitBackward(g, w, train, fw, loss, c), c);

  const mNext = g.add(g.mul(m, g.f(adam.beta1)), g.mul(grad, g.f(1 - adam.beta1)));
  const vNext = g.add(g.mul(v, g.f(adam.beta2)), g.mul(g.mul(grad, grad), g.f(1 - adam.beta2)));
  const thetaNext = g.sub(theta, g.mul(lrT, g.div(mNext, g.add(g.op('Sqrt', [vNext]), epsT))));

  const testLoss = emitLoss(g, emitForward(g, sliceWeights(g, thetaNext, c), test, c).logits, test);
  const stats = g.op('Concat', [loss.loss, loss.accuracy, testLoss.loss, testLoss.accuracy].map((s) => g.reshape(s, [1])), { axis: 0 });

  g.output('theta_next', thetaNext, [P]);
  g.output('m_next', mNext, [P]);
  g.output('v_next', vNext, [P]);
  g.output('stats', stats, [4]);
  return g.encode('training_step');
}

export function evaluateGraph(c: ModelConfig): Uint8Array {
  const g = new OnnxBuilder();
  const theta = g.input('theta', [paramLayout(c).total]);
  const batch = batchInputs(g, 'batch', c);
  const fw = emitForward(g, sliceWeights(g, theta, c), batch, c);
  const loss = emitLoss(g, fw.logits, batch);
  g.output('loss', loss.loss, []);
  g.output('accuracy', loss.accuracy, []);
  g.output('attention', fw.attention, ['batch_n', c.T]);
  return g.encode('evaluate');
}

export function gradientGraph(c: ModelConfig): Uint8Array {
  const P = paramLayout(c).total;
  const g = new OnnxBuilder();
  const theta = g.input('theta', [P]);
  const batch = batchInputs(g, 'batch', c);
  const w = sliceWeights(g, theta, c);
  const fw = emitForward(g, w, batch, c);
  const loss = emitLoss(g, fw.logits, batch);
  g.output('logits', fw.logits, ['batch_n', c.V]);
  g.output('attention', fw.attention, ['batch_n', c.T]);
  g.output('z_attn', fw.zAttn, ['batch_n', c.d]);
  g.output('loss', loss.loss, []);
  g.output('gradient', flatGradient(g, emitBackward(g, w, batch, fw, loss, c), c), [P]);
  return g.encode('gradient');
}
