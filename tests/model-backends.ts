/**
 * The model's forward outputs, loss and gradient on each training backend, for the tests that
 * compare them with independent implementations (float64 finite differences, PyTorch).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend.js';
import { paramLayout, type ModelConfig } from '../src-main/engine/model/config.js';
import { crossEntropy, forward, makeBatch, paramsFromFlat, type Params } from '../src-main/engine/model/forward.js';
import { ortGradient } from '../src-main/engine/train/ort-step/session.js';

/** The training backends under test: the default (one ONNX graph on onnxruntime) and tfjs wasm. */
export const TRAINING_BACKENDS = ['onnxruntime', 'wasm'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];

export interface ModelOutputs {
  /** [n, V] */
  logits: Float32Array;
  /** [n, T] */
  attention: Float32Array;
  /** [n, d] */
  zAttn: Float32Array;
  loss: number;
  /** the gradient of the mean cross-entropy, layout order */
  grads: Float32Array;
}

function tfjsOutputs(c: ModelConfig, flat: Float32Array, tokens: Int32Array, targets: Int32Array): ModelOutputs {
  const layout = paramLayout(c);
  const batch = makeBatch(tokens, targets, c.T, c.V);
  try {
    return tf.tidy(() => {
      const params = paramsFromFlat(flat, layout);
      const tensors = layout.params.map((p) => params[p.name]);
      const record = (args: tf.Tensor[]): Params => Object.fromEntries(layout.params.map((p, i) => [p.name, args[i]]));
      const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => crossEntropy(forward(record(ps), batch, c).logits, batch))(tensors);
      const flatGrads = new Float32Array(layout.total);
      layout.params.forEach((p, i) => {
        if (grads[i].shape.join(',') !== p.shape.join(',')) throw new Error(`gradient of ${p.name} has shape [${grads[i].shape}], not [${p.shape}]`);
        flatGrads.set(grads[i].dataSync(), p.offset);
      });
      const out = forward(params, batch, c);
      return {
        logits: out.logits.dataSync() as Float32Array,
        attention: out.attention.dataSync() as Float32Array,
        zAttn: out.zAttn.dataSync() as Float32Array,
        loss: value.dataSync()[0],
        grads: flatGrads,
      };
    });
  } finally {
    batch.dispose();
  }
}

export async function modelOutputs(backend: TrainingBackend, c: ModelConfig, flat: Float32Array, tokens: Int32Array, targets: Int32Array): Promise<ModelOutputs> {
  if (backend === 'wasm') {
    await selectBackend('wasm');
    return tfjsOutputs(c, flat, tokens, targets);
  }
  const out = await ortGradient(c, flat, tokens, targets);
  return { logits: out.logits, attention: out.attention, zAttn: out.zAttn, loss: out.loss, grads: out.gradient };
}
