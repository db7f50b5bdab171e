/**
 * The figures stay trustworthy as a researcher moves around (issue 9): every chart redraws after
 * leaving its view and after a resize, the step slider agrees with the step it shows after the
 * primary run changes, and the arrow keys move the cursor wherever the focus is (not in a text
 * field). Its own server and runs: a sparse and a dense snapshot schedule.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/circuit-workbench.js', import.meta.url));
const SMALL = ['--T', '6', '--k', '3', '--d', '8', '--h', '16', '--n-train', '64', '--n-test', '32', '--n-heldout', '0', '--lr', '0.02'];
let workspace = '';
let server: ChildProcess | null = null;
let url = '';

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`circuit-workbench ${args.join(' ')} failed: ${r.stderr}`);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  workspace = mkdtempSync(join(tmpdir(), 'cw-views-'));
  // 5 snapshots (0, 10, …, 40) and 61 snapshots (every step): the slider's range changes with the primary run
  cli(['train', '--preset', 'fig5-curriculum', '--seed', '3', ...SMALL, '--set', 'phases.0.steps=20', '--set', 'phases.1.steps=20', '--set', 'snapshots.denseUntil=0', '--set', 'snapshots.every=10', '--out', join(workspace, 'sparse'), '--json']);
  cli(['train', '--preset', 'fig5-curriculum', '--seed', '4', ...SMALL, '--set', 'phases.0.steps=30', '--set', 'phases.1.steps=30', '--set', 'snapshots.denseUntil=60', '--set', 'snapshots.every=1', '--out', join(workspace, 'dense'), '--json']);
  const token = 'views-' + Math.random().toString(36).slice(2);
  server = spawn(process.execPath, [CLI, 'serve', workspace, '--port', '0', '--token', token, '--no-demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  });
});

test.afterAll(() => {
  server?.kill('SIGTERM');
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/** Opens the workbench on the sparse run (primary) and the dense run. */
async function openBoth(page: Page) {
  await page.goto(url);
  await expect(page.getByTestId('available-list')).toContainText('dense');
  // the server keeps what an earlier page opened: start from nothing open
  const close = page.getByTestId('source-close');
  while ((await close.count()) > 0) {
    const n = await close.count();
    await close.first().click();
    await expect(close).toHaveCount(n - 1);
  }
  await page.locator('[data-path$="/sparse"] [data-testid="open-available"]').click();
  await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(1);
  await page.locator('[data-path$="/dense"] [data-testid="open-available"]').click();
  await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(2);
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
