/**
 * The training step on TensorFlow.js (wasm, cpu or tfjs-node): the model of model/forward.ts,
 * its gradient by tf.valueAndGrads through the custom gradients, Adam of train/adam.ts.
 * Statistics stay on the backend until `takeStats`, so scalars are read back in blocks.
 */
import * as tf from '@tensorflow/tfjs';
import { paramLayout, type ParamLayout } from '../model/config.js';
import { correctCount, crossEntropy, forward, makeBatch, type Batch, type Params } from '../model/forward.js';
import { Adam, flatten } from './adam.js';
import type { AdamState, Evaluation, PreparedBatch, StepBackend, StepBackendInit } from './step-backend.js';

export class TfjsStepBackend implements StepBackend {
  private readonly layout: ParamLayout;
  private readonly vars: tf.Variable[];
  private readonly params: Params;
  private readonly adam: Adam;
  private pending: tf.Tensor[] = [];

  constructor(
    readonly name: string,
    private readonly init: StepBackendInit,
  ) {
    this.layout = paramLayout(init.model);
    this.vars = this.layout.params.map((p) => tf.variable(tf.tensor(init.theta.subarray(p.offset, p.offset + p.size), p.shape, 'float32'), true));
    this.params = Object.fromEntries(this.layout.params.map((p, i) => [p.name, this.vars[i]]));
    this.adam = new Adam(
      this.layout.params.map((p) => p.shape),
      init.adam,
    );
  }

  get adamT(): number {
    return this.adam.t;
  }

  prepare(tokens: Int32Array, targets: Int32Array): PreparedBatch {
    return makeBatch(tokens, targets, this.init.model.T, this.init.model.V);
  }

  async step(trainBatch: PreparedBatch, testBatch: PreparedBatch, lr: number, lrScales: number[] | null = null): Promise<void> {
    const train = trainBatch as Batch;
    const test = testBatch as Batch;
    const c = this.init.model;
    const stats = tf.tidy(() => {
      let correct: tf.Scalar | null = null;
      const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
        const named: Params = Object.fromEntries(this.layout.params.map((p, i) => [p.name, ps[i]]));
        const out = forward(named, train, c);
        correct = tf.keep(correctCount(out.logits, train));
        return crossEntropy(out.logits, train);
      })(this.vars);
      this.adam.apply(this.vars, grads, lr, lrScales);
      const after = forward(this.params, test, c);
      const result = tf.stack([value, tf.div(correct!, train.n), crossEntropy(after.logits, test), tf.div(correctCount(after.logits, test), test.n)]);
      tf.dispose(correct!);
      return result;
    });
    this.pending.push(stats);
  }

  takeStats(): Float32Array {
    if (this.pending.length === 0) return new Float32Array(0);
    const pending = this.pending;
    this.pending = [];
    const values = tf.tidy(() => tf.stack(pending).dataSync() as Float32Array);
    tf.dispose(pending);
    return values;
  }

  async evaluate(prepared: PreparedBatch): Promise<Evaluation> {
    const batch = prepared as Batch;
    const [loss, correct, attention] = tf.tidy(() => {
      const out = forward(this.params, batch, this.init.model);
      return [crossEntropy(out.logits, batch).dataSync()[0], correctCount(out.logits, batch).dataSync()[0], out.attention.dataSync() as Float32Array];
    });
    return { loss, accuracy: correct / batch.n, attention };
  }

  parameters(): Float32Array {
    return flatten(this.vars);
  }

  optimizerState(): AdamState {
    return this.adam.state();
  }

  loadOptimizer(state: AdamState): void {
    this.adam.load(state);
  }

  resetOptimizer(): void {
    this.adam.reset();
  }

  async dispose(): Promise<void> {
    tf.dispose(this.pending);
    this.pending = [];
    tf.dispose(this.vars);
    this.adam.dispose();
  }
}
