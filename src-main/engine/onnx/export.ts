/**
 * Writes the model as a portable ONNX file: opset 17, IR version 8, weights as initializers named
 * as in the parameter layout, input `tokens` int64 [batch, T], outputs `logits` [batch, V],
 * `attention` [batch, T] and `z_attn` [batch, d]. RMS norm and exact GELU are decomposed into
 * basic ops, so any runtime of opset 17 and the `onnx` checker accept it. Constants are Constant
 * nodes, so the initializers are exactly the trainable parameters.
 */
import { RMS_EPS, paramLayout, type ModelConfig } from '../model/config.js';
import { AttributeType, DataType, encodeModel, type Graph, type Model, type Node, type Tensor, type ValueInfo } from './proto.js';

export const OPSET = 17;
export const IR_VERSION = 8;
/** metadata_props keys */
export const META = { model: 'circuit_workbench.model', task: 'circuit_workbench.task', step: 'circuit_workbench.step', run: 'circuit_workbench.run', format: 'circuit_workbench.format' } as const;

export interface ExportMetadata {
  task?: unknown;
  step?: number;
  run?: unknown;
}

function floatTensor(name: string, dims: number[], data: Float32Array): Tensor {
  return { name, dims, data_type: DataType.FLOAT, raw_data: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function int64Tensor(name: string, dims: number[], values: number[]): Tensor {
  return { name, dims, data_type: DataType.INT64, int64_data: values };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfo {
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } };
}

/** A small graph builder: unique names, Constant nodes for constants. */
class GraphBuilder {
  nodes: Node[] = [];
  private count = 0;

  op(opType: string, inputs: string[], attrs: Record<string, number | number[]> = {}, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.count++}`;
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v) ? { name, type: AttributeType.INTS, ints: v } : Number.isInteger(v) ? { name, type: AttributeType.INT, i: v } : { name, type: AttributeType.FLOAT, f: v },
    );
    this.nodes.push({ op_type: opType, input: inputs, output: [out], name: `${opType}_${this.count++}`, attribute });
    return out;
  }

  scalar(value: number): string {
    const out = `const_${this.count++}`;
    this.nodes.push({ op_type: 'Constant', input: [], output: [out], name: out, attribute: [{ name: 'value', type: AttributeType.TENSOR, t: floatTensor(out, [], Float32Array.of(value)) }] });
    return out;
  }

  ints(values: number[]): string {
    const out = `const_${this.count++}`;
    this.nodes.push({ op_type: 'Constant', input: [], output: [out], name: out, attribute: [{ name: 'value', type: AttributeType.TENSOR, t: int64Tensor(out, [values.length], values) }] });
    return out;
  }

  rms(x: string): string {
    const meanSquare = this.op('ReduceMean', [this.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    return this.op('Div', [x, this.op('Add', [this.op('Sqrt', [meanSquare]), this.scalar(RMS_EPS)])]);
  }

  gelu(x: string): string {
    const erf = this.op('Erf', [this.op('Mul', [x, this.scalar(Math.SQRT1_2)])]);
    return this.op('Mul', [this.op('Mul', [x, this.op('Add', [erf, this.scalar(1)])]), this.scalar(0.5)]);
  }
}

/** The model's ONNX graph (no weights attached: initializers are added by the caller). */
export function modelGraph(c: ModelConfig): Graph {
  const g = new GraphBuilder();
  const emb = g.op('Gather', ['token_embedding', 'tokens'], { axis: 0 });
  const z = g.op('Add', [emb, 'position_embedding']);
  const zn = g.rms(z);
  const scores = g.op('Squeeze', [g.op('MatMul', [zn, 'attention.query']), g.ints([2])]);
  g.op('Softmax', [g.op('Mul', [scores, g.scalar(1 / Math.sqrt(c.d))])], { axis: -1 }, 'attention');
  const pooled = g.op('Squeeze', [g.op('MatMul', [g.op('Unsqueeze', ['attention', g.ints([1])]), zn]), g.ints([1])]);
  g.op('MatMul', [pooled, 'attention.value'], {}, 'z_attn');
  const zNormed = g.rms('z_attn');
  let hidden = g.op('MatMul', [zNormed, 'mlp.fc1.kernel']);
  if (c.mlpBias) hidden = g.op('Add', [hidden, 'mlp.fc1.bias']);
  let mlp = g.op('MatMul', [g.gelu(hidden), 'mlp.fc2.kernel']);
  if (c.mlpBias) mlp = g.op('Add', [mlp, 'mlp.fc2.bias']);
  const zOut = g.op('Add', [c.residual === 'raw' ? 'z_attn' : zNormed, mlp]);
  const unembed = c.tiedUnembedding ? g.op('Transpose', ['token_embedding'], { perm: [1, 0] }) : 'unembedding';
  g.op('MatMul', [zOut, unembed], {}, 'logits');
  return {
    name: 'sparse_modular_addition',
    node: g.nodes,
    input: [valueInfo('tokens', DataType.INT64, ['batch', c.T])],
    output: [valueInfo('logits', DataType.FLOAT, ['batch', c.V]), valueInfo('attention', DataType.FLOAT, ['batch', c.T]), valueInfo('z_attn', DataType.FLOAT, ['batch', c.d])],
    initializer: [],
  };
}

/** The ONNX model of config `c` with flat parameters `flat` (layout order) as initializers. */
export function exportModel(c: ModelConfig, flat: Float32Array, meta: ExportMetadata = {}): Uint8Array {
  const layout = paramLayout(c);
  if (flat.length !== layout.total) throw new RangeError(`${flat.length} parameters given for a model of ${layout.total}`);
  const graph = modelGraph(c);
  graph.initializer = layout.params.map((p) => floatTensor(p.name, p.shape, flat.subarray(p.offset, p.offset + p.size)));
  const metadata: { key: string; value: string }[] = [
    { key: META.format, value: '1' },
    { key: META.model, value: JSON.stringify(c) },
  ];
  if (meta.task !== undefined) metadata.push({ key: META.task, value: JSON.stringify(meta.task) });
  if (meta.step !== undefined) metadata.push({ key: META.step, value: String(meta.step) });
  if (meta.run !== undefined) metadata.push({ key: META.run, value: JSON.stringify(meta.run) });
  const model: Model = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'circuit-workbench',
    producer_version: '0.1.0',
    graph,
    metadata_props: metadata,
  };
  return encodeModel(model);
}
