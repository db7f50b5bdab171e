/** `sweep …`: many runs over presets × seeds × a grid, locally or as a SLURM job array. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import { collect, int } from './args.js';
import { parseSeeds } from '../engine/experiment/experiment.js';
import { parseGridArg, type SlurmOptions, type SweepSpec } from '../engine/experiment/sweepSpec.js';
import { cancelSweep, openSweep, runSweepOnThisMachine, runSweepTask, submitSweep, sweepSummary } from '../engine/experiment/sweep.js';
import { nodeRunLauncher } from '../jobs/launchers.js';
import { RUN_STATES, type SweepSummary } from '../engine/experiment/sweepState.js';
import { makeMultiBar } from './progress.js';

const fmt = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));

/** The summary as a table: per cell, each schedule's rate with its interval, then the p-value. */
export function formatSweep(dir: string, s: SweepSummary): string {
  const out = [`sweep ${dir}: ${RUN_STATES.filter((k) => s.states[k] > 0).map((k) => `${s.states[k]} ${k}`).join(', ')}${s.queueRead ? '' : ' (the SLURM queue could not be read; states come from the run folders)'}`];
  for (const c of s.cells) {
    out.push('', s.grid.length ? `cell ${c.label}` : 'all runs');
    out.push('  schedule           done  succeeded  rate   95% CI          median step ≥0.99  median train  median test  median held-out');
    for (const x of c.schedules) {
      out.push(
        `  ${x.schedule.padEnd(17)}${`${x.total}/${x.planned}`.padStart(6)}${String(x.succeeded).padStart(11)}  ${fmt(x.rate, 2).padEnd(6)} [${fmt(x.ci95[0], 2)}, ${fmt(x.ci95[1], 2)}]${' '.repeat(4)}${String(x.medianFirstStep ?? '—').padStart(17)}${fmt(x.medianFinalTrainAcc).padStart(14)}${fmt(x.medianFinalTestAcc).padStart(13)}${fmt(x.medianFinalHeldoutAcc).padStart(17)}`,
      );
    }
    if (c.pValue !== null) out.push(`  two-sided Fisher exact p (${c.schedules[0].schedule} vs ${c.schedules[1].schedule}): ${c.pValue.toPrecision(3)}`);
  }
  const bad = s.runs.filter((r) => r.state === 'failed' || r.state === 'interrupted');
  for (const r of bad) out.push('', `${r.state}: ${r.dir}${r.message ? `\n    ${r.message.split('\n').join('\n    ')}` : ''}`);
  out.push('', `summary written to ${join(dir, 'summary.csv')} and summary.json`, '');
  return out.join('\n');
}

const schedulerArg = (v: string): 'local' | 'slurm' => {
  if (v !== 'local' && v !== 'slurm') throw new InvalidArgumentError('choose local or slurm.');
  return v;
};

interface StartFlags {
  preset: string[];
  seeds: string;
  grid: string[];
  set: string[];
  maxSteps?: number;
  out?: string;
  scheduler: 'local' | 'slurm';
  jobs?: number;
  wait?: boolean;
  maxParallel?: number;
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  account?: string;
  sbatchArg: string[];
  json?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerSweep(program: Command, fail: (err: unknown) => never): void {
  const sweep = program.command('sweep').description("run presets × seeds × a grid of settings, locally or on SLURM, and report success rates with 95 % intervals (its options: 'sweep start --help')");

  sweep
    .command('start', { isDefault: true })
    .description('start or resume a sweep (the default: `circuit-workbench sweep --preset …`)')
    .option('--preset <name>', 'a schedule to run (repeatable)', collect, [] as string[])
    .option('--seeds <list>', 'seeds, as a range or a list: 0-99, 0,2,5', '0-4')
    .option('--grid <[preset:]path=v1,v2>', 'a setting to vary, e.g. lr=1e-3,3e-3, or fig5-curriculum:phases.0.steps=1000,3000 for one schedule only (the others then run once per seed, shared by all cells); repeatable: cells are all combinations', collect, [] as string[])
    .option('--set <path=value>', 'a setting for every run, e.g. task.nTrain=512 (repeatable)', collect, [] as string[])
    .option('--max-steps <n>', 'stop every run after N steps (such runs count as finished only for sweeps with the same --max-steps)', int('--max-steps'))
    .option('--out <dir>', 'the sweep folder (default runs/sweep-<time>); with --scheduler slurm it must be on a filesystem every node shares')
    .addOption(new Option('--scheduler <kind>', 'local (this machine) or slurm (a job array via sbatch)').argParser(schedulerArg).default('local'))
    .option('--jobs <n>', 'local: runs at once (default: the number of cores)', int('--jobs'))
    .option('--wait', 'slurm: wait for the array to finish and print the summary')
    .option('--max-parallel <n>', 'slurm: at most N array tasks at once (--array=…%N)', int('--max-parallel'))
    .option('--partition <name>', 'slurm: partition')
    .option('--time <limit>', 'slurm: time limit per run, e.g. 00:30:00')
    .option('--cpus-per-task <n>', 'slurm: cores per run', int('--cpus-per-task'))
    .option('--mem <size>', 'slurm: memory per run, e.g. 2G')
    .option('--account <name>', 'slurm: account to charge')
    .option('--sbatch-arg <opt>', 'slurm: any other sbatch option, e.g. --qos=short (repeatable)', collect, [] as string[])
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
The sweep folder holds sweep.json (the spec, the runs in order, the SLURM job ids), one run folder per
cell, schedule and seed, and summary.csv / summary.json. Calling the same sweep again resumes it.
With --scheduler slurm, each array task runs this project's CLI on its node: the sweep folder and this
project must be on a filesystem every node shares (your home or a project folder, not /tmp).

Examples:
  circuit-workbench sweep --preset fig5-scratch --preset fig5-curriculum --seeds 0-9 --jobs 2 --out runs/fig5
  circuit-workbench sweep --preset fig5-scratch --preset fig5-curriculum --seeds 0-99 \\
      --grid fig5-curriculum:phases.0.steps=1000,3000,5000 \\
      --scheduler slurm --partition cpu --time 00:30:00 --max-parallel 50 --out ~/sweeps/switch
  circuit-workbench sweep status ~/sweeps/switch
  circuit-workbench sweep cancel ~/sweeps/switch`,
    )
    .action(async (o: StartFlags) => {
      try {
        const spec: SweepSpec = {
          schedules: o.preset.map((p) => ({ name: p, preset: p })),
          seeds: parseSeeds(o.seeds),
          grid: o.grid.map(parseGridArg),
          set: o.set,
          maxSteps: o.maxSteps ?? null,
        };
        const dir = o.out ?? join('runs', `sweep-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
        await startSweep(dir, spec, o);
      } catch (err) {
        fail(err);
      }
    });

  sweep
    .command('status')
    .description("print a sweep's progress per cell (queued, running, done, failed) and its summary")
    .argument('<dir>', 'the sweep folder')
    .option('--json', 'print the summary as JSON')
    .action((dir: string, o: { json?: boolean }) => {
      try {
        const s = sweepSummary(dir);
        process.stdout.write(o.json ? JSON.stringify(s) + '\n' : formatSweep(dir, s));
      } catch (err) {
        fail(err);
      }
    });

  sweep
    .command('cancel')
    .description("cancel a SLURM sweep's job arrays (scancel); finished runs stay, and running ones stop resumably")
    .argument('<dir>', 'the sweep folder')
    .action((dir: string) => {
      try {
        const ids = cancelSweep(dir);
        process.stdout.write(`cancelled SLURM job${ids.length > 1 ? 's' : ''} ${ids.join(', ')}\n`);
      } catch (err) {
        fail(err);
      }
    });

  sweep
    .command('task', { hidden: true })
    .description('train one run of a sweep (what each SLURM array task runs)')
    .argument('<dir>', 'the sweep folder')
    .requiredOption('--index <i>', 'the run index in sweep.json ($SLURM_ARRAY_TASK_ID)', int('--index'))
    .action(async (dir: string, o: { index: number }) => {
      try {
        const controller = new AbortController();
        // scancel and the time limit send SIGTERM: stop after this step, resumably.
        process.on('SIGTERM', () => controller.abort());
        process.on('SIGINT', () => controller.abort());
        const status = await runSweepTask(dir, o.index, controller.signal);
        process.stdout.write(`run ${o.index}: ${status}\n`);
        process.exit(status === 'complete' || status === 'stopped' || status === 'done' ? 0 : 1);
      } catch (err) {
        fail(err);
      }
    });
}

/** Runs (or resumes) a sweep on this machine, prints its summary and exits. */
export async function runLocalSweep(dir: string, spec: SweepSpec, o: { jobs?: number; json?: boolean }): Promise<never> {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  const bars = o.json ? null : makeMultiBar();
  const { summary: s, failures } = await runSweepOnThisMachine(dir, spec, {
    launch: nodeRunLauncher,
    jobs: o.jobs,
    signal: controller.signal,
    onProgress: (p) => bars?.update({ run: p.run.dir, step: p.step, totalSteps: p.totalSteps, testAcc: p.testAcc, done: p.done }),
  });
  bars?.stop();
  process.stdout.write(o.json ? JSON.stringify(s) + '\n' : formatSweep(dir, s));
  process.exit(failures.length > 0 ? 1 : controller.signal.aborted ? 130 : 0);
}

async function startSweep(dir: string, spec: SweepSpec, o: StartFlags): Promise<void> {
  if (o.scheduler === 'local') await runLocalSweep(dir, spec, o);
  const slurm: SlurmOptions = { partition: o.partition, time: o.time, cpusPerTask: o.cpusPerTask, mem: o.mem, account: o.account, maxParallel: o.maxParallel, extra: o.sbatchArg };
  const sweep = openSweep(dir, spec, 'slurm', slurm);
  const submitted = submitSweep(dir, sweep, slurm);
  process.stderr.write(submitted ? `submitted ${submitted.runs} run${submitted.runs > 1 ? 's' : ''} as SLURM job array ${submitted.jobId} (${join(dir, 'sweep.sbatch')})\n` : 'every run is finished or already queued; nothing to submit\n');
  if (!o.wait) {
    if (!o.json) process.stdout.write(`follow it with: circuit-workbench sweep status ${dir}\n`);
    else process.stdout.write(JSON.stringify({ dir, jobId: submitted?.jobId ?? null, runs: submitted?.runs ?? 0 }) + '\n');
    return;
  }
  let last = '';
  for (;;) {
    const s = sweepSummary(dir);
    const line = RUN_STATES.filter((k) => s.states[k] > 0).map((k) => `${s.states[k]} ${k}`).join(', ');
    if (line !== last && !o.json) process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
    last = line;
    if (s.queueRead && s.states.queued === 0 && s.states.running === 0) {
      process.stdout.write(o.json ? JSON.stringify(s) + '\n' : formatSweep(dir, s));
      process.exit(s.states.failed + s.states.interrupted + s.states.pending > 0 ? 1 : 0);
    }
    await sleep(5_000);
  }
}


