/**
 * Starts the one-node test cluster and keeps it up until Ctrl-C, for trying sweeps by hand:
 *   node --import tsx tests/slurm/start-cluster.ts
 * then, in another shell, export the printed SLURM_CONF and run `circuit-workbench sweep --scheduler slurm …`.
 */
import { startSlurmCluster } from './slurm-cluster.js';

const cluster = await startSlurmCluster();
process.stdout.write(`a one-node SLURM cluster is up; use it with:\n  export SLURM_CONF=${cluster.env['SLURM_CONF']}\n(Ctrl-C stops it)\n`);
const stop = () => void cluster.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
