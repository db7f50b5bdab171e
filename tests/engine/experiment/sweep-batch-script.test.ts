/** The SLURM batch script: options passed through as #SBATCH lines, one run per array task. */
import { describe, expect, it } from 'vitest';
import { batchScript } from '../../../src-main/engine/experiment/slurmScheduler.js';

describe('the sweep batch script', () => {
  it('passes --partition --time --cpus-per-task --mem --account and --sbatch-arg through, and runs the task of $SLURM_ARRAY_TASK_ID', () => {
    const script = batchScript('/shared/sweeps/fig5', { partition: 'cpu', time: '00:30:00', cpusPerTask: 1, mem: '1G', account: "lab's", extra: ['--qos=short'] });
    const lines = script.split('\n');
    expect(lines[0]).toBe('#!/bin/bash');
    expect(lines.filter((l) => l.startsWith('#SBATCH'))).toEqual([
      "#SBATCH --job-name='cw-sweep-fig5'",
      "#SBATCH --output='/shared/sweeps/fig5/slurm/%A_%a.out'",
      "#SBATCH --partition='cpu'",
      "#SBATCH --time='00:30:00'",
      '#SBATCH --cpus-per-task=1',
      "#SBATCH --mem='1G'",
      "#SBATCH --account='lab'\\''s'",
      '#SBATCH --qos=short',
    ]);
    expect(lines.at(-2)).toMatch(/^exec "\$\{CIRCUIT_WORKBENCH_NODE:-\/.+\}" '\/.+\/bin\/circuit-workbench\.js' sweep task '\/shared\/sweeps\/fig5' --index "\$SLURM_ARRAY_TASK_ID"$/);
  });
});
