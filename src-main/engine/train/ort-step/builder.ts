/**
 * A small ONNX graph builder for the training-step graphs: unique value names, constants as
 * initializers (cached, so a constant used twice is stored once), 2-D products as Gemm with
 * transpose flags (no Transpose nodes), and the model as protobuf bytes for onnxruntime.
 */
import { AttributeType, DataType, encodeModel, type Attribute, type Node, type Tensor, type ValueInfo } from '../../onnx/proto.js';

/** An attribute: an integer, `{ f: x }` for a float, or a list of integers. */
export type AttrValue = number | { f: number } | number[];

export const OPSET = 17;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfo {
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } };
}

function attribute(name: string, v: AttrValue): Attribute {
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  return { name, type: AttributeType.FLOAT, f: v.f };
}

export class OnnxBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers: Tensor[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly constants = new Map<string, string>();
  private count = 0;

  /** A float32 graph input. */
  input(name: string, dims: (number | string)[], elemType: number = DataType.FLOAT): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Marks `value` as a graph output named `name`. */
  output(name: string, value: string, dims: (number | string)[], elemType: number = DataType.FLOAT): void {
    this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.count++}`;
    this.nodes.push({ op_type: opType, input: inputs, output: [out], name: `n${this.count++}_${opType}`, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return out;
  }

  /** A float32 scalar constant. */
  f(value: number): string {
    return this.constant(`f:${value}`, { dims: [], data_type: DataType.FLOAT, float_data: [value] });
  }

  /** An int64 vector constant (shapes, axes). */
  ints(values: number[]): string {
    return this.constant(`i:${values.join(',')}`, { dims: [values.length], data_type: DataType.INT64, int64_data: values });
  }

  /** A float32 tensor constant. */
  floats(dims: number[], values: Float32Array): string {
    return this.constant(`t:${dims.join('x')}:${values.join(',')}`, { dims, data_type: DataType.FLOAT, float_data: Array.from(values) });
  }

  private constant(key: string, tensor: Tensor): string {
    let name = this.constants.get(key);
    if (!name) {
      name = `const_${this.count++}`;
      this.initializers.push({ ...tensor, name });
      this.constants.set(key, name);
    }
    return name;
  }

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  reshape(x: string, shape: number[]): string {
    return this.op('Reshape', [x, this.ints(shape)]);
  }

  /** alpha · op(a) @ op(b) (+ c): a 2-D product with the transposes folded into the kernel. */
  gemm(a: string, b: string, o: { transA?: boolean; transB?: boolean; alpha?: number; c?: string } = {}): string {
    const attrs: Record<string, AttrValue> = {};
    if (o.transA) attrs.transA = 1;
    if (o.transB) attrs.transB = 1;
    if (o.alpha !== undefined && o.alpha !== 1) attrs.alpha = { f: o.alpha };
    return this.op('Gemm', o.c ? [a, b, o.c] : [a, b], attrs);
  }

  /** Sum over `axes` (opset 13+: the axes are an input). */
  sum(x: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
  }

  /** Mean over `axes` (opset ≤ 17: the axes are an attribute). */
  mean(x: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  /** The model as ONNX bytes. */
  encode(name: string): Uint8Array {
    return encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: OPSET }],
      producer_name: 'circuit-workbench',
      producer_version: '0.1.0',
      graph: { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
  }
}
