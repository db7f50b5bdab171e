/** `export` and `analyze …`: command-line doors onto the analysis engine. */
import { Command, InvalidArgumentError } from 'commander';
import { collect, count, int, num } from './args.js';
import { writeFileAtomic } from '../engine/io/atomic.js';
import { openSource, type AnalysisSource, type OpenOptions } from '../engine/analysis/source.js';
import { accuracy, attention, attentionOverTraining, embeddings, interpolate, projectTrajectories, silhouetteOverTraining } from '../engine/analysis/analyses.js';
import type { ProjectionMethod } from '../engine/analysis/projection.js';
import { exportSnapshot } from '../engine/runs/snapshot.js';
import { refuseWriteIntoRun } from '../engine/runs/runFolder.js';
import { toCsv } from '../engine/io/csv.js';
import { makeFractionBar } from './progress.js';

function write(out: string | undefined, content: string): void {
  if (out) {
    refuseWriteIntoRun(out);
    writeFileAtomic(out, content);
  }
  else process.stdout.write(content);
}

function openOpts(o: { data?: string; p?: number }): OpenOptions {
  return { dataDir: o.data ?? null, p: o.p ?? null };
}

/** Parses sequences given as "0,1,2,…" (one per --sequence). */
function parseSequences(texts: string[], T: number): Int32Array {
  const seqs = texts.map((s) => s.split(/[\s,]+/).filter(Boolean).map(Number));
  seqs.forEach((s, i) => {
    if (s.length !== T || s.some((x) => !Number.isInteger(x))) throw new InvalidArgumentError(`--sequence needs ${T} whole-number tokens separated by commas, got '${texts[i]}'`);
  });
  return Int32Array.from(seqs.flat());
}

function sequencesOf(src: AnalysisSource, given: string[], firstTest: number): Int32Array {
  const T = src.checkpoint.T;
  if (given.length > 0) return parseSequences(given, T);
  const n = Math.min(firstTest, src.data.test.n);
  return src.data.test.tokens.slice(0, n * T);
}

/**
 * Opens a source; when its last snapshot holds non-finite weights (a run that diverged, or a
 * trajectory with NaN rows) and no step was asked for, says on stderr which step is analysed.
 */
async function openNoting(spec: string, opts: OpenOptions, askedStep?: number): Promise<AnalysisSource> {
  const src = await openSource(spec, opts);
  const last = src.steps[src.steps.length - 1];
  if (src.kind === 'run' && askedStep === undefined && !/@\d+$/.test(spec) && src.step !== last) {
    process.stderr.write(`note: the weights of ${src.path} after step ${src.step} are not finite (the run diverged); analysing step ${src.step}, its last finite snapshot\n`);
  }
  return src;
}

export function registerAnalysis(program: Command, fail: (err: unknown) => never): void {
  program
    .command('export')
    .description('write any snapshot of a run as a portable ONNX checkpoint (opset 17, weights inside)')
    .argument('<run>', 'a run folder')
    .option('--step <S>', 'the snapshot step (default: the last)', int('--step'))
    .requiredOption('--out <file>', 'the .onnx file to write')
    .addHelpText('after', '\nExample:\n  circuit-workbench export runs/curriculum-s0 --step 3000 --out p2-end.onnx')
    .action((run: string, o: { step?: number; out: string }) => {
      try {
        const r = exportSnapshot(run, o.step ?? null, o.out);
        process.stdout.write(`step ${r.step} → ${o.out} (${r.bytes} bytes)\n`);
      } catch (err) {
        fail(err);
      }
    });

  const analyze = program.command('analyze').description('analyses behind the figures, as CSV or JSON (pandas reads both)');
  const common = (c: Command) => c.option('--data <dir>', 'evaluate on these .npy datasets instead of the run’s or the task defaults').option('--p <P>', 'the modulus whose data to use', int('--p'));

  common(analyze.command('accuracy').description('loss and accuracy on train and test data').argument('<source>', 'a run folder, an .onnx file or a folder of them; SOURCE@STEP for a snapshot'))
    .option('--step <S>', 'the snapshot step', int('--step'))
    .option('--json', 'print {"train": {"loss", "accuracy"}, "test": {…}} on the last line')
    .addHelpText('after', '\nExample:\n  circuit-workbench analyze accuracy runs/curriculum-s0@3000 --json')
    .action(async (spec: string, o: { step?: number; json?: boolean; data?: string; p?: number }) => {
      try {
        const src = await openNoting(spec, openOpts(o), o.step);
        const r = await accuracy(src, o.step ?? src.step);
        if (o.json) process.stdout.write(JSON.stringify({ train: r.train, test: r.test, step: r.step, data: src.data.origin }) + '\n');
        else process.stdout.write(`step ${r.step} (data: ${src.data.origin})\ntrain: loss ${r.train.loss.toFixed(5)} accuracy ${r.train.accuracy.toFixed(4)}\ntest:  loss ${r.test.loss.toFixed(5)} accuracy ${r.test.accuracy.toFixed(4)}\n`);
      } catch (err) {
        fail(err);
      }
    });

  common(analyze.command('attention').description('attention of sequences at a step, or over training with the sign of each change (Figs. 2, 3)').argument('<source>'))
    .option('--step <S>', 'the snapshot step (default: the last)', int('--step'))
    .option('--sequence <tokens>', 'a sequence as comma-separated tokens (repeatable; default: the first test sequences)', collect, [] as string[])
    .option('--first <n>', 'how many test sequences when none is given', count('--first'), 4)
    .option('--over-training', 'every snapshot between --from and --to')
    .option('--from <S>', 'first step', int('--from'))
    .option('--to <S>', 'last step', int('--to'))
    .option('--stride <K>', 'every K-th snapshot', count('--stride'), 1)
    .option('--out <file>', 'CSV (default) or .json')
    .addHelpText('after', '\nColumns: step,sequence,position,attention,change (change: +1 grew, −1 shrank since the previous snapshot).\nExample:\n  circuit-workbench analyze attention runs/curriculum-s0 --over-training --first 2 --out attention.csv')
    .action(async (spec: string, o: { step?: number; sequence: string[]; first: number; overTraining?: boolean; from?: number; to?: number; stride: number; out?: string; data?: string; p?: number }) => {
      try {
        const src = await openNoting(spec, openOpts(o), o.step);
        const tokens = sequencesOf(src, o.sequence, o.first);
        const r = o.overTraining
          ? await attentionOverTraining(src, tokens, { from: o.from, to: o.to, stride: o.stride })
          : { ...(await attention(src, tokens, o.step ?? src.step)), steps: [o.step ?? src.step], change: new Int8Array(0) };
        const values = 'values' in r ? r.values : r.attention;
        if (o.out?.endsWith('.json')) {
          write(o.out, JSON.stringify({ steps: r.steps, n: r.n, T: r.T, tokens: Array.from(tokens), attention: Array.from(values), change: Array.from(r.change) }) + '\n');
        } else {
          const rows: (string | number)[][] = [];
          r.steps.forEach((step, si) => {
            for (let i = 0; i < r.n; i++) for (let t = 0; t < r.T; t++) {
              const idx = (si * r.n + i) * r.T + t;
              rows.push([step, i, t, values[idx], r.change.length ? r.change[idx] : 0]);
            }
          });
          write(o.out, toCsv(['step', 'sequence', 'position', 'attention', 'change'], rows));
        }
      } catch (err) {
        fail(err);
      }
    });

  common(analyze.command('embeddings').description('z_A of all p^k prefixes followed by zeros, or of a dataset, labelled by the sum of the first k tokens, and the silhouette of z_A grouped by that sum (Fig. 4)').argument('<source>'))
    .option('--step <S>', 'the snapshot step (default: the last)', int('--step'))
    .option('--set <name>', 'prefixes (default), train or test', 'prefixes')
    .option('--k <k>', 'number of leading tokens', int('--k'))
    .option('--every-snapshot', 'the silhouette at every snapshot between --from and --to instead of the points at one step')
    .option('--from <S>', 'first step (with --every-snapshot)', int('--from'))
    .option('--to <S>', 'last step (with --every-snapshot)', int('--to'))
    .option('--stride <K>', 'every K-th snapshot (with --every-snapshot)', count('--stride'), 1)
    .option('--json', 'print {"silhouette": s, "classes": n, …} on the last line (the points, if wanted, go to --out)')
    .option('--out <file>', 'CSV (default) or .json')
    .addHelpText(
      'after',
      '\nColumns: index,label,tokens,x,y,z0..z{d-1} (x, y: z_A itself for d = 2, else its first two principal components);\nwith --every-snapshot: step,silhouette,classes. The silhouette (−1..1, scikit-learn\'s definition, on z_A) is\nhigh when every prefix sum is its own tight cluster: Fig. 4 is a high score with 6 classes (p = 2) and 16 (p = 4).\nExamples:\n  circuit-workbench analyze embeddings runs/fig4@64000 --p 2 --out clusters.csv\n  circuit-workbench analyze embeddings runs/fig4 --p 4 --json\n  circuit-workbench analyze embeddings runs/fig4 --p 2 --every-snapshot --stride 10 --out silhouette.csv',
    )
    .action(async (spec: string, o: { step?: number; set: string; k?: number; everySnapshot?: boolean; from?: number; to?: number; stride: number; json?: boolean; out?: string; data?: string; p?: number }) => {
      try {
        if (!['prefixes', 'train', 'test'].includes(o.set)) throw new InvalidArgumentError(`--set must be prefixes, train or test, got '${o.set}'`);
        if (o.everySnapshot && o.step !== undefined) throw new InvalidArgumentError('--step and --every-snapshot exclude each other; use --from and --to to choose the steps');
        if (!o.everySnapshot && (o.from !== undefined || o.to !== undefined)) throw new InvalidArgumentError('--from and --to go with --every-snapshot');
        const src = await openNoting(spec, openOpts(o), o.step);
        const set = o.set as 'prefixes' | 'train' | 'test';
        const score = (s: number | null) => (s === null ? 'undefined' : s.toFixed(4));
        if (o.everySnapshot) {
          const r = await silhouetteOverTraining(src, { set, p: o.p, k: o.k, from: o.from, to: o.to, stride: o.stride });
          const last = r.silhouettes[r.silhouettes.length - 1];
          if (o.out || !o.json) write(o.out, toCsv(['step', 'silhouette', 'classes'], r.steps.map((step, i) => [step, r.silhouettes[i] ?? '', r.classes])));
          if (o.json) process.stdout.write(JSON.stringify({ silhouette: last, classes: r.classes, step: r.steps[r.steps.length - 1], p: r.p, k: r.k, set, steps: r.steps, silhouettes: r.silhouettes }) + '\n');
          else if (o.out) process.stdout.write(`${r.steps.length} snapshots → ${o.out}; silhouette ${score(last)} (${r.classes} classes) at step ${r.steps[r.steps.length - 1]}\n`);
          return;
        }
        const r = await embeddings(src, { step: o.step, set, p: o.p, k: o.k });
        const T = src.checkpoint.T;
        if (o.out?.endsWith('.json')) {
          write(o.out, JSON.stringify({ step: r.step, d: r.d, silhouette: r.silhouette, classes: r.classes, labels: Array.from(r.labels), xy: Array.from(r.xy), zAttn: Array.from(r.zAttn), explainedVariance: r.explainedVariance }) + '\n');
        } else if (o.out || !o.json) {
          const rows = Array.from({ length: r.n }, (_, i) => [i, r.labels[i], Array.from(r.tokens.subarray(i * T, (i + 1) * T)).join(''), r.xy[2 * i], r.xy[2 * i + 1], ...Array.from(r.zAttn.subarray(i * r.d, (i + 1) * r.d))]);
          write(o.out, toCsv(['index', 'label', 'tokens', 'x', 'y', ...Array.from({ length: r.d }, (_, j) => `z${j}`)], rows));
        }
        if (o.json) process.stdout.write(JSON.stringify({ silhouette: r.silhouette, classes: r.classes, step: r.step, p: o.p ?? src.data.p, k: o.k ?? src.data.k, set, n: r.n, d: r.d }) + '\n');
        else if (o.out) process.stdout.write(`${r.n} points → ${o.out}; silhouette ${score(r.silhouette)} (${r.classes} classes) at step ${r.step}\n`);
      } catch (err) {
        fail(err);
      }
    });

  common(analyze.command('interpolate').description('loss and accuracy of (1 − t)·A + t·B (Fig. 6), on A’s data').argument('<a>', 'checkpoint A (t = 0): .onnx, run folder (its last snapshot) or RUN@STEP').argument('<b>', 'checkpoint B (t = 1)'))
    .option('--points <n>', 'values of t', int('--points'), 101)
    .option('--from <t>', 'first t (may be negative)', num('--from'), 0)
    .option('--to <t>', 'last t (may exceed 1)', num('--to'), 1)
    .option('--out <file>', 'CSV with columns t,train_loss,train_acc,test_loss,test_acc (default: stdout)')
    .addHelpText('after', '\nExample:\n  circuit-workbench analyze interpolate runs/scratch-s0 runs/curriculum-s0 --points 101 --out interpolation.csv')
    .action(async (specA: string, specB: string, o: { points: number; from: number; to: number; out?: string; data?: string; p?: number }) => {
      try {
        const a = await openNoting(specA, openOpts(o));
        const b = await openNoting(specB, openOpts(o));
        const progress = makeFractionBar('interpolating');
        const rows = await interpolate(a, b, { points: o.points, from: o.from, to: o.to, onProgress: (f) => progress.update(f) });
        progress.stop();
        write(o.out, toCsv(['t', 'train_loss', 'train_acc', 'test_loss', 'test_acc'], rows.map((r) => [String(r.t), r.train_loss, r.train_acc, r.test_loss, r.test_acc])));
        if (o.out) {
          const peak = rows.reduce((m, r) => (r.train_loss > m.train_loss ? r : m), rows[0]);
          process.stdout.write(`${rows.length} points → ${o.out}; peak train loss ${peak.train_loss.toFixed(3)} at t = ${peak.t}\n`);
        }
      } catch (err) {
        fail(err);
      }
    });

  analyze
    .command('project')
    .description('PCA, t-SNE or UMAP of the parameter trajectories of one or several runs (Fig. 7)')
    .argument('<runs...>', 'run folders (or folders of checkpoints) with the same parameter layout')
    .option('--method <m>', 'pca (default), tsne or umap', 'pca')
    .option('--every <K>', 'keep snapshots at multiples of K steps (plus start, switches and end)', int('--every'), 1)
    .option('--seed <S>', 'seed for UMAP', int('--seed'), 0)
    .option('--out <file>', 'CSV (default) or .json')
    .addHelpText('after', '\nColumns: run,label,step,x,y,marker (start, switch or end).\nExample:\n  circuit-workbench analyze project runs/scratch-s0 runs/curriculum-s0 --method tsne --every 10 --out tsne.csv')
    .action(async (specs: string[], o: { method: string; every: number; seed: number; out?: string }) => {
      try {
        if (!['pca', 'tsne', 'umap'].includes(o.method)) throw new InvalidArgumentError(`--method must be pca, tsne or umap, got '${o.method}'`);
        const sources = [];
        for (const s of specs) sources.push(await openSource(s));
        const controller = new AbortController();
        process.on('SIGINT', () => controller.abort());
        const progress = makeFractionBar(o.method);
        const r = await projectTrajectories(sources, { method: o.method as ProjectionMethod, every: o.every, seed: o.seed, signal: controller.signal, onProgress: (stage, f) => progress.update(f, stage) });
        progress.stop();
        const marker = new Map<string, string>();
        r.runs.forEach((run, i) => run.markers.forEach((m) => marker.set(`${i}:${m.step}`, m.kind)));
        if (o.out?.endsWith('.json')) {
          write(o.out, JSON.stringify(r) + '\n');
        } else {
          write(o.out, toCsv(['run', 'label', 'step', 'x', 'y', 'marker'], r.points.map((p) => [p.run, r.runs[p.run].label, p.step, p.x, p.y, marker.get(`${p.run}:${p.step}`) ?? ''])));
        }
        if (o.out) {
          const ev = r.explainedVariance ? `; explained variance ${r.explainedVariance.slice(0, 2).map((x) => (100 * x).toFixed(1) + '%').join(', ')}` : '';
          process.stdout.write(`${r.points.length} snapshots of ${r.runs.length} run(s) → ${o.out}${ev}\n`);
        }
      } catch (err) {
        fail(err);
      }
    });
}
