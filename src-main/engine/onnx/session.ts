/**
 * Evaluation on onnxruntime-node at any weights: the checkpoint's evaluation graph takes the
 * weights as inputs, so trajectory snapshots, interpolations and other checkpoints with the same
 * layout all run through one session.
 */
import * as ort from 'onnxruntime-node';
import { OnnxFormatError, type OnnxCheckpoint, type OnnxParam } from './load.js';

export interface EvalOutput {
  /** [n, V] */
  logits: Float32Array;
  /** [n, T] */
  attention: Float32Array;
  /** [n, d] */
  zAttn: Float32Array;
}

/** Tokens prepared once for repeated runs. */
export interface TokenFeed {
  n: number;
  tensor: ort.Tensor;
}

export class EvalSession {
  readonly checkpoint: OnnxCheckpoint;
  private readonly session: ort.InferenceSession;

  private constructor(checkpoint: OnnxCheckpoint, session: ort.InferenceSession) {
    this.checkpoint = checkpoint;
    this.session = session;
  }

  static async create(checkpoint: OnnxCheckpoint): Promise<EvalSession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(checkpoint.evalGraph, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (err) {
      throw new OnnxFormatError(`${checkpoint.source} does not load in onnxruntime: ${(err as Error).message.split('\n')[0]}`);
    }
    return new EvalSession(checkpoint, session);
  }

  tokens(tokens: Int32Array, T = this.checkpoint.T): TokenFeed {
    if (tokens.length % T !== 0) throw new RangeError(`${tokens.length} tokens are not whole sequences of length ${T}`);
    const n = tokens.length / T;
    const tensor = this.checkpoint.tokenType === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(tokens, (x) => BigInt(x)), [n, T]) : new ort.Tensor('int32', Int32Array.from(tokens), [n, T]);
    return { n, tensor };
  }

  /** Runs the model at flat weights `w` (the checkpoint's layout) on prepared tokens. */
  async run(w: Float32Array, feed: TokenFeed, outputs: ('logits' | 'attention' | 'z_attn')[] = ['logits', 'attention', 'z_attn']): Promise<EvalOutput> {
    const params: OnnxParam[] = this.checkpoint.params;
    if (w.length !== this.checkpoint.total) throw new RangeError(`${w.length} weights given for a model of ${this.checkpoint.total}`);
    const feeds: Record<string, ort.Tensor> = { tokens: feed.tensor };
    for (const p of params) feeds[p.name] = new ort.Tensor('float32', w.subarray(p.offset, p.offset + p.size), p.shape);
    const out = await this.session.run(feeds, outputs);
    const get = (name: string) => (out[name] ? (out[name].data as Float32Array) : new Float32Array(0));
    return { logits: get('logits'), attention: get('attention'), zAttn: get('z_attn') };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export interface LossAccuracy {
  loss: number;
  accuracy: number;
}

/** Mean cross-entropy and accuracy of logits [n, V] against integer targets. */
export function lossAndAccuracy(logits: Float32Array, targets: Int32Array, V: number): LossAccuracy {
  const n = targets.length;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    let arg = 0;
    for (let v = 0; v < V; v++) {
      const x = logits[i * V + v];
      if (x > max) {
        max = x;
        arg = v;
      }
    }
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[i * V + v] - max);
    loss += max + Math.log(sum) - logits[i * V + targets[i]];
    if (arg === targets[i]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n };
}
