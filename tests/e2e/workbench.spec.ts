/**
 * The workbench as a researcher uses it, in Debian's Chromium against `circuit-workbench serve`
 * on real runs made by the CLI: open runs, visit every view, check that each chart drew real
 * data, move the step cursor, export figures, train from the browser; and the server's security.
 */
import { expect, test, type Download, type Locator, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_FILE } from './global-setup.js';

const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { workspace: string; url: string; token: string };
const base = state.url.replace(/\/\?token=.*$/, '');
const SHOTS = join('test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

async function shot(page: Page, name: string) {
  await page.waitForTimeout(400); // let ECharts finish its entry animation
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

async function text(download: Download): Promise<string> {
  return readFileSync(await download.path()).toString('utf8');
}

async function bytes(download: Download): Promise<Buffer> {
  return readFileSync(await download.path());
}

/** Clicks an export button of a figure and returns the file. */
async function exportFigure(page: Page, figure: Locator, kind: 'png' | 'svg' | 'csv'): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), figure.locator(`[data-export="${kind}"]`).click()]);
  return download;
}

async function goTo(page: Page, view: string) {
  await page.locator(`nav [data-view="${view}"]`).click();
}

test.describe.configure({ mode: 'serial' });

test('the server answers 401 without the token and refuses paths outside the workspace', async ({ request }) => {
  expect((await request.post(`${base}/api/workspace.list`, { data: {} })).status()).toBe(401);
  expect((await request.post(`${base}/api/workspace.list`, { data: {}, headers: { Authorization: 'Bearer wrong' } })).status()).toBe(401);
  const outside = await request.post(`${base}/api/source.open`, { data: { path: '/etc' }, headers: { Authorization: `Bearer ${state.token}` } });
  expect(outside.status()).toBe(403);
  expect((await outside.json()).error).toMatch(/outside the workspace/);
  const escape = await request.post(`${base}/api/source.open`, { data: { path: join(state.workspace, '..') }, headers: { Authorization: `Bearer ${state.token}` } });
  expect(escape.status()).toBe(403);
  expect((await request.get(`${base}/../../etc/passwd`)).status()).toBe(404);
});

test('a researcher opens runs and every view draws real data', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(state.url);
  await expect(page.locator('h1')).toHaveText('Circuit Workbench');
  // the token leaves the address bar once read
  await expect.poll(() => page.url()).not.toContain('token=');

  // Runs: both runs made by the CLI are offered; open them
  await expect(page.getByTestId('available-list')).toContainText('scratch-s1');
  await page.getByTestId('open-all-available').click();
  await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('differences-table')).toContainText('phases');
  await shot(page, 'runs');

  // Curves (Fig. 5)
  await goTo(page, 'curves');
  const curves = page.locator('section.figure').first();
  await expect(curves.locator('.state')).toHaveCount(0);
  const curvesSvg = await text(await exportFigure(page, curves, 'svg'));
  expect(curvesSvg).toMatch(/^<svg/);
  expect(curvesSvg).toContain('step');
  expect(curvesSvg).toContain('scratch-s1');
  expect(curvesSvg).toContain('curriculum-s1');
  expect((curvesSvg.match(/<path/g) ?? []).length).toBeGreaterThan(10);
  const curvesPng = await bytes(await exportFigure(page, curves, 'png'));
  expect(curvesPng.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(curvesPng.length).toBeGreaterThan(10_000);
  const curvesCsv = await text(await exportFigure(page, curves, 'csv'));
  expect(curvesCsv.split('\n')[0]).toMatch(/step/);
  expect(curvesCsv.trim().split('\n').length).toBeGreaterThan(100);
  await shot(page, 'curves');

  // Attention graph (Fig. 2): moving the cursor changes the attention
  await goTo(page, 'attention');
  const attention = page.getByTestId('attention-figure');
  await expect(attention).toHaveAttribute('data-state', 'ready');
  const cursor = page.getByTestId('cursor-step');
  const lastStep = await cursor.textContent();
  const before = await text(await exportFigure(page, attention, 'csv'));
  const slider = page.locator('#cursor-slider');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(cursor).toHaveText('0');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(cursor).toHaveText('3');
  await expect(attention).toHaveAttribute('data-state', 'ready');
  await expect.poll(async () => text(await exportFigure(page, attention, 'csv'))).not.toBe(before);
  const svg = await text(await exportFigure(page, attention, 'svg'));
  expect(svg).toMatch(/^<svg/);
  expect(svg).toContain('output');
  await slider.focus();
  await page.keyboard.press('End');
  await expect(cursor).toHaveText(lastStep ?? '');
  await shot(page, 'attention');

  // Attention over training (Fig. 3)
  await goTo(page, 'attention-training');
  const heatmap = page.getByTestId('heatmap-figure-0');
  await expect(heatmap).toHaveAttribute('data-state', 'ready');
  const heatCsv = await text(await exportFigure(page, heatmap, 'csv'));
  const heatRows = heatCsv.trim().split('\n');
  expect(heatRows.length).toBe(1 + 39); // a row per snapshot (0–19, then every 10th to 200)
  expect(heatRows[0].split(',')).toHaveLength(1 + 8); // step, then T = 8 positions
  await shot(page, 'attention-over-training');

  // Embeddings (Fig. 4)
  await goTo(page, 'embeddings');
  const emb = page.getByTestId('embeddings-figure');
  await expect(emb).toHaveAttribute('data-state', 'ready');
  const embSvg = await text(await exportFigure(page, emb, 'svg'));
  expect(embSvg).toContain('PC 1');
  await expect(page.getByTestId('embeddings-silhouette')).toHaveText(/^silhouette by sum -?\d\.\d\d \(\d+ sums\)$/);
  await shot(page, 'embeddings');

  // Interpolation (Fig. 6)
  await goTo(page, 'interpolation');
  await page.getByTestId('interpolate-compute').click();
  await expect(page.getByTestId('interpolate-peak')).toBeVisible();
  const interp = page.locator('section.figure').filter({ has: page.locator('[data-export="csv"]:enabled') }).first();
  const interpCsv = await text(await exportFigure(page, interp, 'csv'));
  expect(interpCsv.split('\n')[0]).toMatch(/^t,/);
  expect(interpCsv.trim().split('\n')).toHaveLength(102);
  await shot(page, 'interpolation');

  // Trajectories (Fig. 7)
  await goTo(page, 'trajectories');
  const traj = page.getByTestId('trajectories-figure');
  if ((await traj.getAttribute('data-state')) !== 'ready') await page.getByTestId('project-start').click().catch(() => {});
  await expect(traj).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const trajSvg = await text(await exportFigure(page, traj, 'svg'));
  expect(trajSvg).toMatch(/PC 1 \(\d/);
  expect(trajSvg).toContain('start');
  await shot(page, 'trajectories');

  expect(errors).toEqual([]);
});

test('training from the browser shows live progress and opens the new run', async ({ page }) => {
  await page.goto(state.url);
  await goTo(page, 'train');
  await page.getByTestId('train-preset').selectOption('fig5-scratch');
  await page.getByTestId('train-task-T').fill('6');
  await page.getByTestId('train-task-k').fill('3');
  await page.getByTestId('train-model-d').fill('8');
  await page.getByTestId('train-model-h').fill('16');
  await page.getByTestId('train-max-steps').fill('150');
  await page.getByTestId('train-name').fill('trained-in-the-browser');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-job')).toBeVisible();
  await expect(page.getByTestId('train-opened')).toBeVisible({ timeout: 90_000 });
  await shot(page, 'train');
  await goTo(page, 'runs');
  await expect(page.getByTestId('sources-table')).toContainText('trained-in-the-browser');
});

test('bad input in the browser gets a sentence, not a crash', async ({ page }) => {
  await page.goto(state.url);
  await goTo(page, 'train');
  await page.getByTestId('train-task-k').fill('40');
  await expect(page.locator('body')).toContainText(/k .*(larger|at most|≤).*T|T/);
  await expect(page.getByTestId('train-start')).toBeDisabled();
});
