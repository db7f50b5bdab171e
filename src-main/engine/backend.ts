/**
 * Training backends, best first: onnxruntime (a whole training step as one ONNX graph on
 * onnxruntime-node's native kernels, train/ort-step/), then the TensorFlow.js backends tensorflow
 * (tfjs-node, native), wasm, cpu. tfjs-node is an optional dependency whose install downloads
 * libtensorflow; where that failed it is absent and the next backend is used. The chosen backend
 * and versions are recorded in every run.
 */
import { createRequire } from 'node:module';

// TensorFlow.js takes most of a second to import: loaded only when a tfjs backend is selected.
const tfjs = () => import('@tensorflow/tfjs');

export type BackendName = 'onnxruntime' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: BackendName[] = ['onnxruntime', 'tensorflow', 'wasm', 'cpu'];

const requireCjs = createRequire(import.meta.url);

async function register(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') await import('@tensorflow/tfjs-node' as string);
    if (name === 'onnxruntime') return typeof (await import('onnxruntime-node')).InferenceSession === 'function';
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    return await (await tfjs()).setBackend(name);
  } catch {
    return false;
  }
}

/** Selects a backend: the requested one (an error if it cannot load) or the best available. */
export async function selectBackend(requested?: BackendName | 'auto'): Promise<BackendName> {
  if (requested && requested !== 'auto') {
    if (!BACKENDS.includes(requested)) throw new Error(`unknown backend '${String(requested)}'; choose one of ${BACKENDS.join(', ')} or auto`);
    if (!(await register(requested))) {
      const hint = requested === 'tensorflow' ? ' (@tensorflow/tfjs-node is not installed or its native library failed to load)' : '';
      throw new Error(`the ${requested} backend is not available on this machine${hint}; try --backend wasm`);
    }
    if (requested !== 'onnxruntime') await (await tfjs()).ready();
    return requested;
  }
  for (const name of BACKENDS) {
    if (await register(name)) {
      if (name !== 'onnxruntime') await (await tfjs()).ready();
      return name;
    }
  }
  throw new Error('no training backend could be loaded');
}

export async function availableBackends(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  for (const name of BACKENDS) {
    if (name === 'tensorflow') {
      try {
        requireCjs.resolve('@tensorflow/tfjs-node');
      } catch {
        continue;
      }
    }
    out.push(name);
  }
  return out;
}

export function versions(): Record<string, string> {
  const v: Record<string, string> = { node: process.versions.node, tfjs: (requireCjs('@tensorflow/tfjs/package.json') as { version: string }).version };
  for (const pkg of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', 'onnxruntime-node']) {
    try {
      v[pkg] = (requireCjs(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      // not installed
    }
  }
  return v;
}
