/**
 * The hostile-file half of the regression corpus (issue 8): every fixture is generated here, into
 * a temporary folder, from one valid run and one valid checkpoint that the script makes itself.
 * Each case names the door it goes through and the error class it must be refused with.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../../src-main/engine/io/npy.js';
import { decodeModel, encodeModel, type Model } from '../../src-main/engine/onnx/proto.js';
import { exportModel } from '../../src-main/engine/onnx/export.js';
import { initParams } from '../../src-main/engine/model/config.js';
import { tinyConfig } from '../helpers.js';
import { train } from '../../src-main/engine/train/trainer.js';

export type Door = 'readNpy' | 'openSource' | 'readMetrics' | 'readManifest';
export interface FileCase {
  name: string;
  door: Door;
  path: string;
  /** the error class (its `name`) the case must be refused with */
  expect: string;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** A version-1 .npy header around `dict`, padded to 64 bytes, followed by `data`. */
export function npyWithHeader(dict: string, data: Buffer = Buffer.alloc(0), version = 1): Buffer {
  const pre = version === 1 ? 10 : 12;
  const len = Math.ceil((pre + dict.length + 1) / 64) * 64 - pre;
  const head = Buffer.alloc(pre);
  MAGIC.copy(head, 0);
  head[6] = version;
  if (version === 1) head.writeUInt16LE(len, 8);
  else head.writeUInt32LE(len, 8);
  const body = Buffer.alloc(len, 0x20);
  body.write(dict, 0, 'latin1');
  body[len - 1] = 0x0a;
  return Buffer.concat([head, body, data]);
}

const tinyScratch = () => tinyConfig('fig5-scratch', { steps: 10, snapshots: { denseUntil: 10, every: 5 } });

function npyCases(dir: string): FileCase[] {
  const f4 = (n: number) => Buffer.from(new Float32Array(n).fill(1).buffer);
  const files: [string, Buffer][] = [
    ['empty file', Buffer.alloc(0)],
    ['one byte', Buffer.from([0x93])],
    ['magic only', MAGIC],
    ['nine bytes', Buffer.concat([MAGIC, Buffer.from([1, 0, 5])])],
    ['zip (npz) magic', Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip file')],
    ['text file', Buffer.from('step,loss\n1,2\n')],
    ['JSON', Buffer.from('{"descr": "<f4", "shape": [2]}')],
    ['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['lower-case magic', Buffer.concat([Buffer.from('\x93numpy', 'latin1'), Buffer.from([1, 0, 0, 0])])],
    ['version 0', Buffer.concat([MAGIC, Buffer.from([0, 0, 10, 0]), Buffer.alloc(10, 0x20)])],
    ['version 4', Buffer.concat([MAGIC, Buffer.from([4, 0, 10, 0]), Buffer.alloc(10, 0x20)])],
    ['version 255', Buffer.concat([MAGIC, Buffer.from([255, 0, 10, 0]), Buffer.alloc(10, 0x20)])],
    ['v1 header longer than the file', Buffer.concat([MAGIC, Buffer.from([1, 0, 0xff, 0xff]), Buffer.alloc(20, 0x20)])],
    ['v2 cut before its header length', Buffer.concat([MAGIC, Buffer.from([2, 0, 1, 0])])],
    ['v2 header length of 4 GiB', Buffer.concat([MAGIC, Buffer.from([2, 0, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(20, 0x20)])],
    ['header without descr', npyWithHeader("{'fortran_order': False, 'shape': (2,), }", f4(2))],
    ['header without fortran_order', npyWithHeader("{'descr': '<f4', 'shape': (2,), }", f4(2))],
    ['header without shape', npyWithHeader("{'descr': '<f4', 'fortran_order': False, }", f4(2))],
    ['header of binary garbage', npyWithHeader('\x00\x01\x02\xff\xfe', f4(2))],
    ['header that is a secret', npyWithHeader('TOPSECRET password=hunter2', f4(2))],
    ['negative dimension', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }", f4(4))],
    ['fractional dimension', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", f4(4))],
    ['dimension in exponent form', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1e30,), }", f4(4))],
    ['dimension that is a name', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (n,), }", f4(4))],
    ['huge shape (2^31 × 2^31)', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648), }", f4(4))],
    ['twenty-digit dimension', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", f4(4))],
    ['one dimension of 2^40', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }", f4(4))],
    ['header promises 100 values, 10 follow', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }", f4(10))],
    ['header promises 3×4, 11 follow', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", f4(11))],
    ['data cut mid-value', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f4(4).subarray(0, 15))],
    ['int64 data cut', npyWithHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", Buffer.alloc(20))],
    ['float64 data cut', npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", Buffer.alloc(31))],
    ['Fortran order 2-D', npyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f4(4))],
    ['Fortran order 3-D', npyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1, 2), }", f4(4))],
    ['big-endian float32', npyWithHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f4(2))],
    ['big-endian int32', npyWithHeader("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", f4(2))],
    ['float16', npyWithHeader("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", f4(1))],
    ['complex64', npyWithHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", f4(4))],
    ['bool', npyWithHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", Buffer.alloc(2))],
    ['unicode strings', npyWithHeader("{'descr': '<U10', 'fortran_order': False, 'shape': (2,), }", Buffer.alloc(80))],
    ['Python objects (pickle)', npyWithHeader("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", Buffer.from('\x80\x04\x95cos\nsystem\n', 'latin1'))],
    ['datetime64', npyWithHeader("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (2,), }", Buffer.alloc(16))],
    ['structured dtype', npyWithHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4(2))],
    ['dtype that is a sentence', npyWithHeader("{'descr': 'TOPSECRET password', 'fortran_order': False, 'shape': (2,), }", f4(2))],
    ['int64 above the int32 range', npyWithHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", Buffer.from(new BigInt64Array([2n ** 40n]).buffer))],
    ['int64 below the int32 range', npyWithHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", Buffer.from(new BigInt64Array([-(2n ** 40n)]).buffer))],
    ['v2 file with a truncated body', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", f4(2), 2)],
    ['v3 header of invalid UTF-8', npyWithHeader("{'descr': '<f4', \xff\xfe 'shape': (2,), }", f4(2), 3)],
  ];
  const out: FileCase[] = [];
  mkdirSync(join(dir, 'npy'));
  files.forEach(([name, bytes], i) => {
    const path = join(dir, 'npy', `case-${i}.npy`);
    writeFileSync(path, bytes);
    out.push({ name: `npy: ${name}`, door: 'readNpy', path, expect: 'NpyError' });
  });
  mkdirSync(join(dir, 'npy', 'a-folder.npy'));
  out.push({ name: 'npy: a folder named .npy', door: 'readNpy', path: join(dir, 'npy', 'a-folder.npy'), expect: 'NpyError' });
  out.push({ name: 'npy: a missing file', door: 'readNpy', path: join(dir, 'npy', 'missing.npy'), expect: 'NpyError' });
  return out;
}

function onnxCases(dir: string): FileCase[] {
  const c = tinyScratch().model;
  const good = exportModel(c, initParams(c, 1), { step: 0 });
  const base = () => decodeModel(good) as Model;
  const g = (m: Model) => m.graph!;
  const mutate = (f: (m: Model) => void) => {
    const m = base();
    f(m);
    return encodeModel(m);
  };
  const first = (m: Model) => g(m).initializer![0];
  const setOutDim = (m: Model, name: string, dims: number[]) => {
    const o = g(m).output!.find((v) => v.name === name)!;
    o.type!.tensor_type!.shape = { dim: dims.map((x) => ({ dim_value: x })) };
  };
  const cases: [string, Uint8Array | Buffer][] = [
    ['empty file', Buffer.alloc(0)],
    ['one byte', Buffer.from([0x08])],
    ['random bytes', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 2654435761) >>> 24))],
    ['text file', Buffer.from('this is not a model\n')],
    ['a .npy file renamed', encodeNpy(new Float32Array(4), [4])],
    ['a JSON file', Buffer.from('{"graph": {"node": []}}')],
    ['a zip (PyTorch .pt) file', Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00archive/data.pkl')],
    ['all 0xff', Buffer.alloc(256, 0xff)],
    ['truncated to 10 bytes', good.subarray(0, 10)],
    ['truncated to 10%', good.subarray(0, Math.floor(good.length * 0.1))],
    ['truncated to 50%', good.subarray(0, Math.floor(good.length * 0.5))],
    ['truncated to 90%', good.subarray(0, Math.floor(good.length * 0.9))],
    ['last byte missing', good.subarray(0, good.length - 1)],
    ['no graph', mutate((m) => delete m.graph)],
    ['IR version 0', mutate((m) => (m.ir_version = 0))],
    ['no opset', mutate((m) => (m.opset_import = []))],
    ['no nodes', mutate((m) => (g(m).node = []))],
    ['input renamed', mutate((m) => (g(m).input![0].name = 'input_ids'))],
    ['a second input', mutate((m) => g(m).input!.push({ name: 'mask', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }] } } } }))],
    ['no inputs', mutate((m) => (g(m).input = []))],
    ['logits output missing', mutate((m) => (g(m).output = g(m).output!.filter((v) => v.name !== 'logits')))],
    ['attention output missing', mutate((m) => (g(m).output = g(m).output!.filter((v) => v.name !== 'attention')))],
    ['z_attn output missing', mutate((m) => (g(m).output = g(m).output!.filter((v) => v.name !== 'z_attn')))],
    ['no outputs', mutate((m) => (g(m).output = []))],
    ['float tokens', mutate((m) => (g(m).input![0].type!.tensor_type!.elem_type = 1))],
    ['string tokens', mutate((m) => (g(m).input![0].type!.tensor_type!.elem_type = 8))],
    ['tokens of rank 3', mutate((m) => (g(m).input![0].type!.tensor_type!.shape = { dim: [{ dim_param: 'b' }, { dim_value: 6 }, { dim_value: 1 }] }))],
    ['logits of rank 3', mutate((m) => setOutDim(m, 'logits', [1, 6, 4]))],
    ['attention of rank 1', mutate((m) => setOutDim(m, 'attention', [6]))],
    ['NaN weight', mutate((m) => (first(m).float_data = first(m).float_data?.length ? first(m).float_data!.map((x, i) => (i === 3 ? NaN : x)) : (() => { const a = new Float32Array(first(m).raw_data!.buffer.slice(first(m).raw_data!.byteOffset, first(m).raw_data!.byteOffset + first(m).raw_data!.length)); a[3] = NaN; first(m).raw_data = new Uint8Array(a.buffer); return undefined; })()))],
    ['infinite weight', mutate((m) => { const t = g(m).initializer!.at(-1)!; const a = tensorOf(t); a[0] = Infinity; setTensor(t, a); })],
    ['float16 weight', mutate((m) => { const t = first(m); t.data_type = 10; })],
    ['bfloat16 weight', mutate((m) => { const t = first(m); t.data_type = 16; })],
    ['float64 weight', mutate((m) => { const t = first(m); t.data_type = 11; })],
    ['weights in an external file', mutate((m) => { const t = first(m); t.data_location = 1; t.external_data = [{ key: 'location', value: 'weights.bin' }]; t.raw_data = new Uint8Array(0); t.float_data = []; })],
    ['external data without location flag', mutate((m) => { const t = first(m); t.external_data = [{ key: 'location', value: '../../../etc/passwd' }]; })],
    ['weight dims larger than its data', mutate((m) => { const t = first(m); t.dims = [999, 999]; })],
    ['weight dims of zero', mutate((m) => { const t = first(m); t.dims = [0, 8]; })],
    ['weight dims negative', mutate((m) => { const t = first(m); t.dims = [-4, 8]; })],
    ['weight dims huge', mutate((m) => { const t = first(m); t.dims = [2 ** 31, 2 ** 31]; })],
    ['weight raw bytes cut', mutate((m) => { const t = first(m); const a = tensorOf(t); t.float_data = []; t.raw_data = new Uint8Array(a.buffer).subarray(0, a.length * 4 - 3); })],
    ['no float weights', mutate((m) => (g(m).initializer = []))],
    ['embedding table of the wrong shape', mutate((m) => { const t = first(m); const a = tensorOf(t); const rows = Math.floor(a.length / 4); t.dims = rows * 4 === a.length ? [rows, 4] : [a.length, 1]; })],
    ['an unknown operator', mutate((m) => (g(m).node![0].op_type = 'FrobnicateTensor'))],
    ['an operator from an unknown domain', mutate((m) => (g(m).node![0].domain = 'com.example.secret'))],
    ['a node reading a missing tensor', mutate((m) => (g(m).node![0].input[0] = 'no_such_tensor'))],
    ['a cycle in the graph', mutate((m) => { const n = g(m).node!; n[0].input[0] = n[n.length - 1].output[0]; })],
    ['opset 999', mutate((m) => (m.opset_import = [{ domain: '', version: 999 }]))],
    ['IR version 99', mutate((m) => (m.ir_version = 99))],
    ['metadata lies about the width', mutate((m) => { m.metadata_props = (m.metadata_props ?? []).map((e) => (e.key === 'circuit_workbench.model' ? { key: e.key, value: JSON.stringify({ ...c, d: 64 }) } : e)); setOutDim(m, 'z_attn', []); g(m).output!.find((v) => v.name === 'z_attn')!.type!.tensor_type!.shape = undefined; })],
  ];
  mkdirSync(join(dir, 'onnx'));
  const out: FileCase[] = cases.map(([name, bytes], i) => {
    const path = join(dir, 'onnx', `case-${i}.onnx`);
    writeFileSync(path, bytes);
    return { name: `onnx: ${name}`, door: 'openSource' as const, path, expect: 'OnnxFormatError' };
  });
  // folders of checkpoints
  const mixed = join(dir, 'onnx', 'mixed-folder');
  mkdirSync(mixed);
  writeFileSync(join(mixed, 'a.onnx'), good);
  writeFileSync(join(mixed, 'b.onnx'), Buffer.from('not a model'));
  out.push({ name: 'onnx folder: one good, one garbage', door: 'openSource', path: mixed, expect: 'OnnxFormatError' });
  const widths = join(dir, 'onnx', 'two-widths');
  mkdirSync(widths);
  writeFileSync(join(widths, 'a.onnx'), good);
  const wide = { ...c, d: 16 };
  writeFileSync(join(widths, 'b.onnx'), exportModel(wide, initParams(wide, 1), { step: 1 }));
  out.push({ name: 'onnx folder: checkpoints of two widths', door: 'openSource', path: widths, expect: 'SourceError' });
  const empty = join(dir, 'onnx', 'empty-folder');
  mkdirSync(empty);
  out.push({ name: 'onnx folder: no checkpoints at all', door: 'openSource', path: empty, expect: 'SourceError' });
  out.push({ name: 'onnx: a missing file', door: 'openSource', path: join(dir, 'onnx', 'missing.onnx'), expect: 'SourceError' });
  out.push({ name: 'onnx: a step that is not there (@7)', door: 'openSource', path: `${join(dir, 'onnx', 'good.onnx')}@7`, expect: 'SourceError' });
  writeFileSync(join(dir, 'onnx', 'good.onnx'), good);
  return out;
}

function tensorOf(t: NonNullable<Model['graph']>['initializer'] extends (infer T)[] | undefined ? T : never): Float32Array {
  if (t.raw_data && t.raw_data.length) return new Float32Array(t.raw_data.buffer.slice(t.raw_data.byteOffset, t.raw_data.byteOffset + t.raw_data.length));
  return Float32Array.from(t.float_data ?? []);
}
function setTensor(t: Parameters<typeof tensorOf>[0], a: Float32Array): void {
  t.raw_data = new Uint8Array(a.buffer);
  t.float_data = [];
}

async function runCases(dir: string): Promise<FileCase[]> {
  const good = join(dir, 'runs', 'good');
  mkdirSync(join(dir, 'runs'));
  await train({ runDir: good, config: tinyScratch(), backend: 'wasm' });
  const manifest = JSON.parse(readFileSync(join(good, 'run.json'), 'utf8')) as Record<string, unknown>;
  const out: FileCase[] = [];
  let n = 0;
  const variant = (name: string, door: Door, expect: string, change: (run: string) => void) => {
    const run = join(dir, 'runs', `case-${n++}`);
    cpSync(good, run, { recursive: true });
    change(run);
    out.push({ name: `run: ${name}`, door, path: run, expect });
  };
  const withManifest = (name: string, edit: (m: Record<string, unknown>) => unknown, door: Door = 'openSource') =>
    variant(name, door, 'RunFormatError', (run) => {
      const m = structuredClone(manifest);
      const replaced = edit(m);
      writeFileSync(join(run, 'run.json'), JSON.stringify(replaced === undefined ? m : replaced));
    });
  const rawManifest = (name: string, text: string) => variant(name, 'openSource', 'RunFormatError', (run) => writeFileSync(join(run, 'run.json'), text));

  rawManifest('run.json empty', '');
  rawManifest('run.json garbage', 'TOPSECRET {{{');
  rawManifest('run.json cut in half', JSON.stringify(manifest).slice(0, 200));
  rawManifest('run.json is null', 'null');
  rawManifest('run.json is an array', '[1, 2, 3]');
  rawManifest('run.json is a number', '42');
  rawManifest('run.json is a string', '"circuit-workbench-run"');
  rawManifest('run.json of binary bytes', '\u0000\u0001\u00ff');
  withManifest('format of another tool', (m) => void (m.format = 'tensorboard'));
  withManifest('no format', (m) => void delete m.format);
  withManifest('format version 2', (m) => void (m.version = 2));
  withManifest('format version as a string', (m) => void (m.version = '1'));
  withManifest('no version', (m) => void delete m.version);
  for (const key of ['config', 'layout', 'phases', 'snapshotSteps', 'status', 'parameterCount']) withManifest(`no ${key}`, (m) => void delete m[key]);
  withManifest('parameterCount of 10^12', (m) => void (m.parameterCount = 1e12));
  withManifest('parameterCount negative', (m) => void (m.parameterCount = -5));
  withManifest('parameterCount NaN (as a string)', (m) => void (m.parameterCount = 'NaN'));
  withManifest('parameterCount off by one', (m) => void (m.parameterCount = (m.parameterCount as number) + 1));
  withManifest('snapshotSteps not a list', (m) => void (m.snapshotSteps = 'all'));
  variant('snapshotSteps empty', 'openSource', 'SourceError', (run) => writeFileSync(join(run, 'run.json'), JSON.stringify({ ...manifest, snapshotSteps: [] })));
  withManifest('snapshotSteps negative', (m) => void (m.snapshotSteps = [-1, 0]));
  withManifest('snapshotSteps fractional', (m) => void (m.snapshotSteps = [0, 0.5]));
  variant('config of another model (d = 16)', 'openSource', 'SourceError', (run) => writeFileSync(join(run, 'run.json'), JSON.stringify({ ...manifest, config: { ...(manifest.config as object), model: { ...(manifest.config as { model: object }).model, d: 16 } } })));
  withManifest('config.phases not a list', (m) => void ((m.config as Record<string, unknown>).phases = 'one'));
  withManifest('config a string', (m) => void (m.config = 'TOPSECRET'));
  withManifest('config.model missing', (m) => void delete (m.config as Record<string, unknown>).model);
  // trajectory and datasets
  variant('trajectory.npy missing', 'openSource', 'RunFormatError', (run) => rmSync(join(run, 'trajectory.npy')));
  variant('trajectory.npy garbage', 'openSource', 'RunFormatError', (run) => writeFileSync(join(run, 'trajectory.npy'), 'garbage'));
  variant('trajectory.npy header lies (more rows than data)', 'openSource', 'RunFormatError', (run) => {
    const width = manifest.parameterCount as number;
    writeFileSync(join(run, 'trajectory.npy'), npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (50, ${width}), }`, Buffer.alloc(width * 4 * 2)));
  });
  variant('trajectory.npy rows of the wrong width', 'openSource', 'RunFormatError', (run) => writeFileSync(join(run, 'trajectory.npy'), encodeNpy(new Float32Array(30), [3, 10])));
  variant('trajectory.npy of float64', 'openSource', 'RunFormatError', (run) => writeFileSync(join(run, 'trajectory.npy'), encodeNpy(new Float64Array(manifest.parameterCount as number), [1, manifest.parameterCount as number])));
  variant('trajectory.npy of int32', 'openSource', 'RunFormatError', (run) => writeFileSync(join(run, 'trajectory.npy'), encodeNpy(new Int32Array(manifest.parameterCount as number), [1, manifest.parameterCount as number])));
  variant('trajectory.npy with no rows', 'openSource', 'SourceError', (run) => writeFileSync(join(run, 'trajectory.npy'), encodeNpy(new Float32Array(0), [0, manifest.parameterCount as number])));
  variant('trajectory.npy a folder', 'openSource', 'RunFormatError', (run) => { rmSync(join(run, 'trajectory.npy')); mkdirSync(join(run, 'trajectory.npy')); });
  variant('trajectory.npy a link out of the run', 'openSource', 'RunFormatError', (run) => { rmSync(join(run, 'trajectory.npy')); symlinkSync('/etc/passwd', join(run, 'trajectory.npy')); });
  variant('data folder missing', 'openSource', 'SourceError', (run) => rmSync(join(run, 'data'), { recursive: true }));
  // metrics.csv
  variant('metrics.csv missing', 'readMetrics', 'RunFormatError', (run) => rmSync(join(run, 'metrics.csv')));
  variant('metrics.csv garbage', 'readMetrics', 'RunFormatError', (run) => writeFileSync(join(run, 'metrics.csv'), 'TOPSECRET,password=hunter2\n1,2\n'));
  variant('metrics.csv empty', 'readMetrics', 'RunFormatError', (run) => writeFileSync(join(run, 'metrics.csv'), ''));
  variant('metrics.csv binary', 'readMetrics', 'RunFormatError', (run) => writeFileSync(join(run, 'metrics.csv'), Buffer.from([0, 1, 2, 255, 10, 3])));
  variant('metrics.csv step not a number', 'readMetrics', 'RunFormatError', (run) => writeFileSync(join(run, 'metrics.csv'), 'step,phase,p,train_loss,train_acc,test_loss,test_acc\nten,a,4,1,1,1,1\n'));
  variant('metrics.csv fractional step', 'readMetrics', 'RunFormatError', (run) => writeFileSync(join(run, 'metrics.csv'), 'step,phase,p,train_loss,train_acc,test_loss,test_acc\n1.5,a,4,1,1,1,1\n'));
  variant('metrics.csv a folder', 'readMetrics', 'RunFormatError', (run) => { rmSync(join(run, 'metrics.csv')); mkdirSync(join(run, 'metrics.csv')); });
  variant('metrics.csv a link to a secret', 'readMetrics', 'RunFormatError', (run) => {
    writeFileSync(join(dir, 'secret.csv'), 'TOPSECRET,password=hunter2\n1,2\n');
    rmSync(join(run, 'metrics.csv'));
    symlinkSync(join(dir, 'secret.csv'), join(run, 'metrics.csv'));
  });
  // run.json through readManifest directly
  variant('readManifest: run.json a folder', 'readManifest', 'RunFormatError', (run) => { rmSync(join(run, 'run.json')); mkdirSync(join(run, 'run.json')); });
  variant('readManifest: no run.json', 'readManifest', 'RunFormatError', (run) => rmSync(join(run, 'run.json')));
  out.push({ name: 'run: readManifest on a file', door: 'readManifest', path: join(good, 'metrics.csv'), expect: 'RunFormatError' });
  out.push({ name: 'run: readManifest on a missing folder', door: 'readManifest', path: join(dir, 'runs', 'nowhere'), expect: 'RunFormatError' });
  out.push({ name: 'run: a step of 21 digits', door: 'openSource', path: `${good}@999999999999999999999`, expect: 'SourceError' });
  out.push({ name: 'run: a step past the end (@999999)', door: 'openSource', path: `${good}@999999`, expect: 'SourceError' });
  return out;
}

/** Writes every hostile file under `dir` and lists the cases. */
export async function makeFileFixtures(dir: string): Promise<{ npy: FileCase[]; onnx: FileCase[]; runs: FileCase[]; goodRun: string; goodOnnx: string }> {
  const npy = npyCases(dir);
  const onnx = onnxCases(dir);
  const runs = await runCases(dir);
  return { npy, onnx, runs, goodRun: join(dir, 'runs', 'good'), goodOnnx: join(dir, 'onnx', 'good.onnx') };
}
