/**
 * A real one-node SLURM cluster for tests: munged, slurmctld and slurmd from Debian's slurm-wlm
 * and munge, with every file (config, state, spool, sockets, logs) in a temporary folder and free
 * ports, so it neither needs nor touches a system-wide SLURM. Stopped by the pids it started.
 * Needs root (SlurmUser=root) and /etc/munge/munge.key, as the packages install it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

export interface SlurmCluster {
  dir: string;
  /** environment for sbatch/squeue/scancel (and the CLI that calls them): SLURM_CONF */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const BINARIES: [string, string][] = [
  ['/usr/sbin/munged', 'munge'],
  ['/usr/sbin/slurmctld', 'slurmctld'],
  ['/usr/sbin/slurmd', 'slurmd'],
  ['/usr/bin/sbatch', 'slurm-client'],
  ['/usr/bin/squeue', 'slurm-client'],
  ['/usr/bin/scancel', 'slurm-client'],
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSlurmCluster(): Promise<SlurmCluster> {
  const missing = BINARIES.filter(([bin]) => !existsSync(bin));
  if (missing.length > 0) {
    throw new Error(`the SLURM tests need a real one-node cluster, but ${missing.map(([b]) => b).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing; install them with: apt-get install slurm-wlm munge`);
  }
  if (process.getuid?.() !== 0) throw new Error('the SLURM test cluster runs its daemons as root (SlurmUser=root); run the tests as root, as CI does');
  if (!existsSync('/etc/munge/munge.key')) throw new Error('/etc/munge/munge.key is missing; reinstall the munge package (apt-get install --reinstall munge) to create it');

  const dir = mkdtempSync(join(tmpdir(), 'cw-slurm-'));
  for (const sub of ['state', 'spool', 'log']) mkdirSync(join(dir, sub));
  const node = hostname();
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const socket = join(dir, 'munge.socket');
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=cwtest',
      `SlurmctldHost=${node}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'MpiDefault=none',
      'MailProg=/bin/true',
      // finished tasks leave squeue at once: the run folders and logs are what tells their outcome
      'MinJobAge=2',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      `NodeName=${node} CPUs=${availableParallelism()} RealMemory=${Math.floor(totalmem() / 2 ** 20 / 2)} State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const start = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, { env, stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const stop = async () => {
    // slurmd first, so that no task outlives its controller; every process by its own pid
    for (const child of [...children].reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const exited = await Promise.race([new Promise((r) => child.once('exit', r)).then(() => true), sleep(10_000).then(() => false)]);
        if (!exited) child.kill('SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    start('/usr/sbin/munged', ['--force', '--foreground', `--socket=${socket}`, `--pid-file=${join(dir, 'munged.pid')}`, `--log-file=${join(dir, 'log', 'munged.log')}`, `--seed-file=${join(dir, 'munged.seed')}`]);
    for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(100);
    if (!existsSync(socket)) throw new Error(`munged did not start: ${tail(join(dir, 'log', 'munged.log'))}`);
    start('/usr/sbin/slurmctld', ['-D', '-f', conf]);
    start('/usr/sbin/slurmd', ['-D', '-f', conf, '-N', node]);
    // ready when the node is idle in sinfo
    for (let i = 0; i < 60; i++) {
      const r = spawnSync('/usr/bin/sinfo', ['-h', '-N', '-o', '%t'], { env, encoding: 'utf8' });
      if (r.status === 0 && /^idle/m.test(r.stdout)) return { dir, env, stop };
      await sleep(500);
    }
    throw new Error(`the test cluster did not become ready in 30 s; slurmctld: ${tail(join(dir, 'log', 'slurmctld.log'))} slurmd: ${tail(join(dir, 'log', 'slurmd.log'))}`);
  } catch (err) {
    await stop();
    throw err;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}
