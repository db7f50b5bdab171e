/**
 * Inputs that used to make `train` spin where no signal could stop it: a step count beyond any
 * run, and a folder that cannot be created (Node's recursive mkdir retries /proc/x forever). The
 * real CLI must answer with one sentence, and any CLI still busy must obey Ctrl-C (SIGINT) within
 * seconds.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tempDir } from '../helpers.js';

const root = tempDir('cw-cancel-');
const tiny = ['--T', '6', '--k', '3', '--d', '8', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '16'];

/**
 * Runs the CLI; if it has not ended after `patienceMs` (startup takes seconds on a loaded
 * machine), sends SIGINT, and gives it `graceMs` more before killing it.
 */
function runWithInterrupt(args: string[], patienceMs = 90_000, graceMs = 5_000): Promise<{ code: number | null; signal: string | null; stderr: string; interrupted: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const patience = setTimeout(() => {
      interrupted = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
    }, patienceMs);
    child.on('close', (code, signal) => {
      clearTimeout(patience);
      resolve({ code, signal, stderr, interrupted });
    });
  });
}

function expectOneSentence(r: Awaited<ReturnType<typeof runWithInterrupt>>, pattern: RegExp) {
  expect(r.signal, r.signal === 'SIGKILL' ? 'the CLI ignored SIGINT and had to be killed' : 'the CLI was still starting after 90 s').toBeNull();
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('the CLI never spins past Ctrl-C', () => {
  it('refuses a step count beyond the maximum before any work', async () => {
    const r = await runWithInterrupt(['train', '--preset', 'fig5-scratch', ...tiny, '--steps', '100000000000000000000', '--out', join(root, 'huge')]);
    expectOneSentence(r, /the schedule has 100,000,000,000,000,000,000 steps in total; a run may take at most 10,000,000; lower the steps/);
    expect(r.interrupted).toBe(false);
  }, 120_000);

  it('refuses the same through --set and through a resumed run.json', async () => {
    const viaSet = await runWithInterrupt(['train', '--preset', 'fig5-curriculum', ...tiny, '--set', 'phases.1.steps=1e20', '--out', join(root, 'huge2')]);
    expectOneSentence(viaSet, /a run may take at most 10,000,000/);
    const run = join(root, 'small');
    const made = await runWithInterrupt(['train', '--preset', 'fig5-scratch', ...tiny, '--steps', '20', '--max-steps', '10', '--out', run]);
    expect(made.code).toBe(0);
    const file = join(run, 'run.json');
    const { readFileSync } = await import('node:fs');
    const m = JSON.parse(readFileSync(file, 'utf8')) as { config: { phases: { steps: number }[] } };
    m.config.phases[0].steps = 1e20;
    writeFileSync(file, JSON.stringify(m));
    expectOneSentence(await runWithInterrupt(['train', '--resume', run]), /run\.json holds a configuration that cannot run: .*at most 10,000,000/);
  }, 240_000);

  for (const command of [['train', '--preset', 'fig5-scratch', ...tiny], ['experiment', 'fig5', '--seeds', '0', '--max-steps', '2']]) {
    it(`${command[0]} --out /proc/x answers with one sentence`, async () => {
      const r = await runWithInterrupt([...command, '--out', '/proc/cw-test/x']);
      expectOneSentence(r, /cannot create .*\/proc\/cw-test\/x/);
    }, 120_000);
  }
});
