/**
 * The open runs and checkpoints, which ones the views show, and the one step cursor that every
 * view follows.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { SourceInfo, WorkbenchApi } from '../api';
import { evalPFor, nearestStep, phaseAt } from '../figures/runPairs';

export const useWorkspace = defineStore('workspace', () => {
  const api = ref<WorkbenchApi | null>(null);
  const sources = ref<SourceInfo[]>([]);
  const available = ref<{ path: string; label: string; kind: string }[]>([]);
  const workspaces = ref<string[]>([]);
  const recent = ref<string[]>([]);
  /** the bundled demo runs' paths */
  const demo = ref<string[]>([]);
  /** ids of the sources the comparison views overlay, in order */
  const selected = ref<string[]>([]);
  /** the source the single-run views (attention, embeddings) show */
  const primaryId = ref<string | null>(null);
  /** the shared step cursor (a snapshot step of the primary source) */
  const cursor = ref(0);
  /** the run shown beside the primary one in the Attention, Attention over training and Embeddings views */
  const sideBySideId = ref<string | null>(null);
  /** whether the user chose the primary run or moved the cursor (then no view moves them on its own) */
  const steered = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);

  const primary = computed(() => sources.value.find((s) => s.id === primaryId.value) ?? null);
  const steps = computed(() => primary.value?.steps ?? []);
  /** the compared training runs, in order: the i-th has the i-th run colour in every figure */
  /** the modulus the single-run views evaluate on, when the user chose one; null follows the cursor's phase */
  const chosenP = ref<number | null>(null);
  /** the training phase the cursor step lies in (the one it ends or lies in; step 0: the first) */
  const cursorPhase = computed(() => (primary.value ? phaseAt(primary.value.phases, cursor.value) : null));
  /** the moduli the engine offers for the primary source, with sample sequences of each */
  const moduli = computed(() => primary.value?.moduli ?? []);
  /** the modulus the single-run views evaluate on: the chosen one, else the cursor phase's */
  const evalP = computed(() => (primary.value ? evalPFor(primary.value, cursor.value, chosenP.value) : 2));
  /** test sequences of that modulus, to start the sequence editors with */
  const samples = computed(() => moduli.value.find((m) => m.p === evalP.value)?.sampleSequences ?? primary.value?.sampleSequences ?? []);
  /** the run beside the primary one, when two are shown side by side */
  const partner = computed(() => (sideBySideId.value === primaryId.value ? null : (sources.value.find((s) => s.id === sideBySideId.value) ?? null)));
  /** The step a source shows at the cursor: its snapshot nearest to the cursor step. */
  function stepOf(s: SourceInfo): number {
    return nearestStep(s.steps, cursor.value) ?? 0;
  }
  /** The modulus a source is evaluated on at the cursor (the chosen one when it has it, else its phase's). */
  function evalPOf(s: SourceInfo): number {
    return evalPFor(s, stepOf(s), chosenP.value);
  }
  const comparedRuns = computed(() => selected.value.map((id) => sources.value.find((s) => s.id === id)).filter((s): s is SourceInfo => !!s && s.kind === 'run'));

  function bind(a: WorkbenchApi) {
    api.value = a;
  }

  function need(): WorkbenchApi {
    if (!api.value) throw new Error('the workbench API is not connected');
    return api.value;
  }

  async function refresh() {
    const r = await need().call('workspace.list', {});
    sources.value = r.sources;
    // sources opened elsewhere (the API, an earlier page) are shown too
    if (selected.value.length === 0) selected.value = r.sources.map((x) => x.id);
    if (!primaryId.value && r.sources.length) setPrimary(r.sources[0].id, { auto: true });
    available.value = r.available;
    workspaces.value = r.workspaces;
    demo.value = r.demo;
    recent.value = await need().recent();
  }

  /** Opens (or refreshes) a path; the first source opened becomes the primary one. */
  async function open(path: string): Promise<SourceInfo | null> {
    loading.value = true;
    error.value = null;
    try {
      const info = await need().call('source.open', { path });
      const i = sources.value.findIndex((s) => s.id === info.id);
      if (i >= 0) sources.value.splice(i, 1, info);
      else sources.value.push(info);
      if (!selected.value.includes(info.id)) selected.value.push(info.id);
      if (!primaryId.value) setPrimary(info.id, { auto: true });
      need().remember(path);
      recent.value = await need().recent();
      return info;
    } catch (err) {
      error.value = (err as Error).message;
      return null;
    } finally {
      loading.value = false;
    }
  }

  async function close(id: string) {
    await need().call('source.close', { id });
    sources.value = sources.value.filter((s) => s.id !== id);
    selected.value = selected.value.filter((x) => x !== id);
    if (sideBySideId.value === id) sideBySideId.value = null;
    if (primaryId.value === id) setPrimary(sources.value[0]?.id ?? null, { auto: true });
  }

  /**
   * Re-reads the runs still training every few seconds, so that every view follows them live
   * (their snapshots, step range and curves grow); a cursor on the last snapshot stays on it.
   */
  let following: ReturnType<typeof setInterval> | undefined;
  function followRunning(everyMs = 4000) {
    clearInterval(following);
    following = setInterval(async () => {
      for (const s of sources.value.filter((x) => x.status === 'running')) {
        const atEnd = s.id === primaryId.value && cursor.value === s.steps[s.steps.length - 1];
        try {
          const info = await need().call('source.open', { path: s.path });
          const i = sources.value.findIndex((x) => x.id === info.id);
          if (i >= 0) sources.value.splice(i, 1, info);
          if (atEnd && primaryId.value === info.id) cursor.value = info.steps[info.steps.length - 1] ?? cursor.value;
        } catch {
          // a run being written may be unreadable for a moment: try again next time
        }
      }
    }, everyMs);
  }

  /** Makes a source the primary one, the cursor on its last snapshot (or on `at`'s nearest); `auto` when the user did not ask. */
  function setPrimary(id: string | null, opts: { auto?: boolean; at?: number } = {}) {
    primaryId.value = id;
    if (!opts.auto) steered.value = true;
    const s = sources.value.find((x) => x.id === id);
    if (s) cursor.value = (opts.at === undefined ? null : nearestStep(s.steps, opts.at)) ?? s.steps[s.steps.length - 1] ?? 0;
  }

  /** Shows `left` (the primary run) and `right` side by side at the cursor's step; null `right` ends it. */
  function showSideBySide(left: string, right: string | null) {
    if (left !== primaryId.value) setPrimary(left, { at: cursor.value });
    sideBySideId.value = right === left ? null : right;
  }

  function toggleSelected(id: string) {
    selected.value = selected.value.includes(id) ? selected.value.filter((x) => x !== id) : [...selected.value, id];
  }

  /** Moves the cursor to the snapshot of the primary source nearest to `step`. */
  function setCursor(step: number) {
    const list = steps.value;
    if (list.length === 0) return;
    steered.value = true;
    cursor.value = nearestStep(list, step) ?? list[0];
  }

  /** Moves the cursor by `delta` snapshots. */
  function stepCursor(delta: number) {
    const list = steps.value;
    const i = list.indexOf(cursor.value);
    const j = Math.min(list.length - 1, Math.max(0, (i < 0 ? 0 : i) + delta));
    if (!list.length) return;
    steered.value = true;
    cursor.value = list[j];
  }

  return {
    ...{ api, sources, available, workspaces, recent, demo, selected, comparedRuns, primaryId, primary, cursor, steps, chosenP, cursorPhase, moduli, evalP, samples, loading, error },
    ...{ sideBySideId, partner, steered, stepOf, evalPOf, showSideBySide },
    ...{ bind, refresh, open, close, followRunning, setPrimary, toggleSelected, setCursor, stepCursor },
  };
});
