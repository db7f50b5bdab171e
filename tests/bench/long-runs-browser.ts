/**
 * Long runs end to end in a real browser: `circuit-workbench serve` on five synthesised
 * 100,000-step runs (10,001 snapshots each), Debian's Chromium through Playwright, and the time
 * from navigating to a view (`…#curves`) until its figures are drawn: Curves with the five runs,
 * and the attention over training of the first run; and, for comparison, the app alone (the Runs
 * view listing the five runs, no figure). Each view is visited in a fresh page twice:
 * first while the server has read nothing yet, then again. The server's CPU time (user + system,
 * from /proc) and the page's main-thread time (Chromium's TaskDuration) are printed next to the
 * wall time, with when the page's script and the view's last answer had arrived, and how long the
 * view took to draw after that answer (what the page itself adds). Then, in one page open on the
 * Runs view, once it has settled (loaded the other views' code in the background), the time from a
 * click on a view's button until its figures are drawn: what a user of the running app waits for.
 *
 *   npx electron-vite build
 *   CW_BENCH_RUNS=runA node --import tsx tests/bench/long-runs-browser.ts
 *   CW_BENCH_CLI=/other/checkout/bin/circuit-workbench.js …   (the same on another build)
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { synthesiseLongRuns } from './longRunFolders.js';

const model = (process.env['CW_BENCH_RUNS'] ?? '').split(':').filter(Boolean)[0];
if (!model) {
  console.log('long runs in the browser: set CW_BENCH_RUNS=dir (a run folder to synthesise the long runs from) to measure them');
  process.exit(0);
}
const CLI = process.env['CW_BENCH_CLI'] ?? fileURLToPath(new URL('../../bin/circuit-workbench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-browser-'));
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** user + system CPU time of a process, in ms */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
}

/**
 * In the page (as text: this file is compiled without the DOM's types): resolves with the time
 * since navigation when every figure of the view is ready and two frames later, ECharts has painted.
 */
const DRAWN = `new Promise((resolve, reject) => {
  const check = () => {
    const figures = location.hash === '#runs' ? [...document.querySelectorAll('[data-testid="sources-table"] tbody tr')].slice(4, 5).map(() => ({ getAttribute: () => 'ready' })) : [...document.querySelectorAll('main section.figure')];
    if (figures.some((f) => f.getAttribute('data-state') === 'error')) reject(new Error(figures.map((f) => f.textContent).join(' | ')));
    else if (figures.length > 0 && figures.every((f) => f.getAttribute('data-state') === 'ready')) requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
    else if (performance.now() > 120000) reject(new Error('not drawn after 2 minutes'));
    else requestAnimationFrame(check);
  };
  check();
})`;

const token = 'bench-token-' + randomUUID();
const { runs } = synthesiseLongRuns(model, dir, 5);
/** A fresh `serve` (nothing read yet) with the five runs open, as the Runs view's "open all" does. */
async function startServer(): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0', '--token', token, '--no-demo'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const base = url.replace(/\/\?token=.*$/, '');
  for (const r of runs) {
    const res = await fetch(`${base}/api/source.open`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ path: r }) });
    if (!res.ok) throw new Error(`source.open ${r}: ${res.status} ${await res.text()}`);
  }
  return { server, url };
}

async function stopServer(server: ChildProcess): Promise<void> {
  server.kill('SIGINT');
  await new Promise((r) => server.once('exit', r));
}

let { server, url } = await startServer();
try {
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    for (const [view, what] of [
      ['runs', 'the app alone (Runs view)'],
      ['curves', 'Curves, five runs'],
      ['attention-training', 'attention over training'],
    ] as const) {
      for (const visit of ['first visit', 'again']) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 950 } });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        const cpu = cpuOf(server.pid!);
        await page.goto(`${url}#${view}`);
        const drawnAt = (await page.evaluate(DRAWN)) as number;
        const figures = (await page.evaluate("document.querySelectorAll('main section.figure').length")) as number; // 0 in the Runs view
        // the page's main-thread time (its share of the CPU), and when its code and the view's answers had arrived
        const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
        const busy = metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
        const [loaded, answered] = (await page.evaluate(
          "[Math.max(...performance.getEntriesByType('resource').filter((e) => /\\.js$/.test(e.name)).map((e) => e.responseEnd)), Math.max(...performance.getEntriesByType('resource').filter((e) => /api\\/(source\\.metrics|analysis\\.)/.test(e.name)).map((e) => e.responseEnd))]",
        )) as number[];
        console.log(`${what.padEnd(26)} ${visit.padEnd(11)}: drawn ${s(drawnAt)} after navigation (server CPU ${s(cpuOf(server.pid!) - cpu)}, page main thread ${s(busy * 1000)}), ${figures} figure${figures === 1 ? '' : 's'}; script loaded at ${s(loaded)}, last answer at ${Number.isFinite(answered) ? `${s(answered)}, drawn ${s(drawnAt - answered)} after it` : '—'}`);
        await context.close();
      }
    }
    await stopServer(server);
    ({ server, url } = await startServer());
    // What a user of the running app waits for: the app is open on the Runs view, and a click on
    // a view's button until its figures are drawn (twice: first while the server has not read
    // the view's data, then again after going back to Runs).
    const context = await browser.newContext({ viewport: { width: 1400, height: 950 } });
    const page = await context.newPage();
    await page.goto(`${url}#runs`);
    await page.evaluate(DRAWN);
    // the app settles: it loads the other views' code and ECharts in the background after its start
    await page.waitForLoadState('networkidle');
    for (const [view, what] of [
      ['curves', 'Curves, five runs'],
      ['attention-training', 'attention over training'],
    ] as const) {
      for (const visit of ['first click', 'again']) {
        const clicked = (await page.evaluate(`(() => { const t = performance.now(); document.querySelector('nav button[data-view="${view}"]').click(); return t; })()`)) as number;
        const drawnAt = (await page.evaluate(DRAWN)) as number;
        const [asked, answered] = (await page.evaluate(
          `(() => { const e = performance.getEntriesByType('resource').filter((e) => /api\\/(source\\.metrics|analysis\\.)/.test(e.name) && e.startTime >= ${clicked}); return [Math.min(...e.map((x) => x.startTime)), Math.max(...e.map((x) => x.responseEnd))]; })()`,
        )) as number[];
        const answers = Number.isFinite(asked) ? `; asked at ${s(asked - clicked)}, answered at ${s(answered - clicked)}, drawn ${s(drawnAt - answered)} after it` : '';
        console.log(`${what.padEnd(26)} ${visit.padEnd(11)}: drawn ${s(drawnAt - clicked)} after a click in the open app${answers}`);
        await page.evaluate(`document.querySelector('nav button[data-view="runs"]').click()`);
        await page.waitForFunction(`location.hash === '#runs' && document.querySelectorAll('main section.figure').length === 0`);
      }
    }
    await context.close();
  } finally {
    await browser.close();
  }
} finally {
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
}
