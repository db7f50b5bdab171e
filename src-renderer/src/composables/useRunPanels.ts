/**
 * The runs a single-run view shows: the primary run, and beside it the side-by-side partner when
 * there is one, each at its snapshot nearest to the one step cursor and on the data its own phase
 * (or the modulus the user chose) gives. Each panel's sequences are the view's, carried over to
 * its data (the same test sequence of the other modulus).
 */
import { computed, type ComputedRef } from 'vue';
import type { SourceInfo } from '../api';
import { samplesFor } from '../figures/runPairs';
import { followModulus } from '../figures/sequence';
import { useWorkspace } from '../stores/workspace';

export interface RunPanel {
  /** 'primary' on the left, 'beside' on the right */
  side: 'primary' | 'beside';
  source: SourceInfo;
  step: number;
  p: number;
  /** data-testid suffix: '' for the primary panel, '-beside' for the other */
  suffix: string;
}

export function useRunPanels(): { panels: ComputedRef<RunPanel[]>; carry: (sequence: number[], panel: RunPanel) => number[] } {
  const ws = useWorkspace();
  const panels = computed<RunPanel[]>(() => {
    const out: RunPanel[] = [];
    const primary = ws.primary;
    if (primary) out.push({ side: 'primary', source: primary, step: ws.cursor, p: ws.evalP, suffix: '' });
    const partner = ws.partner;
    if (primary && partner) out.push({ side: 'beside', source: partner, step: ws.stepOf(partner), p: ws.evalPOf(partner), suffix: '-beside' });
    return out;
  });
  /** A sequence of the primary panel's data as the same sequence of another panel's data. */
  function carry(sequence: number[], panel: RunPanel): number[] {
    if (panel.side === 'primary') return sequence;
    return followModulus(sequence, ws.samples, samplesFor(panel.source, panel.p), panel.p);
  }
  return { panels, carry };
}
