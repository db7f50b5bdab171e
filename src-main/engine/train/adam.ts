/**
 * Adam with PyTorch's semantics and defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8, no weight decay):
 *   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 *   θ ← θ − lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + ε).
 * The update is computed in the algebraically identical form lr_t · m / (sqrt(v) + ε_t) with
 * lr_t = lr·sqrt(1−β2^t)/(1−β1^t) and ε_t = ε·sqrt(1−β2^t), which saves two ops per tensor.
 * State lives in plain tensors so that a run can save it and resume exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { TORCH_ADAM, type AdamHyper } from '../runs/runConfig.js';

export { TORCH_ADAM };

export class Adam {
  readonly hyper: AdamHyper;
  /** number of updates taken since the optimiser was (re)started */
  t = 0;
  private m: tf.Variable[];
  private v: tf.Variable[];

  constructor(shapes: number[][], hyper: AdamHyper = TORCH_ADAM) {
    this.hyper = hyper;
    this.m = shapes.map((s) => tf.variable(tf.zeros(s), false));
    this.v = shapes.map((s) => tf.variable(tf.zeros(s), false));
  }

  reset(): void {
    this.t = 0;
    for (const x of [...this.m, ...this.v]) x.assign(tf.zerosLike(x));
  }

  /**
   * One update of `params` with `grads` (same order); call inside tf.tidy. `lrScales` (one per
   * parameter) gives parameter groups their own learning rate, lr × scale, as PyTorch's groups do.
   */
  apply(params: tf.Variable[], grads: tf.Tensor[], lr: number, lrScales: number[] | null = null): void {
    if (lrScales && lrScales.length !== params.length) throw new RangeError(`${lrScales.length} learning-rate scales for ${params.length} parameters`);
    const { beta1, beta2, eps } = this.hyper;
    this.t += 1;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const bc2 = 1 - Math.pow(beta2, this.t);
    const lrT = tf.scalar((lr * Math.sqrt(bc2)) / bc1);
    const scaled = new Map<number, tf.Scalar>();
    const lrOf = (i: number): tf.Scalar => {
      const s = lrScales?.[i] ?? 1;
      if (s === 1) return lrT;
      if (!scaled.has(s)) scaled.set(s, tf.scalar((lr * s * Math.sqrt(bc2)) / bc1));
      return scaled.get(s)!;
    };
    const epsT = tf.scalar(eps * Math.sqrt(bc2));
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
      this.m[i].assign(m);
      this.v[i].assign(v);
      params[i].assign(tf.sub(params[i], tf.mul(lrOf(i), tf.div(m, tf.add(tf.sqrt(v), epsT)))));
    }
  }

  /** The moments, flattened in parameter order: [m..., v...]. */
  state(): { t: number; m: Float32Array; v: Float32Array } {
    return { t: this.t, m: flatten(this.m), v: flatten(this.v) };
  }

  load(state: { t: number; m: Float32Array; v: Float32Array }): void {
    this.t = state.t;
    unflattenInto(this.m, state.m);
    unflattenInto(this.v, state.v);
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

export function flatten(tensors: tf.Tensor[]): Float32Array {
  const total = tensors.reduce((a, t) => a + t.size, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

export function unflattenInto(vars: tf.Variable[], flat: Float32Array): void {
  const total = vars.reduce((a, t) => a + t.size, 0);
  if (flat.length !== total) throw new RangeError(`flat vector of ${flat.length} values for ${total} parameters`);
  let offset = 0;
  for (const v of vars) {
    const start = offset;
    tf.tidy(() => v.assign(tf.tensor(flat.subarray(start, start + v.size), v.shape, 'float32')));
    offset += v.size;
  }
}
