/**
 * Which data the views evaluate on at a step: by default the modulus of the training phase the
 * step lies in (a curriculum's p = 2 phase is evaluated on p = 2 data), or another modulus of the
 * run that the user chose; and the source's data for that modulus, derived from the data it was
 * opened with (the p = 2 tokens are the p = 4 tokens halved).
 */
import type { AnalysisSource, SourceData } from '../engine/analysis/source.js';
import { derivable, reduceDataset } from '../engine/task/modulus.js';
import { ApiError } from './contract.js';

type Phase = AnalysisSource['phases'][number];

/** The phase a snapshot step belongs to: the one it ends or lies in (step 0: the first); null without phases. */
export function phaseAt(phases: Phase[], step: number): Phase | null {
  return phases.find((ph) => step > ph.start && step <= ph.end) ?? (phases.length && step <= phases[0].start ? phases[0] : (phases[phases.length - 1] ?? null));
}

/** The moduli a source can be evaluated on: its own data's, and each phase's that derives from it. */
export function moduliOf(src: AnalysisSource): number[] {
  const ps = new Set([src.data.p, ...src.phases.map((ph) => ph.p).filter((p) => derivable(src.data.p, p))]);
  return [...ps].sort((a, b) => a - b);
}

/** The modulus to evaluate on at `step`: the requested one, else the phase's (when it derives), else the data's. */
export function modulusAt(src: AnalysisSource, step: number, requested?: number): number {
  if (requested !== undefined) return requested;
  const p = phaseAt(src.phases, step)?.p;
  return p !== undefined && derivable(src.data.p, p) ? p : src.data.p;
}

/** The source's data for modulus p; a sentence when p is not one of its moduli. */
export function dataFor(src: AnalysisSource, p: number): SourceData {
  if (p === src.data.p) return src.data;
  if (!moduliOf(src).includes(p)) {
    throw new ApiError('invalid', `${src.label} has no data for p = ${p}; it can be evaluated on p = ${moduliOf(src).join(' or ')}`);
  }
  const { k } = src.data;
  return { ...src.data, p, train: reduceDataset(src.data.train, k, p), test: reduceDataset(src.data.test, k, p), origin: `${src.data.origin}, tokens reduced to p = ${p}` };
}

/** A few test sequences of modulus p, to start the sequence editors with. */
export function sampleSequences(src: AnalysisSource, p: number, count = 8): number[][] {
  const { test } = dataFor(src, p);
  return Array.from({ length: Math.min(count, test.n) }, (_, i) => Array.from(test.tokens.subarray(i * test.T, (i + 1) * test.T)));
}
