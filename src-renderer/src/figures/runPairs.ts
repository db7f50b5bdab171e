/**
 * Which run a single-run view shows and at which step, when two runs are shown side by side or
 * when the Embeddings view opens on the bundled demo (pure: sources in, choices out).
 */
import type { PhaseInfo, SourceInfo } from '../../../src-main/api/contract.js';

/** The snapshot step of `steps` nearest to `step` (ties to the earlier one), or null without snapshots. */
export function nearestStep(steps: number[], step: number): number | null {
  let best: number | null = null;
  for (const s of steps) if (best === null || Math.abs(s - step) < Math.abs(best - step)) best = s;
  return best;
}

/** The training phase a step ends or lies in (step 0: the first), or null without phases. */
export function phaseAt(phases: PhaseInfo[], step: number): PhaseInfo | null {
  return phases.find((ph) => step > ph.start && step <= ph.end) ?? phases[0] ?? null;
}

/** The modulus a source is evaluated on at a step: the chosen one when it offers it, else its phase's, else its data's. */
export function evalPFor(source: Pick<SourceInfo, 'moduli' | 'phases' | 'p'>, step: number, chosenP: number | null): number {
  const offered = source.moduli.map((m) => m.p);
  if (chosenP !== null && offered.includes(chosenP)) return chosenP;
  const p = phaseAt(source.phases, step)?.p;
  return p !== undefined && offered.includes(p) ? p : source.p;
}

/** A few test sequences of the data a source is evaluated on (modulus p). */
export function samplesFor(source: Pick<SourceInfo, 'moduli' | 'sampleSequences'>, p: number): number[][] {
  return source.moduli.find((m) => m.p === p)?.sampleSequences ?? source.sampleSequences;
}

const isCurriculum = (s: SourceInfo) => s.kind === 'run' && s.phases.length > 1;
const isScratch = (s: SourceInfo) => s.kind === 'run' && s.phases.length === 1;
const sameShape = (a: SourceInfo, b: SourceInfo) => a.T === b.T && a.V === b.V && a.k === b.k;

/**
 * The scratch and curriculum runs to compare side by side: among the open runs, a one-phase and a
 * several-phase run of the same task shape, the pair from the fig5 presets with the same seed
 * first, the primary run's partner next. Null when there is no such pair.
 */
export function scratchCurriculumPair(sources: SourceInfo[], primaryId: string | null = null): { scratch: SourceInfo; curriculum: SourceInfo } | null {
  const pairs: { scratch: SourceInfo; curriculum: SourceInfo; score: number }[] = [];
  for (const scratch of sources.filter(isScratch))
    for (const curriculum of sources.filter(isCurriculum)) {
      if (!sameShape(scratch, curriculum)) continue;
      const presets = scratch.preset === 'fig5-scratch' && curriculum.preset === 'fig5-curriculum' ? 4 : 0;
      const seed = scratch.seed !== null && scratch.seed === curriculum.seed ? 2 : 0;
      const primary = primaryId !== null && (scratch.id === primaryId || curriculum.id === primaryId) ? 1 : 0;
      pairs.push({ scratch, curriculum, score: presets + seed + primary });
    }
  pairs.sort((a, b) => b.score - a.score);
  return pairs[0] ?? null;
}

/**
 * Where the Embeddings view opens on the bundled demo: its d = 2 fig4 run at the end of the first
 * (p = 2) phase, the left panel of the paper's Fig. 4. Null when no such run is open.
 */
export function paperPicture(sources: SourceInfo[], demoPaths: string[]): { id: string; step: number } | null {
  const demo = new Set(demoPaths.map((p) => p.replace(/\/+$/, '')));
  const run = sources.find((s) => demo.has(s.path.replace(/\/+$/, '')) && s.preset === 'fig4' && s.d === 2 && s.phases.length > 0);
  if (!run) return null;
  const step = nearestStep(run.steps, run.phases[0].end);
  return step === null ? null : { id: run.id, step };
}
