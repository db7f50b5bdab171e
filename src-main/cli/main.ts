/**
 * The command line: one door onto the engine. Every command calls engine functions; none
 * computes science of its own. Errors print one sentence and exit non-zero.
 */
import { fileSystemSentence } from '../engine/io/atomic.js';
import { packageRoot } from '../engine/io/packageRoot.js';
import { Command, InvalidArgumentError } from 'commander';
import { collect, int, num } from './args.js';
import { join } from 'node:path';
import { ApiError } from '../api/contract.js';
import { ConfigError, PRESETS, applyOverride, presetConfig, totalSteps, validateConfig, type TrainConfig } from '../engine/train/config.js';
import { TrainError, train, type TrainProgress } from '../engine/train/trainer.js';
import { EXPERIMENTS, parseSeeds } from '../engine/experiment/experiment.js';
import { refuseWriteIntoRun, RunFormatError } from '../engine/runs/runFolder.js';
import { generateTaskData, modulusFolder, writeTaskData } from '../engine/runs/datasets.js';
import { RunWriteError } from '../engine/runs/runWriter.js';
import { RunLockedError } from '../engine/runs/writerLock.js';
import { FolderError } from '../engine/io/directories.js';
import { NpyError } from '../engine/io/npy.js';
import { BACKENDS, type BackendName } from '../engine/backend.js';
import { makeProgressBar } from './progress.js';
import { registerAnalysis } from './analyze.js';
import { registerSweep, runLocalSweep } from './sweep.js';
import { SweepError } from '../engine/experiment/sweepSpec.js';
import { SourceError } from '../engine/analysis/source.js';
import { OnnxFormatError } from '../engine/onnx/load.js';
import { InvalidArgumentError as CommanderArgumentError } from 'commander';

const KNOWN_ERRORS = [ConfigError, TrainError, RunWriteError, FolderError, RunFormatError, NpyError, RangeError, SourceError, OnnxFormatError, CommanderArgumentError, ApiError, SweepError, RunLockedError];

function fail(err: unknown): never {
  const fsSentence = fileSystemSentence(err);
  const known = fsSentence !== null || KNOWN_ERRORS.some((E) => err instanceof E);
  const message = fsSentence ?? (err instanceof Error ? err.message : String(err));
  process.stderr.write(`error: ${message}${known ? '' : ' (an unexpected error; please report it)'}\n`);
  if (!known && process.env['CW_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}

// A reader that stops early (`… | head`) closes the pipe: end quietly with success, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? process.exit(0) : fail(err)));

const backendArg = (v: string): BackendName | 'auto' => {
  if (v !== 'auto' && !BACKENDS.includes(v as BackendName)) throw new InvalidArgumentError(`choose one of auto, ${BACKENDS.join(', ')}.`);
  return v as BackendName | 'auto';
};

interface ConfigFlags {
  preset: string;
  seed?: number;
  T?: number;
  k?: number;
  V?: number;
  d?: number;
  h?: number;
  p?: number;
  lr?: number;
  steps?: number;
  batchSize?: number;
  nTrain?: number;
  nTest?: number;
  nHeldout?: number;
  untied?: boolean;
  noMlpBias?: boolean;
  residualNormed?: boolean;
  set: string[];
}

/** A preset with the command line's overrides applied, validated. */
export function configFromFlags(f: ConfigFlags): TrainConfig {
  const c = presetConfig(f.preset);
  if (f.seed !== undefined) c.seed = f.seed;
  if (f.T !== undefined) c.task.T = c.model.T = f.T;
  if (f.k !== undefined) c.task.k = f.k;
  if (f.V !== undefined) c.model.V = f.V;
  if (f.d !== undefined) c.model.d = f.d;
  if (f.h !== undefined) c.model.h = f.h;
  if (f.nTrain !== undefined) c.task.nTrain = f.nTrain;
  if (f.nTest !== undefined) c.task.nTest = f.nTest;
  if (f.nHeldout !== undefined) c.task.nHeldout = f.nHeldout;
  if (f.untied) c.model.tiedUnembedding = false;
  if (f.noMlpBias) c.model.mlpBias = false;
  if (f.residualNormed) c.model.residual = 'normed';
  for (const ph of c.phases) {
    if (f.lr !== undefined) ph.lr = f.lr;
    if (f.batchSize !== undefined) ph.batchSize = f.batchSize;
  }
  if (f.p !== undefined) {
    if (c.phases.length !== 1) throw new ConfigError(`--p sets the modulus of a one-phase schedule; '${f.preset}' has ${c.phases.length} phases, use --set phases.N.p=P`);
    c.phases[0].p = f.p;
    c.phases[0].name = `p${f.p}`;
  }
  if (f.steps !== undefined) {
    if (c.phases.length !== 1) throw new ConfigError(`--steps sets the length of a one-phase schedule; '${f.preset}' has ${c.phases.length} phases, use --set phases.N.steps=S or --max-steps`);
    c.phases[0].steps = f.steps;
  }
  for (const s of f.set) applyOverride(c, s);
  validateConfig(c);
  return c;
}

function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('--seed <S>', 'seed S: data seed 1+S, model seed 20+S', int('--seed'))
    .option('--T <n>', 'sequence length', int('--T'))
    .option('--k <n>', 'number of leading tokens summed', int('--k'))
    .option('--V <n>', 'vocabulary size (rows of the token embedding)', int('--V'))
    .option('--d <n>', 'embedding width', int('--d'))
    .option('--h <n>', 'MLP hidden width', int('--h'))
    .option('--p <n>', 'modulus (one-phase presets)', int('--p'))
    .option('--lr <x>', 'learning rate of every phase', num('--lr'))
    .option('--steps <n>', 'steps (one-phase presets)', int('--steps'))
    .option('--batch-size <n>', 'minibatch size of every phase (default: full batch)', int('--batch-size'))
    .option('--n-train <n>', 'training sequences', int('--n-train'))
    .option('--n-test <n>', 'test sequences (the paper uses 128)', int('--n-test'))
    .option('--n-heldout <n>', 'held-out sequences disjoint from the training set', int('--n-heldout'))
    .option('--untied', 'a separate unembedding matrix (the paper text) instead of the tied one (the code)')
    .option('--no-mlp-bias', 'no biases in the MLP')
    .option('--residual-normed', "the MLP's residual adds RMS(z_A) instead of z_A")
    .option('--set <path=value>', 'any other setting, e.g. phases.0.steps=500 (repeatable)', collect, [] as string[]);
}

function formatProgressLine(p: TrainProgress): string {
  return JSON.stringify({ type: 'progress', ...p });
}

const program = new Command();
program
  .name('circuit-workbench')
  .description('Train and analyse the models of "Easing Optimization Paths: a Circuit Perspective".')
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ outputError: (str, write) => write(`error: ${str.replace(/^error: /, '')}`) });

addConfigOptions(
  program
    .command('train')
    .description('train a run and write its run folder')
    .option('--preset <name>', `one of ${Object.keys(PRESETS).join(', ')}`)
    .option('--out <dir>', 'the run folder to create (default runs/<preset>-s<seed>-<time>)')
    .option('--resume <dir>', 'continue an interrupted run')
    .option('--max-steps <n>', 'stop after N steps in total (across phases)', int('--max-steps'))
    .option('--backend <name>', `auto (default), ${BACKENDS.join(', ')}`, backendArg, 'auto')
    .option('--data <dir>', 'train on .npy datasets from this folder (p<P>/ subfolders, or the files for a one-modulus schedule)')
    .option('--checkpoint-every <n>', 'also write an ONNX checkpoint every N steps (always: phase ends and the end)', int('--checkpoint-every'))
    .option('--json', 'print progress and the result as JSON lines'),
)
  .addHelpText('after', '\nExamples:\n  circuit-workbench train --preset fig5-curriculum --seed 0 --out runs/curriculum-s0\n  circuit-workbench train --preset fig5-scratch --d 16 --set phases.0.steps=2000\n  circuit-workbench train --resume runs/curriculum-s0')
  .action(async (o: ConfigFlags & { out?: string; resume?: string; maxSteps?: number; backend: BackendName | 'auto'; data?: string; json?: boolean; mlpBias?: boolean; checkpointEvery?: number }) => {
    try {
      if (!o.resume && !o.preset) throw new ConfigError(`train needs --preset NAME (one of ${Object.keys(PRESETS).join(', ')}) or --resume RUN_DIR`);
      const config = o.resume ? undefined : configFromFlags({ ...o, noMlpBias: o.mlpBias === false });
      if (config && o.checkpointEvery !== undefined) {
        config.snapshots.checkpointEvery = o.checkpointEvery;
        validateConfig(config);
      }
      const runDir = o.resume ?? o.out ?? join('runs', `${config!.preset}-s${config!.seed}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
      const controller = new AbortController();
      let interrupts = 0;
      process.on('SIGINT', () => {
        interrupts += 1;
        if (interrupts > 1) process.exit(130);
        if (!o.json) process.stderr.write('\nstopping after this step (Ctrl-C again to quit at once)…\n');
        controller.abort();
      });
      process.on('SIGTERM', () => controller.abort());
      const bar = o.json ? null : makeProgressBar(config ? totalSteps(config) : 0);
      const result = await train({
        runDir,
        config,
        resume: Boolean(o.resume),
        maxSteps: o.maxSteps,
        backend: o.backend,
        dataDir: o.data ?? null,
        signal: controller.signal,
        onProgress: (p) => (o.json ? process.stdout.write(formatProgressLine(p) + '\n') : bar?.update(p)),
        onNotice: (sentence) => process.stderr.write(`note: ${sentence}\n`),
      });
      bar?.stop();
      if (o.json) {
        process.stdout.write(JSON.stringify({ type: 'result', ...result }) + '\n');
      } else {
        const l = result.last;
        process.stdout.write(
          `${result.status}: ${result.stepsDone} steps in ${result.seconds.toFixed(1)} s → ${result.runDir}\n` +
            (l ? `last step: train loss ${l.train_loss.toFixed(4)} acc ${l.train_acc.toFixed(3)} | test loss ${l.test_loss.toFixed(4)} acc ${l.test_acc.toFixed(3)}\n` : ''),
        );
      }
      if (!['complete', 'stopped', 'cancelled'].includes(result.status) && result.message) process.stderr.write(`error: ${result.message}\n`);
      process.exit(result.status === 'complete' || result.status === 'stopped' ? 0 : result.status === 'cancelled' ? 130 : 1);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('experiment')
  .description('a named sweep: every schedule of an experiment over several seeds, with success rates, 95 % intervals and the Fisher exact p-value')
  .argument('<name>', `one of ${Object.keys(EXPERIMENTS).join(', ')}`)
  .option('--seeds <list>', 'seeds, as a range or a list: 0-4, 0,2,5', '0-4')
  .option('--jobs <n>', 'runs at once (default: the number of cores)', int('--jobs'))
  .option('--out <dir>', 'the sweep folder for the runs and summary (default runs/experiment-<name>)')
  .option('--max-steps <n>', 'stop every run after N steps (for a quick look; such runs count only for calls with the same --max-steps)', int('--max-steps'))
  .option('--json', 'print the summary as JSON')
  .addHelpText('after', "\nExample:\n  circuit-workbench experiment fig5 --seeds 0-4 --jobs 2\n(the same as 'circuit-workbench sweep' with the experiment's presets; 'sweep status DIR' works on its folder)")
  .action(async (name: string, o: { seeds: string; jobs?: number; out?: string; maxSteps?: number; json?: boolean }) => {
    try {
      const seeds = parseSeeds(o.seeds);
      const exp = Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
      if (!exp) throw new ConfigError(`unknown experiment '${name}'; choose one of ${Object.keys(EXPERIMENTS).join(', ')}`);
      const outDir = o.out ?? join('runs', `experiment-${name}`);
      await runLocalSweep(outDir, { schedules: exp.schedules, seeds, grid: [], set: [], maxSteps: o.maxSteps ?? null }, o);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('presets')
  .description('list the presets and their configurations')
  .option('--json', 'print the full configurations as JSON')
  .action((o: { json?: boolean }) => {
    if (o.json) {
      process.stdout.write(JSON.stringify(Object.fromEntries(Object.keys(PRESETS).map((k) => [k, presetConfig(k)])), null, 1) + '\n');
    } else {
      for (const [k, v] of Object.entries(PRESETS)) process.stdout.write(`${k.padEnd(17)}${v.description}\n`);
    }
  });

addConfigOptions(
  program
    .command('data')
    .description("write a preset's datasets as .npy (tokens int32 [n, T], targets int32 [n]), one folder per modulus")
    .requiredOption('--preset <name>', `one of ${Object.keys(PRESETS).join(', ')}`)
    .requiredOption('--out <dir>', 'folder to write p<P>/{train,test,heldout}_{tokens,targets}.npy into'),
)
  .action((o: ConfigFlags & { out: string; mlpBias?: boolean }) => {
    try {
      const c = configFromFlags({ ...o, noMlpBias: o.mlpBias === false });
      refuseWriteIntoRun(modulusFolder(o.out, 2));
      for (const [p, d] of generateTaskData(c)) {
        const folder = modulusFolder(o.out, p);
        writeTaskData(folder, d);
        process.stdout.write(`p = ${p}: ${d.train.n} train, ${d.test.n} test (${d.testOverlap} also in train), ${d.heldout.n} held-out → ${folder}\n`);
      }
    } catch (err) {
      fail(err);
    }
  });

registerAnalysis(program, fail);
registerSweep(program, fail);

program
  .command('serve')
  .description('serve the workbench UI and API over HTTP (for a remote or headless machine), with a token')
  .argument('[workspaces...]', 'folders whose runs and checkpoints may be opened (new runs are written into the first); none: the bundled demo runs only')
  .option('--port <P>', 'port (default: a free one)', int('--port'), 0)
  .option('--host <H>', 'address to listen on (default 127.0.0.1, this machine only)', '127.0.0.1')
  .option('--token <T>', 'the access token, at least 16 characters (default: a random one)')
  .option('--max-jobs <n>', 'job workers that may run at once; more wait in a queue (default: the cores)', int('--max-jobs'))
  .option('--allow-host <name...>', 'more Host names to answer to (a reverse proxy in front of the server)')
  .option('--no-demo', 'do not open the bundled demo runs')
  .addHelpText('after', '\nExample:\n  circuit-workbench serve            (the bundled demo runs)\n  circuit-workbench serve runs/ --port 8765\n  then open the printed http://127.0.0.1:8765/?token=… in a browser (ssh -L 8765:127.0.0.1:8765 for a remote box)')
  .action(async (workspaces: string[], o: { port: number; host: string; token?: string; maxJobs?: number; allowHost?: string[]; demo: boolean }) => {
    try {
      if (workspaces.length === 0 && !o.demo) throw new InvalidArgumentError('nothing to serve: give a folder of runs (circuit-workbench serve runs/), or leave out --no-demo to serve the bundled demo runs');
      const { serve } = await import('../serve/server.js');
      const rendererDir = process.env['CIRCUIT_WORKBENCH_RENDERER'] ?? join(packageRoot(import.meta.url), 'out', 'renderer');
      const demoDir = o.demo ? join(packageRoot(import.meta.url), 'resources', 'demo') : null;
      const running = await serve({ workspaces, host: o.host, port: o.port, token: o.token ?? process.env['CIRCUIT_WORKBENCH_TOKEN'], rendererDir, demoDir, maxJobs: o.maxJobs, allowedHosts: o.allowHost });
      process.stdout.write(`Circuit Workbench is serving ${workspaces.length ? workspaces.join(', ') : 'the bundled demo runs'}\nopen ${running.url}\n`);
      const stop = () => void running.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    } catch (err) {
      fail(err);
    }
  });

await program.parseAsync(process.argv);
