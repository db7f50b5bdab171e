/** The workbench's views, in the order of the navigation. */
import type { Component } from 'vue';
import RunsView from './RunsView.vue';
import TrainView from './TrainView.vue';
import CurvesView from './CurvesView.vue';
import AttentionGraphView from './AttentionGraphView.vue';
import AttentionHeatmapView from './AttentionHeatmapView.vue';
import EmbeddingsView from './EmbeddingsView.vue';
import InterpolationView from './InterpolationView.vue';
import TrajectoriesView from './TrajectoriesView.vue';
import SweepsView from './SweepsView.vue';

export const VIEWS: { key: string; label: string; figure: string; component: Component }[] = [
  { key: 'runs', label: 'Runs', figure: '', component: RunsView },
  { key: 'train', label: 'Train', figure: '', component: TrainView },
  { key: 'sweeps', label: 'Sweeps', figure: 'Fig. 5 over seeds', component: SweepsView },
  { key: 'curves', label: 'Curves', figure: 'Fig. 5', component: CurvesView },
  { key: 'attention', label: 'Attention', figure: 'Fig. 2', component: AttentionGraphView },
  { key: 'attention-training', label: 'Attention over training', figure: 'Fig. 3', component: AttentionHeatmapView },
  { key: 'embeddings', label: 'Embeddings', figure: 'Fig. 4', component: EmbeddingsView },
  { key: 'interpolation', label: 'Interpolation', figure: 'Fig. 6', component: InterpolationView },
  { key: 'trajectories', label: 'Trajectories', figure: 'Fig. 7', component: TrajectoriesView },
];
