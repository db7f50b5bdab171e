/**
 * The training-step graphs on onnxruntime-node's native CPU kernels: one thread (the machine's
 * other core is for the other runs of a sweep), every graph optimisation on. θ and Adam's moments
 * live here as flat float32 vectors; each step feeds them in and takes the updated ones back.
 */
import * as ort from 'onnxruntime-node';
import { paramLayout, type ModelConfig } from '../../model/config.js';
import type { AdamState, Evaluation, PreparedBatch, StepBackend, StepBackendInit } from '../step-backend.js';
import { evaluateGraph, gradientGraph, stepGraph } from './step-graph.js';

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
};

/** A batch's constant tensors, computed once (the full datasets) or per step (minibatches). */
export class OrtBatch implements PreparedBatch {
  readonly n: number;
  private readonly tensors: ort.Tensor[];
  private readonly byPrefix = new Map<string, Record<string, ort.Tensor>>();

  constructor(tokens: Int32Array, targets: Int32Array, T: number, V: number) {
    const n = targets.length;
    if (tokens.length !== n * T) throw new RangeError(`${tokens.length} tokens for ${n} sequences of length ${T}`);
    const pairs = new Float32Array(n * T * V);
    for (let i = 0; i < n * T; i++) {
      const x = tokens[i];
      if (!(x >= 0 && x < V)) throw new RangeError(`token ${x} outside the vocabulary {0..${V - 1}}`);
      pairs[i * V + x] = 1;
    }
    const targetsOneHot = new Float32Array(n * V);
    for (let i = 0; i < n; i++) targetsOneHot[i * V + targets[i]] = 1;
    this.n = n;
    this.tensors = [
      new ort.Tensor('float32', pairs, [n, T * V]),
      new ort.Tensor('float32', targetsOneHot, [n, V]),
      new ort.Tensor('int64', BigInt64Array.from(targets, (y) => BigInt(y)), [n]),
      new ort.Tensor('float32', new Float32Array(n).fill(1), [n, 1]),
    ];
  }

  /** The feeds for the graph inputs named `${prefix}_…`. */
  feeds(prefix: string): Record<string, ort.Tensor> {
    let f = this.byPrefix.get(prefix);
    if (!f) {
      const [pairs, targetsOneHot, targets, ones] = this.tensors;
      f = { [`${prefix}_pairs_onehot`]: pairs, [`${prefix}_targets_onehot`]: targetsOneHot, [`${prefix}_targets`]: targets, [`${prefix}_ones`]: ones };
      this.byPrefix.set(prefix, f);
    }
    return f;
  }

  dispose(): void {
    // plain typed arrays: nothing native to release
  }
}

const scalar = (x: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(x), []);
const vector = (x: Float32Array): ort.Tensor => new ort.Tensor('float32', x, [x.length]);

export class OrtStepBackend implements StepBackend {
  readonly name = 'onnxruntime';
  private theta: Float32Array;
  private m: Float32Array;
  private v: Float32Array;
  private t = 0;
  private pending: Float32Array[] = [];

  private constructor(
    private readonly init: StepBackendInit,
    private readonly stepSession: ort.InferenceSession,
    private readonly evalSession: ort.InferenceSession,
  ) {
    this.theta = Float32Array.from(init.theta);
    this.m = new Float32Array(init.theta.length);
    this.v = new Float32Array(init.theta.length);
  }

  static async create(init: StepBackendInit): Promise<OrtStepBackend> {
    const [step, evaluate] = await Promise.all([
      ort.InferenceSession.create(stepGraph(init.model, init.adam), SESSION_OPTIONS),
      ort.InferenceSession.create(evaluateGraph(init.model), SESSION_OPTIONS),
    ]);
    return new OrtStepBackend(init, step, evaluate);
  }

  get adamT(): number {
    return this.t;
  }

  prepare(tokens: Int32Array, targets: Int32Array): OrtBatch {
    return new OrtBatch(tokens, targets, this.init.model.T, this.init.model.V);
  }

  async step(train: PreparedBatch, test: PreparedBatch, lr: number, lrScales: number[] | null = null): Promise<void> {
    const { beta1, beta2, eps } = this.init.adam;
    const t = this.t + 1;
    const bc1 = 1 - Math.pow(beta1, t);
    const bc2 = 1 - Math.pow(beta2, t);
    const lrT = new Float32Array(this.theta.length).fill((lr * Math.sqrt(bc2)) / bc1);
    if (lrScales) paramLayout(this.init.model).params.forEach((p, i) => lrT.subarray(p.offset, p.offset + p.size).fill(((lr * lrScales[i]) * Math.sqrt(bc2)) / bc1));
    const out = await this.stepSession.run({
      theta: vector(this.theta),
      m: vector(this.m),
      v: vector(this.v),
      lr_t: vector(lrT),
      eps_t: scalar(eps * Math.sqrt(bc2)),
      ...(train as OrtBatch).feeds('train'),
      ...(test as OrtBatch).feeds('test'),
    });
    this.theta = out['theta_next'].data as Float32Array;
    this.m = out['m_next'].data as Float32Array;
    this.v = out['v_next'].data as Float32Array;
    this.t = t;
    this.pending.push(out['stats'].data as Float32Array);
  }

  takeStats(): Float32Array {
    const out = new Float32Array(this.pending.length * 4);
    this.pending.forEach((s, i) => out.set(s, i * 4));
    this.pending = [];
    return out;
  }

  async evaluate(batch: PreparedBatch): Promise<Evaluation> {
    const out = await this.evalSession.run({ theta: vector(this.theta), ...(batch as OrtBatch).feeds('batch') });
    return { loss: (out['loss'].data as Float32Array)[0], accuracy: (out['accuracy'].data as Float32Array)[0], attention: out['attention'].data as Float32Array };
  }

  parameters(): Float32Array {
    return this.theta.slice();
  }

  optimizerState(): AdamState {
    return { t: this.t, m: this.m.slice(), v: this.v.slice() };
  }

  loadOptimizer(state: AdamState): void {
    if (state.m.length !== this.theta.length || state.v.length !== this.theta.length) throw new RangeError(`Adam state of ${state.m.length} values for ${this.theta.length} parameters`);
    this.t = state.t;
    this.m = Float32Array.from(state.m);
    this.v = Float32Array.from(state.v);
  }

  resetOptimizer(): void {
    this.t = 0;
    this.m = new Float32Array(this.theta.length);
    this.v = new Float32Array(this.theta.length);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.stepSession.release(), this.evalSession.release()]);
  }
}

export interface GradientResult {
  logits: Float32Array;
  attention: Float32Array;
  zAttn: Float32Array;
  loss: number;
  gradient: Float32Array;
}

/** Forward outputs, loss and gradient at flat weights `theta` (the parity tests' entry point). */
export async function ortGradient(c: ModelConfig, theta: Float32Array, tokens: Int32Array, targets: Int32Array): Promise<GradientResult> {
  const session = await ort.InferenceSession.create(gradientGraph(c), SESSION_OPTIONS);
  try {
    const out = await session.run({ theta: vector(theta), ...new OrtBatch(tokens, targets, c.T, c.V).feeds('batch') });
    const get = (name: string): Float32Array => out[name].data as Float32Array;
    return { logits: get('logits'), attention: get('attention'), zAttn: get('z_attn'), loss: get('loss')[0], gradient: get('gradient') };
  } finally {
    await session.release();
  }
}
