/**
 * The workbench's views, in the order of the navigation. The Runs view, where the app opens, is in
 * the first script; every other view is a chunk of its own, and ECharts (which only figures use,
 * FigurePanel.vue) another, each loaded when first needed or, in the background, once the app has
 * started (`prefetchViews`): the app's start evaluates a tenth of the code it did.
 */
import { defineAsyncComponent, type Component } from 'vue';
import RunsView from './RunsView.vue';

const loaders: Record<string, () => Promise<{ default: Component }>> = {
  train: () => import('./TrainView.vue'),
  sweeps: () => import('./SweepsView.vue'),
  curves: () => import('./CurvesView.vue'),
  attention: () => import('./AttentionGraphView.vue'),
  'attention-training': () => import('./AttentionHeatmapView.vue'),
  embeddings: () => import('./EmbeddingsView.vue'),
  interpolation: () => import('./InterpolationView.vue'),
  trajectories: () => import('./TrajectoriesView.vue'),
};

const later = (key: string): Component => defineAsyncComponent(loaders[key]);

export const VIEWS: { key: string; label: string; figure: string; component: Component }[] = [
  { key: 'runs', label: 'Runs', figure: '', component: RunsView },
  { key: 'train', label: 'Train', figure: '', component: later('train') },
  { key: 'sweeps', label: 'Sweeps', figure: 'Fig. 5 over seeds', component: later('sweeps') },
  { key: 'curves', label: 'Curves', figure: 'Fig. 5', component: later('curves') },
  { key: 'attention', label: 'Attention', figure: 'Fig. 2', component: later('attention') },
  { key: 'attention-training', label: 'Attention over training', figure: 'Fig. 3', component: later('attention-training') },
  { key: 'embeddings', label: 'Embeddings', figure: 'Fig. 4', component: later('embeddings') },
  { key: 'interpolation', label: 'Interpolation', figure: 'Fig. 6', component: later('interpolation') },
  { key: 'trajectories', label: 'Trajectories', figure: 'Fig. 7', component: later('trajectories') },
];

/**
 * Starts loading the view `key` (if it is one that loads later) and ECharts alongside the app's own
 * start: opened on a view with figures, the page then has ECharts ready when the data arrives.
 */
export function prefetchView(key: string): void {
  if (!loaders[key]) return;
  void loaders[key]().catch(() => undefined);
  void import('../figures/echarts').catch(() => undefined);
}

/** Loads every view's code and ECharts in the background, one after another: a first click then finds them there. */
export async function prefetchViews(): Promise<void> {
  for (const load of [...Object.values(loaders), () => import('../figures/echarts')]) await load().catch(() => undefined);
}
