/**
 * Opens an ONNX model with the workbench interface (input `tokens` [batch, T]; outputs `logits`
 * [batch, V], `attention` [batch, T], `z_attn` [batch, d]), whoever produced it, and makes the
 * evaluation graph: the same graph with its float initializers turned into plain inputs, because
 * onnxruntime-node silently ignores a feed for an initializer (docs/design.md §5). Every file is
 * untrusted: anything else is an OnnxFormatError that says what is wrong.
 *
 * T, V and d come from the interface's shapes, the workbench's metadata, or the weights (the
 * table a Gather on `tokens` reads is V × d). A model whose shapes are all symbolic is decoded
 * here as a draft and completed by one probe run (`openCheckpoint` in session.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { DataType, decodeModel, encodeModel, toNumber, type Model, type Tensor, type ValueInfo } from './proto.js';
import { META } from './export.js';
import type { ModelConfig } from '../model/config.js';
import { fileSystemReason } from '../io/atomic.js';

export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

export interface OnnxParam {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** A decoded checkpoint whose T, V or d may still be unknown (symbolic shapes, no metadata). */
export interface CheckpointDraft extends Omit<OnnxCheckpoint, 'T' | 'V' | 'd'> {
  T: number | null;
  V: number | null;
  d: number | null;
}

export interface OnnxCheckpoint {
  /** where it came from, for messages */
  source: string;
  T: number;
  V: number;
  d: number;
  /** the float initializers, in file order: the parameters an analysis may vary */
  params: OnnxParam[];
  total: number;
  /** the checkpoint's own weights, flat in `params` order */
  weights: Float32Array;
  /** int64 or int32 tokens */
  tokenType: 'int64' | 'int32';
  /** the graph with the weights as inputs, encoded, ready for onnxruntime */
  evalGraph: Uint8Array;
  /** metadata_props, and what the workbench wrote there */
  metadata: Record<string, string>;
  model: ModelConfig | null;
  task: unknown;
  step: number | null;
  producer: string;
}

const MAX_BYTES = 1 << 30;

function dims(v: ValueInfo | undefined): (number | null)[] | null {
  const shape = v?.type?.tensor_type?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => (d.dim_value !== undefined && d.dim_value !== null ? toNumber(d.dim_value) : null));
}

function tensorFloats(t: Tensor, what: string): Float32Array {
  if (t.data_location === 1 || (t.external_data && t.external_data.length > 0)) {
    throw new OnnxFormatError(`${what} keeps the weight '${t.name}' in an external data file; save the model with its weights inside (onnx.save_model(..., save_as_external_data=False))`);
  }
  const count = (t.dims ?? []).reduce<number>((a, b) => a * toNumber(b), 1);
  let out: Float32Array;
  if (t.raw_data && t.raw_data.length > 0) {
    if (t.raw_data.length !== count * 4) throw new OnnxFormatError(`${what}: the weight '${t.name}' holds ${t.raw_data.length} bytes for ${count} floats; the file is corrupt`);
    out = new Float32Array(count);
    new Uint8Array(out.buffer).set(t.raw_data);
  } else {
    const data = t.float_data ?? [];
    if (data.length !== count) throw new OnnxFormatError(`${what}: the weight '${t.name}' holds ${data.length} values for ${count}; the file is corrupt`);
    out = Float32Array.from(data);
  }
  return out;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const WEIGHT_TYPE_NAMES: Record<number, string> = { 10: 'float16', 11: 'float64', 16: 'bfloat16' };

/** The [rows, width] of the float table that a Gather on `tokens` reads: the token embedding. */
function tokenTable(graph: NonNullable<Model['graph']>, params: OnnxParam[]): number[] | null {
  for (const node of graph.node ?? []) {
    if (node.op_type !== 'Gather' || node.input[1] !== 'tokens') continue;
    const table = params.find((p) => p.name === node.input[0]);
    if (table && table.shape.length === 2) return table.shape;
  }
  return null;
}

/** Decodes and checks an ONNX model held in memory; T, V or d may be left for a probe run. */
export function decodeCheckpoint(bytes: Uint8Array, source: string): CheckpointDraft {
  let model: Model;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new OnnxFormatError(`${source} is not an ONNX model (it does not decode: ${(err as Error).message}); the file may be truncated or of another kind`);
  }
  const graph = model.graph;
  const irVersion = toNumber(model.ir_version);
  if (!graph || !(irVersion >= 3) || !(graph.node?.length > 0) || !model.opset_import?.length) {
    throw new OnnxFormatError(`${source} is not an ONNX model (no graph, IR version or opset); the file may be truncated or of another kind`);
  }
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((v) => !initializerNames.has(v.name));
  const outputs = new Map((graph.output ?? []).map((v) => [v.name, v]));
  const interfaceText = `inputs [${inputs.map((v) => v.name).join(', ')}] and outputs [${[...outputs.keys()].join(', ')}]`;
  const expected = "input 'tokens' [batch, T] and outputs 'logits' [batch, V], 'attention' [batch, T], 'z_attn' [batch, d]";
  if (inputs.length !== 1 || inputs[0].name !== 'tokens' || !outputs.has('logits') || !outputs.has('attention') || !outputs.has('z_attn')) {
    throw new OnnxFormatError(`${source} is an ONNX model with ${interfaceText}; the workbench analyses models with the ${expected}`);
  }
  const tokenElem = inputs[0].type?.tensor_type?.elem_type;
  if (tokenElem !== DataType.INT64 && tokenElem !== DataType.INT32) {
    throw new OnnxFormatError(`${source}: its 'tokens' input has element type ${tokenElem}; it must be int64 (or int32)`);
  }
  const metadata = Object.fromEntries((model.metadata_props ?? []).map((e) => [e.key, e.value]));
  const config = parseJson(metadata[META.model]) as ModelConfig | null;
  const tokensShape = dims(inputs[0]);
  const logitsShape = dims(outputs.get('logits'));
  const attnShape = dims(outputs.get('attention'));
  const zShape = dims(outputs.get('z_attn'));
  for (const [name, shape] of [['tokens', tokensShape], ['logits', logitsShape], ['attention', attnShape], ['z_attn', zShape]] as const) {
    if (shape && shape.length !== 2) throw new OnnxFormatError(`${source}: '${name}' has rank ${shape.length}; the workbench expects [batch, …] of rank 2`);
  }

  const params: OnnxParam[] = [];
  const chunks: Float32Array[] = [];
  let total = 0;
  for (const t of graph.initializer ?? []) {
    const other = WEIGHT_TYPE_NAMES[t.data_type ?? 0];
    if (other) throw new OnnxFormatError(`${source} stores its weight '${t.name}' as ${other}; the workbench analyses float32 weights: export the model in float32 (or convert it, e.g. with onnxconverter_common's float16 tools) and open that file`);
    if (t.data_type !== DataType.FLOAT) continue;
    const w = tensorFloats(t, source);
    const bad = w.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new OnnxFormatError(`${source}: the weight '${t.name}' holds ${w[bad]} at index ${bad}; a checkpoint with NaN or infinite weights cannot be analysed`);
    const shape = (t.dims ?? []).map(toNumber);
    params.push({ name: t.name ?? `param_${params.length}`, shape, offset: total, size: w.length });
    chunks.push(w);
    total += w.length;
  }
  if (params.length === 0) throw new OnnxFormatError(`${source} has no float weights stored as initializers; nothing to analyse`);
  const weights = new Float32Array(total);
  chunks.forEach((c, i) => weights.set(c, params[i].offset));

  const embedding = params.find((p) => p.name === 'token_embedding')?.shape ?? tokenTable(graph, params);
  if (config && embedding && (config.V !== embedding[0] || config.d !== embedding[1])) {
    throw new OnnxFormatError(`${source}: its metadata describes V = ${config.V}, d = ${config.d} but its token embedding is ${embedding[0]} × ${embedding[1]}; the file is inconsistent: export it again`);
  }
  const T = tokensShape?.[1] ?? attnShape?.[1] ?? config?.T ?? null;
  const V = logitsShape?.[1] ?? config?.V ?? embedding?.[0] ?? null;
  const d = zShape?.[1] ?? config?.d ?? embedding?.[1] ?? null;

  // The evaluation graph: float initializers become inputs.
  const evalModel: Model = {
    ...model,
    graph: {
      ...graph,
      initializer: (graph.initializer ?? []).filter((t) => t.data_type !== DataType.FLOAT),
      input: [
        ...(graph.input ?? []).filter((v) => !params.some((p) => p.name === v.name)),
        ...params.map((p) => ({ name: p.name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: p.shape.map((x) => ({ dim_value: x })) } } } })),
      ],
    },
  };
  let evalGraph: Uint8Array;
  try {
    evalGraph = encodeModel(evalModel);
  } catch (err) {
    throw new OnnxFormatError(`${source} could not be re-encoded for evaluation: ${(err as Error).message}`);
  }
  const step = Number(metadata[META.step]);
  return {
    source,
    T,
    V,
    d,
    params,
    total,
    weights,
    tokenType: tokenElem === DataType.INT64 ? 'int64' : 'int32',
    evalGraph,
    metadata,
    model: config,
    task: parseJson(metadata[META.task]),
    step: Number.isFinite(step) ? step : null,
    producer: model.producer_name ?? '',
  };
}

/** Decodes a checkpoint whose shapes must be known without running it (our own graphs). */
export function parseCheckpoint(bytes: Uint8Array, source: string): OnnxCheckpoint {
  const draft = decodeCheckpoint(bytes, source);
  const { T, V, d } = draft;
  if (!T || !V || !d) throw new OnnxFormatError(`${source} does not say its sequence length, vocabulary or width (T = ${T}, V = ${V}, d = ${d}); export it with fixed shapes for everything but the batch`);
  return { ...draft, T, V, d };
}

/** Reads a checkpoint file (size-checked) into a draft; `openCheckpoint` completes it. */
export function readCheckpointDraft(path: string): CheckpointDraft {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new OnnxFormatError(`cannot read ${path}: ${fileSystemReason(err)?.split(';')[0] ?? (err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (size > MAX_BYTES) throw new OnnxFormatError(`${path} is ${size} bytes; checkpoints over 1 GiB are not models of this workbench`);
  return decodeCheckpoint(readFileSync(path), path);
}
