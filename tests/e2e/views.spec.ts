/**
 * The figures stay trustworthy as a researcher moves around (issue 9): every chart redraws after
 * leaving its view and after a resize, the step slider agrees with the step it shows after the
 * primary run changes, and the arrow keys move the cursor wherever the focus is (not in a text
 * field). Its own server and runs: a sparse and a dense snapshot schedule.
 */
import { randomUUID } from 'node:crypto';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { cliOrThrow, startServe } from '../processes.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SMALL = ['--T', '6', '--k', '3', '--d', '8', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '0', '--lr', '0.02'];
let workspace = '';
let server: ChildProcess | null = null;
let url = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  workspace = mkdtempSync(join(tmpdir(), 'cw-views-'));
  // 5 snapshots (0, 10, …, 40) and 61 snapshots (every step): the slider's range changes with the primary run
  cliOrThrow(['train', '--preset', 'fig5-curriculum', '--seed', '3', ...SMALL, '--set', 'phases.0.steps=20', '--set', 'phases.1.steps=20', '--set', 'snapshots.denseUntil=0', '--set', 'snapshots.every=10', '--out', join(workspace, 'sparse'), '--json']);
  cliOrThrow(['train', '--preset', 'fig5-curriculum', '--seed', '4', ...SMALL, '--set', 'phases.0.steps=30', '--set', 'phases.1.steps=30', '--set', 'snapshots.denseUntil=60', '--set', 'snapshots.every=1', '--out', join(workspace, 'dense'), '--json']);
  // a scratch run of the sparse run's seed with uneven snapshots: every step to 50, then every 50th to 400
  cliOrThrow(['train', '--preset', 'fig5-scratch', '--seed', '3', ...SMALL, '--set', 'phases.0.steps=400', '--set', 'snapshots.denseUntil=50', '--set', 'snapshots.every=50', '--out', join(workspace, 'uneven'), '--json']);
  const token = 'views-' + randomUUID();
  ({ server, url } = await startServe([workspace, '--port', '0', '--token', token, '--no-demo']));
});

test.afterAll(() => {
  server?.kill('SIGTERM');
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/** Opens the workbench on the sparse run (primary) and the dense run. */
async function openBoth(page: Page) {
  await openRuns(page, ['sparse', 'dense']);
}

/** Opens the workbench on these runs of the workspace, the first one primary. */
async function openRuns(page: Page, names: string[]) {
  await page.goto(url);
  await expect(page.getByTestId('available-list')).toContainText('uneven');
  // the server keeps what an earlier page opened: start from nothing open
  const close = page.getByTestId('source-close');
  while ((await close.count()) > 0) {
    const n = await close.count();
    await close.first().click();
    await expect(close).toHaveCount(n - 1);
  }
  for (const [i, name] of names.entries()) {
    await page.locator(`[data-path$="/${name}"] [data-testid="open-available"]`).click();
    await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(i + 1);
  }
}

async function goTo(page: Page, view: string) {
  await page.locator(`nav [data-view="${view}"]`).click();
}

/** The few DOM shapes the page functions below use (this file compiles without the DOM library). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface BoxLike {
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): BoxLike | null;
}

/** How many pixels of a figure's chart canvas are drawn (not blank, not white). */
async function inked(figure: Locator): Promise<number> {
  return figure
    .locator('canvas')
    .first()
    .evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const ctx = c.getContext('2d');
      if (!c.width || !c.height || !ctx) return 0;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++;
      return n;
    });
}

/** The canvas fills its host (a chart sized for another window or a hidden view does not). */
async function fitsHost(figure: Locator): Promise<boolean> {
  return figure.locator('.chart').evaluate((el) => {
    const host = el as unknown as BoxLike;
    const c = host.querySelector('canvas');
    const r = host.getBoundingClientRect();
    return !!c && r.width > 0 && Math.abs(c.getBoundingClientRect().width - r.width) < 2 && Math.abs(c.getBoundingClientRect().height - r.height) < 2;
  });
}

const FIGURES: { view: string; figure: (p: Page) => Locator; prepare?: (p: Page) => Promise<void> }[] = [
  { view: 'curves', figure: (p) => p.locator('section.figure').first() },
  { view: 'attention', figure: (p) => p.getByTestId('attention-figure') },
  { view: 'attention-training', figure: (p) => p.getByTestId('heatmap-figure-0') },
  { view: 'embeddings', figure: (p) => p.getByTestId('embeddings-figure') },
  {
    view: 'interpolation',
    figure: (p) => p.locator('section.figure[data-state="ready"]').first(),
    prepare: async (p) => {
      await p.getByTestId('interpolate-compute').click();
      await expect(p.getByTestId('interpolate-peak')).toBeVisible();
    },
  },
  { view: 'trajectories', figure: (p) => p.getByTestId('trajectories-figure') },
];

test('every chart redraws after leaving its view and coming back, and after a resize', async ({ page }) => {
  test.setTimeout(240_000);
  await openBoth(page);
  for (const f of FIGURES) {
    await goTo(page, f.view);
    if (f.prepare) await f.prepare(page);
    const fig = f.figure(page);
    await expect(fig).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect.poll(() => inked(fig), { message: `${f.view} draws` }).toBeGreaterThan(500);
    const drawn = await inked(fig);
    // away and back
    await goTo(page, 'runs');
    await expect(page.getByTestId('sources-table')).toBeVisible();
    await goTo(page, f.view);
    await expect(fig).toHaveAttribute('data-state', 'ready');
    await expect.poll(() => inked(fig), { message: `${f.view} redraws after navigation` }).toBeGreaterThan(drawn * 0.5);
    expect(await fitsHost(fig), `${f.view} fills its box after navigation`).toBe(true);
  }
  // a resize while another view is shown, then back to Curves
  await goTo(page, 'runs');
  await page.setViewportSize({ width: 1024, height: 700 });
  await goTo(page, 'curves');
  const curves = FIGURES[0].figure(page);
  await expect.poll(() => fitsHost(curves), { message: 'Curves fits the smaller window' }).toBe(true);
  await expect.poll(() => inked(curves)).toBeGreaterThan(500);
  // and a resize while it is shown
  await page.setViewportSize({ width: 1400, height: 900 });
  await expect.poll(() => fitsHost(curves), { message: 'Curves fits the larger window' }).toBe(true);
  await expect.poll(() => inked(curves)).toBeGreaterThan(500);
});

test("the Curves tooltip shows every run's exact row of metrics.csv at the step under the pointer", async ({ page }) => {
  await openBoth(page);
  await goTo(page, 'curves');
  const fig = page.locator('section.figure').first();
  await expect(fig).toHaveAttribute('data-state', 'ready');
  const box = (await fig.locator('.chart').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6);
  // asked for when the pointer gets there: '…' until the rows arrive
  await expect.poll(() => fig.locator('.chart').innerText()).toMatch(/sparse: train [\d.]+ · test [\d.]+/);
  const shown = await fig.locator('.chart').innerText();
  const step = Number(/step (\d+)/.exec(shown)![1]);
  expect(step).toBeGreaterThan(0);
  for (const run of ['sparse', 'dense']) {
    const lines = readFileSync(join(workspace, run, 'metrics.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const row = lines.find((l) => l.split(',')[0] === String(step))!.split(',');
    const at = (name: string) => Number(row[header.indexOf(name)]).toPrecision(4);
    expect(shown).toContain(`${run}: train ${at('train_acc')} · test ${at('test_acc')}`);
  }
});

test('the slider, its label and the views show the same step after the primary run changes', async ({ page }) => {
  await openBoth(page);
  const slider = page.locator('#cursor-slider');
  const label = page.getByTestId('cursor-step');
  await expect(label).toHaveText('40');
  await expect(slider).toHaveAttribute('max', '4');
  await expect(slider).toHaveValue('4');
  // the dense run becomes primary: the cursor goes to its last step, 60, index 60 of 0–60
  await page.locator('tr[data-source="dense"] [data-testid="source-primary"]').check();
  await expect(label).toHaveText('60');
  await expect(slider).toHaveAttribute('max', '60');
  await expect(slider).toHaveValue('60');
  // the slider moves the label, and back to the sparse run
  await slider.fill('10');
  await expect(label).toHaveText('10');
  await page.locator('tr[data-source="sparse"] [data-testid="source-primary"]').check();
  await expect(label).toHaveText('40');
  await expect(slider).toHaveValue('4');
  // the attention view evaluates the step the label shows
  await goTo(page, 'attention');
  await expect(page.getByTestId('attention-figure')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('attention-figure')).toHaveAttribute('data-figure', /step-40/);
});

test('← → Home End move the cursor wherever the focus is, except in a text field', async ({ page }) => {
  await openBoth(page);
  const label = page.getByTestId('cursor-step');
  await expect(label).toHaveText('40');
  await goTo(page, 'curves');
  // focus on nothing in particular
  await page.locator('h1').click();
  await page.keyboard.press('Home');
  await expect(label).toHaveText('0');
  await page.keyboard.press('ArrowRight');
  await expect(label).toHaveText('10');
  await page.keyboard.press('End');
  await expect(label).toHaveText('40');
  await page.keyboard.press('ArrowLeft');
  await expect(label).toHaveText('30');
  // a button of the view has the focus
  await page.getByTestId('curves-reload').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(label).toHaveText('20');
  // in a text field the keys move the text caret, not the cursor
  await goTo(page, 'train');
  await page.getByTestId('train-name').fill('abc');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Home');
  await page.keyboard.type('x');
  await expect(page.getByTestId('train-name')).toHaveValue('xabc');
  await page.getByTestId('train-seed').focus();
  await page.keyboard.press('End');
  await expect(label).toHaveText('20');
  // and out of the field again, they move the cursor
  await page.locator('h1').click();
  await page.keyboard.press('End');
  await expect(label).toHaveText('40');
});

test('the single-run views evaluate on the data of the cursor’s phase, and say which', async ({ page }) => {
  await openBoth(page);
  const label = page.getByTestId('cursor-step');
  await goTo(page, 'attention');
  const fig = page.getByTestId('attention-figure');
  // step 10 lies in the p = 2 phase (steps 1–20)
  await page.locator('h1').click();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await expect(label).toHaveText('10');
  await expect(page.getByTestId('data-p-note')).toHaveText(/evaluated on p = 2: the data of the phase the cursor is in/);
  await expect(fig).toHaveAttribute('data-figure', /step-10-p-2$/);
  // at step 30 the p = 4 phase
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(label).toHaveText('30');
  await expect(page.getByTestId('data-p-note')).toHaveText(/evaluated on p = 4/);
  await expect(fig).toHaveAttribute('data-figure', /step-30-p-4$/);
  // choose the other data
  await page.getByTestId('data-p').selectOption('2');
  await expect(page.getByTestId('data-p-note')).toHaveText(/evaluated on p = 2, chosen; the cursor is in the p = 4 phase/);
  await expect(fig).toHaveAttribute('data-figure', /step-30-p-2$/);
  await goTo(page, 'embeddings');
  await expect(page.getByTestId('embeddings-figure')).toHaveAttribute('data-figure', /step-30-p-2-prefixes$/);
  await expect(page.getByTestId('embeddings-summary')).toContainText('all 2^3 = 8 prefixes');
  await page.getByTestId('data-p').selectOption('phase');
  await expect(page.getByTestId('embeddings-summary')).toContainText('all 4^3 = 64 prefixes');
});

/**
 * Where the heatmap draws the cursor line, as a fraction of the height of its cells: the rows of
 * magenta pixels against the extent of the coloured cells, down the column of position 1.
 */
async function cursorLineFraction(figure: Locator): Promise<number | null> {
  return figure
    .locator('canvas')
    .first()
    .evaluate((el) => {
      const c = el as unknown as CanvasLike & { clientWidth: number };
      const ctx = c.getContext('2d');
      if (!ctx) return null;
      const scale = c.width / c.clientWidth;
      // the grid: 76 px from the left, 125 px from the right; position 1 is the first of T = 6 columns
      const x = Math.round((76 + (c.clientWidth - 76 - 125) / 12) * scale);
      const column = ctx.getImageData(x, 0, 1, c.height).data;
      const cells: number[] = [];
      const cursor: number[] = [];
      for (let y = 0; y < c.height; y++) {
        const [r, g, b] = [column[4 * y], column[4 * y + 1], column[4 * y + 2]];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 40) cells.push(y);
        if (r > 150 && g < 110 && b > 90) cursor.push(y); // #ff2d9a, however blended at its edges
      }
      if (cells.length === 0 || cursor.length === 0) return null;
      const top = cells[0];
      const bottom = cells[cells.length - 1];
      const mid = (cursor[0] + cursor[cursor.length - 1]) / 2;
      return (mid - top) / (bottom - top);
    });
}

test('the attention-over-training heatmap places rows at their steps, and its cursor line can be turned off', async ({ page }) => {
  await openRuns(page, ['uneven']);
  const label = page.getByTestId('cursor-step');
  await goTo(page, 'attention-training');
  const fig = page.getByTestId('heatmap-figure-0');
  await expect(fig).toHaveAttribute('data-state', 'ready');
  // step 50 of 0–400: the 51st of 58 rows, but an eighth of the way in steps
  await page.locator('h1').click();
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
  await expect(label).toHaveText('50');
  await expect.poll(() => cursorLineFraction(fig), { message: 'the step-50 line lies 12.5 % down the heatmap' }).toBeGreaterThan(0.1);
  const fraction = await cursorLineFraction(fig);
  expect(fraction).toBeLessThan(0.15);
  // and for export, no line at all
  await page.getByTestId('heatmap-cursor').uncheck();
  await expect.poll(() => cursorLineFraction(fig)).toBeNull();
  expect(await inked(fig)).toBeGreaterThan(500);
});

test('one action shows the scratch and the curriculum run side by side at the same step, in three views', async ({ page }) => {
  await openRuns(page, ['sparse', 'uneven']);
  const label = page.getByTestId('cursor-step');
  await goTo(page, 'attention');
  await expect(page.getByTestId('attention-figure-beside')).toHaveCount(0);
  await page.getByTestId('side-by-side').click();
  // the scratch run on the left (now the primary one), the curriculum run beside it, at the cursor's step
  const left = page.getByTestId('attention-figure');
  const right = page.getByTestId('attention-figure-beside');
  await expect(left).toHaveAttribute('data-figure', /uneven-step-40-p-4$/);
  await expect(right).toHaveAttribute('data-figure', /sparse-step-40-p-4$/);
  await expect(right).toHaveAttribute('data-state', 'ready');
  // one cursor moves both; each run on the data of its own phase (step 10: the curriculum's p = 2)
  await page.locator('h1').click();
  await page.keyboard.press('Home');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  await expect(label).toHaveText('10');
  await expect(left).toHaveAttribute('data-figure', /uneven-step-10-p-4$/);
  await expect(right).toHaveAttribute('data-figure', /sparse-step-10-p-2$/);
  await expect(page.getByTestId('attention-prediction-beside')).toBeVisible();
  // the same two runs in the other two views
  await goTo(page, 'attention-training');
  await expect(page.getByTestId('heatmap-figure-0')).toHaveAttribute('data-figure', /uneven/);
  await expect(page.getByTestId('heatmap-beside-figure-0')).toHaveAttribute('data-figure', /sparse/);
  await expect(page.getByTestId('heatmap-beside-figure-0')).toHaveAttribute('data-state', 'ready');
  expect(await inked(page.getByTestId('heatmap-beside-figure-0'))).toBeGreaterThan(500);
  await goTo(page, 'embeddings');
  await expect(page.getByTestId('embeddings-figure')).toHaveAttribute('data-figure', /uneven-step-10-p-4-prefixes$/);
  await expect(page.getByTestId('embeddings-figure-beside')).toHaveAttribute('data-figure', /sparse-step-10-p-2-prefixes$/);
  await expect(page.getByTestId('embeddings-figure-beside')).toHaveAttribute('data-state', 'ready');
  // back to one run
  await page.getByTestId('side-by-side-off').click();
  await expect(page.getByTestId('embeddings-figure-beside')).toHaveCount(0);
  await goTo(page, 'attention');
  await expect(page.getByTestId('attention-figure-beside')).toHaveCount(0);
});

/** The text of a figure's exported SVG. */
async function exportedSvg(page: Page, figure: Locator): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), figure.locator('[data-export="svg"]').click()]);
  return readFileSync(await download.path(), 'utf8');
}

/** The texts of an SVG document. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

test('embeddings are coloured on an ordered scale by the sum, the sum mod p or the target, and the export carries the colour bar', async ({ page }) => {
  await openBoth(page);
  await goTo(page, 'embeddings');
  const fig = page.getByTestId('embeddings-figure');
  await expect(fig).toHaveAttribute('data-state', 'ready');
  // step 40: p = 4, k = 3: sums 0..9 on a sequential bar
  let words = svgTexts(await exportedSvg(page, fig));
  expect(words).toContain('sum of the first 3 tokens');
  for (let v = 0; v <= 9; v++) expect(words).toContain(String(v));
  await page.getByTestId('embeddings-color').selectOption('mod');
  await expect(fig).toHaveAttribute('data-figure', /mod-4/);
  words = svgTexts(await exportedSvg(page, fig));
  expect(words).toContain('sum of the first 3 tokens mod 4');
  expect(words).not.toContain('9');
  await page.getByTestId('embeddings-color').selectOption('target');
  await expect(fig).toHaveAttribute('data-figure', /coloured-by-target/);
  words = svgTexts(await exportedSvg(page, fig));
  expect(words).toContain('target');
  for (let v = 0; v <= 3; v++) expect(words).toContain(String(v));
  // the PNG is the chart as drawn, colour bar included
  const [png] = await Promise.all([page.waitForEvent('download'), fig.locator('[data-export="png"]').click()]);
  expect(readFileSync(await png.path()).length).toBeGreaterThan(10_000);
});

test('on the bundled demo the Embeddings view opens on the d = 2 fig4 run at the end of its p = 2 phase', async ({ page }) => {
  test.setTimeout(180_000);
  const token = 'demo-' + randomUUID() + '-0123456789';
  const { server: demo, url: demoUrl } = await startServe(['--port', '0', '--token', token]);
  try {
    await page.goto(demoUrl);
    await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(3, { timeout: 60_000 });
    await expect(page.getByTestId('cursor-step')).not.toHaveText('64000');
    await goTo(page, 'embeddings');
    const fig = page.getByTestId('embeddings-figure');
    await expect(fig).toHaveAttribute('data-figure', /fig4-s9-step-64000-p-2-prefixes$/, { timeout: 60_000 });
    await expect(fig).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('embeddings-silhouette')).toHaveText('silhouette by sum 0.92 (6 sums)');
    await expect(page.getByTestId('cursor-step')).toHaveText('64000');
    // a user who chose a run first keeps it
    await page.goto(demoUrl.replace(/\/\?token=.*$/, '/'));
    await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(3);
    await page.locator('tr[data-source="scratch-s4"] [data-testid="source-primary"]').check();
    await goTo(page, 'embeddings');
    await expect(page.getByTestId('embeddings-figure')).toHaveAttribute('data-figure', /scratch-s4-step-4000/);
  } finally {
    demo.kill('SIGTERM');
  }
});
