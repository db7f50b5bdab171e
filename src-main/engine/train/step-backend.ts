/**
 * What the trainer needs from whatever computes a training step: θ and Adam's state in and out as
 * flat float32 vectors (layout order), one update per `step`, evaluation for snapshots. Two
 * implementations: one ONNX graph per step on onnxruntime's native kernels (the default), and the
 * TensorFlow.js model with its custom gradients (wasm, cpu or tfjs-node).
 */
import type { BackendName } from '../backend.js';
import type { ModelConfig } from '../model/config.js';
import type { AdamHyper } from '../runs/runConfig.js';
import { OrtStepBackend } from './ort-step/session.js';

/** A dataset's (or minibatch's) constant tensors in the backend's own form. */
export interface PreparedBatch {
  readonly n: number;
  dispose(): void;
}

export interface AdamState {
  /** updates since Adam's (re)start */
  t: number;
  m: Float32Array;
  v: Float32Array;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** [n, T] */
  attention: Float32Array;
}

export interface StepBackend {
  /** recorded in run.json */
  readonly name: string;
  readonly adamT: number;
  prepare(tokens: Int32Array, targets: Int32Array): PreparedBatch;
  /**
   * One Adam update on `train` at learning rate `lr` (times `lrScales[i]` for the i-th parameter
   * tensor, when given). Its statistics — train loss and accuracy at θ, test loss and accuracy at
   * the updated θ — are kept until `takeStats`.
   */
  step(train: PreparedBatch, test: PreparedBatch, lr: number, lrScales?: number[] | null): Promise<void>;
  /** The statistics of the steps since the last call, [steps, 4] row-major. */
  takeStats(): Float32Array;
  evaluate(batch: PreparedBatch): Promise<Evaluation>;
  parameters(): Float32Array;
  optimizerState(): AdamState;
  loadOptimizer(state: AdamState): void;
  resetOptimizer(): void;
  dispose(): Promise<void>;
}

export interface StepBackendInit {
  model: ModelConfig;
  adam: AdamHyper;
  /** the starting θ, layout order */
  theta: Float32Array;
}

/** The step backend for a backend already selected by `selectBackend` (engine/backend.ts). */
export async function openStepBackend(name: BackendName, init: StepBackendInit): Promise<StepBackend> {
  if (name === 'onnxruntime') return OrtStepBackend.create(init);
  // TensorFlow.js loads only when a run trains on it: a CLI that projects or trains on onnxruntime never pays for it
  const { TfjsStepBackend } = await import('./tfjs-step.js');
  return new TfjsStepBackend(name, init);
}
