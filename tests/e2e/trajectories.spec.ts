/**
 * The Trajectories view projects the ticked runs that share the first one's parameters and names
 * the others (issue 9: ticking the d = 2 fig4 run with the d = 32 runs showed only an error). Its
 * own server and runs: two runs of one width and a narrower one.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { cliOrThrow, startServe } from '../processes.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SMALL = ['--T', '6', '--k', '3', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '0', '--lr', '0.02', '--set', 'snapshots.denseUntil=0', '--set', 'snapshots.every=10'];
let workspace = '';
let server: ChildProcess | null = null;
let url = '';

const parameterCount = (run: string) => (JSON.parse(readFileSync(join(workspace, run, 'run.json'), 'utf8')) as { parameterCount: number }).parameterCount;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  workspace = mkdtempSync(join(tmpdir(), 'cw-traj-'));
  cliOrThrow(['train', '--preset', 'fig5-scratch', '--seed', '1', ...SMALL, '--d', '8', '--set', 'phases.0.steps=30', '--out', join(workspace, 'wide-a'), '--json']);
  cliOrThrow(['train', '--preset', 'fig5-scratch', '--seed', '2', ...SMALL, '--d', '8', '--set', 'phases.0.steps=30', '--out', join(workspace, 'wide-b'), '--json']);
  cliOrThrow(['train', '--preset', 'fig5-scratch', '--seed', '3', ...SMALL, '--d', '2', '--set', 'phases.0.steps=30', '--out', join(workspace, 'narrow'), '--json']);
  const token = 'traj-' + randomUUID();
  ({ server, url } = await startServe([workspace, '--port', '0', '--token', token, '--no-demo']));
});

test.afterAll(() => {
  server?.kill('SIGTERM');
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('runs whose parameters differ from the first ticked run are left out of the projection, with a note saying why', async ({ page }) => {
  const wide = parameterCount('wide-a');
  const narrow = parameterCount('narrow');
  expect(narrow).toBeLessThan(wide);
  await page.goto(url);
  for (const [i, name] of ['wide-a', 'narrow', 'wide-b'].entries()) {
    await page.locator(`[data-path$="/${name}"] [data-testid="open-available"]`).click();
    await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(i + 1);
  }
  await page.locator('nav [data-view="trajectories"]').click();
  const figure = page.getByTestId('trajectories-figure');
  await expect(figure).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('project-left-out')).toHaveText(`left out: narrow has ${narrow} parameters per snapshot, the others ${wide}`);
  // the projection holds the two wide runs, not the narrow one
  const [download] = await Promise.all([page.waitForEvent('download'), figure.locator('[data-export="csv"]').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv).toContain('wide-a');
  expect(csv).toContain('wide-b');
  expect(csv).not.toContain('narrow');

  // unticking the narrow run clears the note
  await page.getByTestId('project-runs').locator('label', { hasText: 'narrow' }).locator('input').uncheck();
  await expect(page.getByTestId('project-left-out')).toHaveCount(0);
});
