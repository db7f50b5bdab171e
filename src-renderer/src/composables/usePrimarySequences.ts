/**
 * The sequences the attention views show, kept in step with the primary run: its first test
 * sequence when it changes, and the same samples of the other data when the cursor crosses into
 * a phase of another modulus (or the user chooses other data).
 */
import { watch, type Ref } from 'vue';
import { fitSequence, followModulus } from '../figures/sequence';
import { useWorkspace } from '../stores/workspace';

export function usePrimarySequences(sequences: Ref<number[][]>): void {
  const ws = useWorkspace();
  watch(
    () => ws.primary?.id,
    () => {
      const s = ws.primary;
      sequences.value = s ? [fitSequence(ws.samples[0], s.T, s.V)] : [];
    },
    { immediate: true },
  );
  watch(
    () => ws.samples,
    (after, before) => {
      if (before) sequences.value = sequences.value.map((q) => followModulus(q, before, after, ws.evalP));
    },
  );
}
