/**
 * The attention of the model (engine/model, onnx/export.ts modelGraph) computed in plain
 * TypeScript from the three weights it depends on: the token and position embeddings and the
 * query. A heatmap over training needs it at every snapshot of a run (10,000 in a long one), and
 * these few hundred multiply-adds per sequence cost microseconds, where an onnxruntime run of
 * the whole model costs about half a millisecond.
 */
import { RMS_EPS } from '../model/config.js';
import type { AnalysisSource } from './source.js';

/** Where the attention's weights lie in a flat parameter vector, and the model's sizes. */
export interface AttentionWeights {
  T: number;
  V: number;
  d: number;
  /** offsets of token_embedding [V, d], position_embedding [T, d] and attention.query [d, 1] */
  embedding: number;
  position: number;
  query: number;
  /** the RMS norm's epsilon, added outside the root */
  eps: number;
}

/**
 * The attention [n, T] of sequences `tokens` (n × T, each in [0, V)) at the flat weights `w`
 * (read from `w[base …]`), written into `out` at `outOffset`. Follows the evaluation graph:
 * z_t = E[x_t] + P_t in float32, RMS(z_t) = z_t / (√mean(z_t²) + eps), scores
 * RMS(z_t)·q / √d, softmax over t.
 */
export function attentionAt(w: Float32Array, base: number, layout: AttentionWeights, tokens: Int32Array, out: Float32Array, outOffset: number, scratch: Float64Array): void {
  const { T, d, eps } = layout;
  const n = tokens.length / T;
  const e0 = base + layout.embedding;
  const p0 = base + layout.position;
  const q0 = base + layout.query;
  const scale = 1 / Math.sqrt(d);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let t = 0; t < T; t++) {
      const e = e0 + tokens[i * T + t] * d;
      const p = p0 + t * d;
      let sumSquares = 0;
      let dot = 0;
      for (let j = 0; j < d; j++) {
        const z = Math.fround(w[e + j] + w[p + j]);
        sumSquares += z * z;
        dot += z * w[q0 + j];
      }
      const score = (dot / (Math.sqrt(sumSquares / d) + eps)) * scale;
      scratch[t] = score;
      if (score > max) max = score;
    }
    let total = 0;
    for (let t = 0; t < T; t++) {
      scratch[t] = Math.exp(scratch[t] - max);
      total += scratch[t];
    }
    for (let t = 0; t < T; t++) out[outOffset + i * T + t] = scratch[t] / total;
  }
}

/**
 * For a run folder (whose evaluation graph the workbench built itself from run.json's model),
 * the attention at many snapshots straight from the trajectory's rows in plain TypeScript
 * (attentionKernel.ts): the same numbers as the graph's, without an onnxruntime run per
 * snapshot. Null for other sources, whose graphs may compute attention otherwise.
 */
export function attentionFromTrajectory(src: AnalysisSource): ((steps: number[], tokens: Int32Array, out: Float32Array) => void) | null {
  const trajectory = src.trajectory;
  if (src.kind !== 'run' || !trajectory) return null;
  const offset = (name: string) => src.checkpoint.params.find((p) => p.name === name)?.offset;
  const [embedding, position, query] = ['token_embedding', 'position_embedding', 'attention.query'].map(offset);
  if (embedding === undefined || position === undefined || query === undefined) return null;
  const { T, V, d } = src.checkpoint;
  const layout: AttentionWeights = { T, V, d, embedding, position, query, eps: RMS_EPS };
  const rowOf = new Map(trajectory.steps.map((s, i) => [s, i]));
  const finite = finiteRows(trajectory);
  return (steps, tokens, out) => {
    const scratch = new Float64Array(T);
    const size = tokens.length;
    for (let i = 0; i < steps.length; i++) {
      const row = rowOf.get(steps[i]);
      // a snapshot with a weight that is not finite is refused as weightsAt refuses it
      if (row === undefined || !finite(row)) src.weightsAt(steps[i]);
      attentionAt(trajectory.data, row! * trajectory.width, layout, tokens, out, i * size, scratch);
    }
  };
}

/** Which rows of a trajectory hold only finite numbers, each found once and remembered. */
const finiteness = new WeakMap<Float32Array, Uint8Array>();
function finiteRows(trajectory: { data: Float32Array; width: number; steps: number[] }): (row: number) => boolean {
  const { data, width } = trajectory;
  let known = finiteness.get(data);
  if (!known) finiteness.set(data, (known = new Uint8Array(trajectory.steps.length)));
  const state = known;
  return (row) => {
    if (state[row] === 0) {
      // the sum of finite float32 numbers cannot overflow a double: it is finite exactly when they all are
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      const start = row * width;
      const end = start + width;
      let j = start;
      for (; j + 3 < end; j += 4) {
        a += data[j];
        b += data[j + 1];
        c += data[j + 2];
        d += data[j + 3];
      }
      for (; j < end; j++) a += data[j];
      state[row] = Number.isFinite(a + b + c + d) ? 1 : 2;
    }
    return state[row] === 1;
  };
}
