/**
 * Evaluation on onnxruntime-node at any weights: the checkpoint's evaluation graph takes the
 * weights as inputs, so trajectory snapshots, interpolations and other checkpoints with the same
 * layout all run through one session.
 */
import * as ort from 'onnxruntime-node';
import { OnnxFormatError, readCheckpointDraft, type CheckpointDraft, type OnnxCheckpoint, type OnnxParam } from './load.js';
import type { LossAccuracy } from './lossAccuracy.js';
import { onnxRuntimeReason } from './ortErrors.js';

// onnxruntime's own log lines would reach the user's terminal before our sentence; errors are
// translated into OnnxFormatError instead. 3 = errors only go through the thrown exception.
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 };
ort.env.logLevel = 'error';

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
  private session: Promise<ort.InferenceSession> | null;

  private constructor(checkpoint: OnnxCheckpoint, session: Promise<ort.InferenceSession> | null) {
    this.checkpoint = checkpoint;
    this.session = session;
  }

  private static load(checkpoint: OnnxCheckpoint): Promise<ort.InferenceSession> {
    return ort.InferenceSession.create(checkpoint.evalGraph, SESSION_OPTIONS).catch((err: unknown) => {
      throw new OnnxFormatError(`${checkpoint.source} does not load in onnxruntime: ${onnxRuntimeReason((err as Error).message)}`);
    });
  }

  /** Loads the graph now: a file that onnxruntime rejects fails here. */
  static async create(checkpoint: OnnxCheckpoint): Promise<EvalSession> {
    const session = EvalSession.load(checkpoint);
    await session;
    return new EvalSession(checkpoint, session);
  }

  /** Loads the graph on the first run, so opening a run for a projection or curves costs no session. */
  static lazy(checkpoint: OnnxCheckpoint): EvalSession {
    return new EvalSession(checkpoint, null);
  }

  /** Whether onnxruntime holds a session for this graph yet. */
  get loaded(): boolean {
    return this.session !== null;
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
    this.session ??= EvalSession.load(this.checkpoint);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await (await this.session).run(feeds, outputs);
    } catch (err) {
      if (err instanceof OnnxFormatError) throw err;
      throw new OnnxFormatError(`${this.checkpoint.source} fails when onnxruntime runs it: ${onnxRuntimeReason((err as Error).message)}`);
    }
    const get = (name: string) => (out[name] ? (out[name].data as Float32Array) : new Float32Array(0));
    return { logits: get('logits'), attention: get('attention'), zAttn: get('z_attn') };
  }

  async release(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session) await (await session).release();
  }
}

export type { LossAccuracy } from './lossAccuracy.js';

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

const MAX_PROBED_T = 4096;

/**
 * Completes a draft whose shapes are symbolic by running it once on its own weights: for each
 * candidate T (the row counts of its 2-D weights, e.g. a positional table), a batch of one
 * sequence of zeros; the run that succeeds and returns attention over T positions gives V and d.
 */
async function probeShapes(draft: CheckpointDraft): Promise<OnnxCheckpoint> {
  const rows = draft.params.filter((p) => p.shape.length === 2).map((p) => p.shape[0]);
  const candidates = draft.T ? [draft.T] : [...new Set(rows)].filter((t) => t >= 1 && t <= MAX_PROBED_T).sort((a, b) => a - b);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(draft.evalGraph, { ...SESSION_OPTIONS, logSeverityLevel: 4 });
  } catch (err) {
    throw new OnnxFormatError(`${draft.source} does not load in onnxruntime: ${onnxRuntimeReason((err as Error).message)}`);
  }
  try {
    for (const T of candidates) {
      const tokens = draft.tokenType === 'int64' ? new ort.Tensor('int64', new BigInt64Array(T), [1, T]) : new ort.Tensor('int32', new Int32Array(T), [1, T]);
      const feeds: Record<string, ort.Tensor> = { tokens };
      for (const p of draft.params) feeds[p.name] = new ort.Tensor('float32', draft.weights.subarray(p.offset, p.offset + p.size), p.shape);
      let out: ort.InferenceSession.OnnxValueMapType;
      try {
        out = await session.run(feeds);
      } catch {
        continue; // not this sequence length
      }
      const width = (name: string) => (out[name]?.dims.length === 2 && out[name].dims[0] === 1 ? out[name].dims[1] : null);
      const V = width('logits');
      const d = width('z_attn');
      if (width('attention') === T && V && d && (!draft.V || draft.V === V) && (!draft.d || draft.d === d)) return { ...draft, T, V, d };
    }
  } finally {
    await session.release();
  }
  throw new OnnxFormatError(
    `${draft.source} does not say its ${unknownSizes(draft)}, and no trial run on sequences of ${candidates.join(', ') || 'any'} tokens gave outputs [1, V], [1, T], [1, d]; export it with fixed shapes for everything but the batch`,
  );
}

/** "sequence length T and width d": the sizes a draft does not state. */
function unknownSizes(draft: CheckpointDraft): string {
  const names = [draft.T ? null : 'sequence length T', draft.V ? null : 'vocabulary size V', draft.d ? null : 'width d'].filter((x): x is string => x !== null);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
}

/** Reads an ONNX checkpoint file, probing it once when its shapes are symbolic. */
export async function openCheckpoint(path: string): Promise<OnnxCheckpoint> {
  const draft = readCheckpointDraft(path);
  const { T, V, d } = draft;
  return T && V && d ? { ...draft, T, V, d } : probeShapes(draft);
}
