/**
 * The Sweeps view in Chromium against `circuit-workbench serve`: the sweep made by the global
 * setup is listed, its success rates, intervals and p-value are shown and exported, a cell opens
 * its runs, and one seed's two schedules open in the Interpolation view.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_FILE } from './global-setup.js';

const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { workspace: string; url: string; token: string };

// The server keeps the sources a test opens; close them so the next spec starts from the workspace alone.
test.afterEach(async ({ request }) => {
  const call = (name: string, body: unknown) => request.post(new URL(`/api/${name}`, state.url).toString(), { headers: { Authorization: `Bearer ${state.token}` }, data: body });
  const list = (await (await call('workspace.list', {})).json()) as { sources: { id: string }[] };
  for (const s of list.sources) await call('source.close', { id: s.id });
});

test('a researcher opens a sweep, reads its rates and p-value, exports it, and follows a seed to Interpolation', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(state.url);
  await page.locator('nav [data-view="sweeps"]').click();

  // the workspace's sweep is offered; its folder's runs are not in the Runs list
  const list = page.getByTestId('sweep-list');
  await expect(list.locator('option', { hasText: 'sweep-small' })).toHaveCount(1);
  await list.selectOption({ label: 'sweep-small' });
  await expect(page.getByTestId('sweep-progress')).toContainText('4 done');
  await expect(page.getByTestId('sweep-progress')).toHaveAttribute('data-live', 'false');

  const table = page.getByTestId('sweep-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  const summary = JSON.parse(readFileSync(join(state.workspace, 'sweep-small', 'summary.json'), 'utf8')) as { cells: { pValue: number; schedules: { schedule: string; succeeded: number; total: number; ci95: [number, number] }[] }[] };
  for (const s of summary.cells[0].schedules) {
    const row = table.locator(`tr[data-schedule="${s.schedule}"]`);
    await expect(row.getByTestId('sweep-succeeded')).toHaveText(String(s.succeeded));
    await expect(row.getByTestId('sweep-rate')).toContainText(`[${s.ci95[0].toFixed(2)}, ${s.ci95[1].toFixed(2)}]`);
  }
  await expect(table.getByTestId('sweep-p')).toHaveText(summary.cells[0].pValue.toPrecision(2));

  // the figure: rates with error bars, exported as SVG, PNG and CSV
  const figure = page.locator('section.figure').first();
  await expect(figure).toHaveAttribute('data-state', 'ready');
  const [svg] = await Promise.all([page.waitForEvent('download'), figure.locator('[data-export="svg"]').click()]);
  const svgText = readFileSync(await svg.path()).toString('utf8');
  expect(svgText).toMatch(/^<svg/);
  expect(svgText).toContain('fig5-curriculum');
  expect(svgText).toContain('success rate');
  const [png] = await Promise.all([page.waitForEvent('download'), figure.locator('[data-export="png"]').click()]);
  expect(readFileSync(await png.path()).subarray(1, 4).toString()).toBe('PNG');
  const [csv] = await Promise.all([page.waitForEvent('download'), figure.locator('[data-export="csv"]').click()]);
  const rows = readFileSync(await csv.path()).toString('utf8').trim().split('\n');
  expect(rows[0]).toBe('schedule,total,succeeded,rate,ci95_lo,ci95_hi,p_value,median_first_step_ge_0.99,median_final_train_acc,median_final_test_acc,median_final_heldout_acc');
  expect(rows.slice(1).map((r) => r.split(',').slice(0, 2).join(','))).toEqual(['fig5-scratch,2', 'fig5-curriculum,2']);

  // one seed's scratch and curriculum runs go to the Interpolation view as A and B
  await page.getByTestId('sweep-seed').selectOption({ label: 'seed 1' });
  await page.getByTestId('sweep-interpolate').click();
  await expect(page).toHaveURL(/#interpolation$/);
  await expect(page.getByTestId('interpolate-a').locator('option:checked')).toContainText('fig5-scratch-s1');
  await expect(page.getByTestId('interpolate-b').locator('option:checked')).toContainText('fig5-curriculum-s1');
  await page.getByTestId('interpolate-compute').click();
  await expect(page.locator('section.figure').first()).toHaveAttribute('data-state', 'ready');

  // a cell opens its runs in the other views
  await page.locator('nav [data-view="sweeps"]').click();
  await page.getByTestId('sweep-list').selectOption({ label: 'sweep-small' });
  await page.getByTestId('sweep-open-cell').click();
  await expect(page).toHaveURL(/#curves$/);
  await expect(page.locator('section.figure').first()).toHaveAttribute('data-state', 'ready');
  expect(errors).toEqual([]);
});

test('a researcher starts a small sweep from the Train view, follows it, and reads its finished rates in the Sweeps view', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(state.url);
  await page.locator('nav [data-view="train"]').click();

  // Fig. 5 is the default: both fig5 presets are ticked
  const presets = page.getByTestId('sweep-form-presets');
  await expect(presets.locator('input[value="fig5-scratch"]')).toBeChecked();
  await expect(presets.locator('input[value="fig5-curriculum"]')).toBeChecked();
  await page.getByTestId('sweep-form-seeds').fill('0');
  await page.getByTestId('sweep-form-grid-path-0').fill('lr');
  await page.getByTestId('sweep-form-grid-values-0').fill('1e-2,3e-2');
  await page.getByTestId('sweep-form-set').fill('task.T=6, task.k=3, task.nTrain=64, task.nTest=32, task.nHeldout=16, model.d=8, model.h=16, snapshots.every=10');
  await page.getByTestId('sweep-form-max-steps').fill('20');
  await page.getByTestId('sweep-form-name').fill('from-browser');
  await expect(page.getByTestId('sweep-form-runs')).toHaveText('4 runs');
  // a bad value is refused in the form, with a sentence, before anything is sent
  await page.getByTestId('sweep-form-grid-values-0').fill('1e-2,../x');
  await expect(page.getByTestId('sweep-form-start')).toBeDisabled();
  await expect(page.locator('.field-error')).toContainText('number or a short word');
  await page.getByTestId('sweep-form-grid-values-0').fill('1e-2,3e-2');
  await page.getByTestId('sweep-form-start').click();

  // the job's progress in the Train view, then the same sweep, live, in the Sweeps view
  const card = page.getByTestId('sweep-form-job');
  await expect(card).toContainText('sweep fig5-scratch + fig5-curriculum, seeds 0');
  await expect(card).toContainText('from-browser');
  await page.getByTestId('sweep-form-show').click();
  await expect(page).toHaveURL(/#sweeps$/);
  await expect(page.getByTestId('sweep-progress')).toContainText('from-browser');
  await expect(page.getByTestId('sweep-job').getByRole('progressbar')).toBeVisible();
  await expect(page.getByTestId('sweep-progress')).toContainText('4 done', { timeout: 180_000 });
  await expect(page.getByTestId('sweep-progress')).toHaveAttribute('data-live', 'false');
  await expect(page.getByTestId('sweep-job')).toContainText('done');

  // the finished rates, intervals and p-value per cell, as summary.json has them
  const summary = JSON.parse(readFileSync(join(state.workspace, 'from-browser', 'summary.json'), 'utf8')) as { cells: { pValue: number; schedules: { schedule: string; succeeded: number; total: number; ci95: [number, number] }[] }[] };
  const table = page.getByTestId('sweep-table');
  await expect(table.locator('tbody tr')).toHaveCount(4);
  for (const [i, cell] of summary.cells.entries()) {
    for (const s of cell.schedules) {
      expect(s.total).toBe(1);
      const row = table.locator(`tr[data-cell="${i}"][data-schedule="${s.schedule}"]`);
      await expect(row.getByTestId('sweep-succeeded')).toHaveText(String(s.succeeded));
      await expect(row.getByTestId('sweep-rate')).toContainText(`[${s.ci95[0].toFixed(2)}, ${s.ci95[1].toFixed(2)}]`);
    }
  }
  await expect(page.locator('section.figure').first()).toHaveAttribute('data-state', 'ready');
  expect(errors).toEqual([]);
});
