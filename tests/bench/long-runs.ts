/**
 * Long runs in the app's API (the handler table the window and `serve` call): a 100,000-step run
 * with 10,001 snapshots, synthesised from a real run folder by repeating its metrics and snapshots
 * under new step numbers. Times opening it, the curves of five such runs (the rows the Curves view
 * draws, every row as its CSV export reads them, one row as its tooltip does), and the attention
 * heatmap over training of one sequence. Answers are timed with their JSON encoding, as serve sends them.
 *
 *   CW_BENCH_RUNS=runA[:runB] node --import tsx tests/bench/long-runs.ts   (uses runA as the model)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers, dispatch } from '../../src-main/api/handlers.js';
import { PathPolicy, SourceRegistry } from '../../src-main/api/sources.js';
import { JobManager } from '../../src-main/jobs/manager.js';
import { LONG_STEPS, synthesiseLongRuns } from './longRunFolders.js';
import { DEFAULT_CURVE_SETTINGS, drawnRowsRequest } from '../../src-renderer/src/figures/curves.js';
import { heatmapPlotRows } from '../../src-renderer/src/figures/attentionHeatmap.js';

const model = (process.env['CW_BENCH_RUNS'] ?? '').split(':').filter(Boolean)[0];
if (!model) {
  console.log('long runs: set CW_BENCH_RUNS=dir (a run folder to synthesise the long runs from) to measure them');
  process.exit(0);
}
const STEPS = LONG_STEPS;
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-long-'));
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** wall and CPU (user + system) time since `mark()` */
const mark = () => ({ wall: performance.now(), cpu: process.cpuUsage() });
const since = (m: ReturnType<typeof mark>) => {
  const c = process.cpuUsage(m.cpu);
  return `${s(performance.now() - m.wall)} (CPU ${s((c.user + c.system) / 1000)})`;
};

try {
  const { runs, snapshots: n, width } = synthesiseLongRuns(model, dir, 5);
  console.log(`long runs: 5 × ${STEPS.toLocaleString('en')} steps, ${n.toLocaleString('en')} snapshots × ${width.toLocaleString('en')} parameters (${((n * width * 4) / 1e6).toFixed(0)} MB each)`);

  const handlers = createHandlers({ sources: new SourceRegistry(new PathPolicy([dir])), jobs: new JobManager(), workspaces: [dir] });
  const call = (channel: string, req: unknown) => dispatch(handlers, channel as never, req as never);
  const ids: string[] = [];
  for (const r of runs) {
    const t = mark();
    const info = (await call('source.open', { path: r })) as { id: string };
    if (ids.length === 0) console.log(`open one run (source.open)                       : ${since(t)}`);
    ids.push(info.id);
  }
  // each answer as serve sends it: the handler's result encoded as JSON
  const fetchAll = async (req: (id: string) => object) => {
    const t0 = mark();
    let rows = 0;
    let bytes = 0;
    for (const id of ids) {
      const answer = (await call('source.metrics', req(id))) as { step: number[] };
      rows += answer.step.length;
      bytes += JSON.stringify(answer).length;
    }
    return `${since(t0)}, ${rows.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(1)} MB of JSON`;
  };
  const drawn = (id: string) => ({ id, ...drawnRowsRequest(DEFAULT_CURVE_SETTINGS), smoothing: 0, logSteps: false });
  console.log(`curves of five runs, rows drawn, first read      : ${await fetchAll(drawn)}`);
  console.log(`curves of five runs, rows drawn, again           : ${await fetchAll(drawn)}`);
  console.log(`curves of five runs, smoothing 0.9, log steps    : ${await fetchAll((id) => ({ ...drawn(id), smoothing: 0.9, logSteps: true }))}`);
  console.log(`every row of five runs (the CSV export)          : ${await fetchAll((id) => ({ id }))}`);
  console.log(`one row of five runs (the tooltip)               : ${await fetchAll((id) => ({ id, from: 51_234, to: 51_234, smoothing: 0.9 }))}`);
  const T = (JSON.parse(readFileSync(join(runs[0], 'run.json'), 'utf8')) as { config: { task: { T: number } } }).config.task.T;
  const tokens = [Array.from({ length: T }, (_, i) => i % 2)];
  const heatmap = async (sequences: number[][], maxRows?: number) => {
    const t = mark();
    const heat = (await call('analysis.attentionOverTraining', { id: ids[0], tokens: sequences, maxRows })) as { steps: number[] };
    const bytes = JSON.stringify(heat).length;
    return `${since(t)}, ${heat.steps.length.toLocaleString('en')} snapshots, ${(bytes / 1e6).toFixed(1)} MB of JSON`;
  };
  // what the app asks for: the rows of a plot 444 pixel rows tall (HeatmapRun.vue)
  console.log(`attention over training, 1 sequence, rows drawn  : ${await heatmap(tokens, heatmapPlotRows(560))}`);
  console.log(`attention over training, 1 sequence, all steps   : ${await heatmap(tokens)}`);
  console.log(`the same, two other sequences                    : ${await heatmap([tokens[0].map((x) => 1 - x), tokens[0].map(() => 1)])}`);
  console.log(`resident memory                                  : ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
