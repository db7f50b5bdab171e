/**
 * Screenshots of every view on the bundled demo runs, for the README (docs/screenshots), taken
 * with Playwright in Debian's Chromium against `circuit-workbench serve`.
 *
 *   npm run build && npm run screenshots
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const workspace = mkdtempSync(join(tmpdir(), 'cw-shots-'));
const server = spawn(process.execPath, [join(root, 'bin', 'circuit-workbench.js'), 'serve', workspace, '--token', 'screenshots-of-the-views'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) => server.stdout.on('data', (d: Buffer) => /open (\S+)/.exec(d.toString()) && resolve(/open (\S+)/.exec(d.toString())![1])));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.getByTestId('sources-table').locator('tbody tr').nth(1).waitFor();
  const views: [string, () => Promise<void>][] = [
    ['runs', async () => {}],
    ['curves', async () => {}],
    ['attention', async () => void (await page.getByTestId('attention-figure').and(page.locator('[data-state="ready"]')).waitFor())],
    ['attention-training', async () => void (await page.getByTestId('heatmap-figure-0').and(page.locator('[data-state="ready"]')).waitFor())],
    ['embeddings', async () => void (await page.getByTestId('embeddings-figure').and(page.locator('[data-state="ready"]')).waitFor())],
    ['interpolation', async () => {
      await page.getByTestId('interpolate-compute').click();
      await page.getByTestId('interpolate-peak').waitFor();
    }],
    ['trajectories', async () => {
      // the d = 2 fig4 run has another parameter layout: project the scratch and curriculum runs
      const fig4 = page.getByTestId('project-runs').locator('label', { hasText: 'fig4' }).locator('input');
      if ((await fig4.count()) && (await fig4.isChecked())) await fig4.uncheck();
      if ((await page.getByTestId('trajectories-figure').getAttribute('data-state')) !== 'ready') await page.getByTestId('project-start').click();
      await page.getByTestId('trajectories-figure').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 120_000 });
    }],
    ['train', async () => {}],
  ];
  const sideBySide = async () => {
    await page.locator('nav [data-view="attention"]').click();
    await page.getByTestId('side-by-side').click();
    await page.getByTestId('attention-figure-beside').and(page.locator('[data-state="ready"]')).waitFor();
  };
  for (const [view, ready] of views) {
    await page.locator(`nav [data-view="${view}"]`).click();
    await ready();
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(out, `${view}.png`) });
    console.log(`docs/screenshots/${view}.png`);
  }
  await sideBySide();
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(out, 'side-by-side.png') });
  console.log('docs/screenshots/side-by-side.png');
} finally {
  await browser.close();
  server.kill();
}
