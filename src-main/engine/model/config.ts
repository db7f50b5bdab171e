/**
 * The model of the paper as the authors' code computes it, with switches for the variants the
 * paper's text describes. Kernels are stored [in, out] so that every matmul is x @ W, the layout
 * the wasm backend runs fastest (docs/design.md); PyTorch stores them [out, in], and
 * the parity tests transpose them (torch_tensor_of in tests/engine/model/torch_reference.py).
 */
import { Rng } from '../task/rng.js';

export interface ModelConfig {
  /** vocabulary size: rows of the token embedding (≥ every p trained on) */
  V: number;
  /** sequence length: rows of the positional embedding */
  T: number;
  /** embedding width */
  d: number;
  /** MLP hidden width */
  h: number;
  /** unembedding tied to the token embedding (the reference code) or a separate matrix */
  tiedUnembedding: boolean;
  /** biases in the MLP (the reference code) */
  mlpBias: boolean;
  /** the MLP's residual adds the un-normed z_A ('raw', the reference code) or RMS(z_A) ('normed') */
  residual: 'raw' | 'normed';
}

export const RMS_EPS = 1e-5;

export const PAPER_MODEL: ModelConfig = { V: 4, T: 12, d: 32, h: 128, tiedUnembedding: true, mlpBias: true, residual: 'raw' };

export type InitKind = { kind: 'normal' } | { kind: 'uniform'; bound: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  /** offset into the flattened parameter vector */
  offset: number;
  size: number;
  init: InitKind;
}

export interface ParamLayout {
  params: ParamSpec[];
  total: number;
}

export function paramLayout(c: ModelConfig): ParamLayout {
  const specs: Omit<ParamSpec, 'offset' | 'size'>[] = [
    { name: 'token_embedding', shape: [c.V, c.d], init: { kind: 'normal' } },
    { name: 'position_embedding', shape: [c.T, c.d], init: { kind: 'normal' } },
    { name: 'attention.query', shape: [c.d, 1], init: { kind: 'uniform', bound: 1 / Math.sqrt(c.d) } },
    { name: 'attention.value', shape: [c.d, c.d], init: { kind: 'uniform', bound: 1 / Math.sqrt(c.d) } },
    { name: 'mlp.fc1.kernel', shape: [c.d, c.h], init: { kind: 'uniform', bound: 1 / Math.sqrt(c.d) } },
  ];
  if (c.mlpBias) specs.push({ name: 'mlp.fc1.bias', shape: [c.h], init: { kind: 'uniform', bound: 1 / Math.sqrt(c.d) } });
  specs.push({ name: 'mlp.fc2.kernel', shape: [c.h, c.d], init: { kind: 'uniform', bound: 1 / Math.sqrt(c.h) } });
  if (c.mlpBias) specs.push({ name: 'mlp.fc2.bias', shape: [c.d], init: { kind: 'uniform', bound: 1 / Math.sqrt(c.h) } });
  if (!c.tiedUnembedding) specs.push({ name: 'unembedding', shape: [c.d, c.V], init: { kind: 'uniform', bound: 1 / Math.sqrt(c.d) } });
  let offset = 0;
  const params = specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const spec = { ...s, offset, size };
    offset += size;
    return spec;
  });
  return { params, total: offset };
}

/** PyTorch-default initialisation (docs/design.md, the model), drawn from the project's seeded generator. */
export function initParams(c: ModelConfig, seed: number): Float32Array {
  const layout = paramLayout(c);
  const out = new Float32Array(layout.total);
  const rng = new Rng(seed);
  for (const p of layout.params) {
    for (let i = 0; i < p.size; i++) {
      out[p.offset + i] = p.init.kind === 'normal' ? rng.normal() : (2 * rng.uniform() - 1) * p.init.bound;
    }
  }
  return out;
}

export function validateModel(c: ModelConfig): void {
  for (const [name, v] of [['V', c.V], ['T', c.T], ['d', c.d], ['h', c.h]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  if (c.residual !== 'raw' && c.residual !== 'normed') throw new RangeError(`residual must be 'raw' or 'normed', got ${String(c.residual)}`);
}
