/**
 * Dense linear algebra for projections. The large products (the Gram matrix of thousands of
 * snapshots of ten thousand parameters) run on onnxruntime's MatMul (MLAS, multithreaded);
 * small symmetric eigenproblems use cyclic Jacobi in float64.
 */
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { encodeModel, DataType } from '../onnx/proto.js';

let matmulSession: Promise<ort.InferenceSession> | null = null;

function matmulModel(): Uint8Array {
  const dims = (a: string, b: string) => ({ elem_type: DataType.FLOAT, shape: { dim: [{ dim_param: a }, { dim_param: b }] } });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'circuit-workbench',
    graph: {
      name: 'matmul',
      node: [{ op_type: 'MatMul', input: ['a', 'b'], output: ['c'], name: 'matmul' }],
      input: [{ name: 'a', type: { tensor_type: dims('m', 'k') } }, { name: 'b', type: { tensor_type: dims('k', 'n') } }],
      output: [{ name: 'c', type: { tensor_type: dims('m', 'n') } }],
    },
  });
}

/** C = A B for row-major float32 A [m, k] and B [k, n]. */
export async function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<Float32Array> {
  // no spinning: between the many short products (one per block of neighbours) onnxruntime's idle
  // threads would otherwise spin, which cost 3× the CPU of the products themselves on a busy machine
  matmulSession ??= ort.InferenceSession.create(matmulModel(), { intraOpNumThreads: availableParallelism(), extra: { session: { intra_op: { allow_spinning: '0' } } } });
  const session = await matmulSession;
  const out = await session.run({ a: new ort.Tensor('float32', a, [m, k]), b: new ort.Tensor('float32', b, [k, n]) });
  return out['c'].data as Float32Array;
}

/** Eigen-decomposition of a symmetric n×n matrix (row-major), eigenvalues descending. */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n); // column j = eigenvector j
  order.forEach((src, j) => {
    for (let k = 0; k < n; k++) vectors[k * n + j] = v[k * n + src];
  });
  return { values, vectors };
}

/**
 * Orthonormalises the m columns of q [n, m] in place (modified Gram–Schmidt, twice by default), on
 * a column-major copy: the columns are then contiguous, which the strided row-major loops were not.
 */
export function orthonormalize(q: Float64Array, n: number, m: number, passes = 2): void {
  const cols = new Float64Array(n * m);
  for (let k = 0; k < n; k++) for (let j = 0; j < m; j++) cols[j * n + k] = q[k * m + j];
  for (let pass = 0; pass < passes; pass++) {
    for (let j = 0; j < m; j++) {
      const cj = j * n;
      for (let i = 0; i < j; i++) {
        const ci = i * n;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += cols[ci + k] * cols[cj + k];
        for (let k = 0; k < n; k++) cols[cj + k] -= dot * cols[ci + k];
      }
      let norm = 0;
      for (let k = 0; k < n; k++) norm += cols[cj + k] * cols[cj + k];
      const scale = 1 / (Math.sqrt(norm) || 1);
      for (let k = 0; k < n; k++) cols[cj + k] *= scale;
    }
  }
  for (let k = 0; k < n; k++) for (let j = 0; j < m; j++) q[k * m + j] = cols[j * n + k];
}
