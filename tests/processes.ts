// Process helpers shared by vitest files, Playwright specs and benches (so no vitest import here).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/circuit-workbench.js', import.meta.url));

/** Runs the real CLI to the end, throwing with its stderr if it fails (for setting up fixtures). */
export function cliOrThrow(args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`circuit-workbench ${args.join(' ')} failed: ${r.stderr}`);
}

/**
 * Starts the real `circuit-workbench serve …args` and resolves once it prints the URL to open
 * (rejects with what it printed if it exits first or says nothing within `timeoutMs`).
 */
export function startServe(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ server: ChildProcess; url: string; out: string }> {
  const server = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      server.kill('SIGTERM');
      reject(new Error(`serve printed no URL: ${out}`));
    }, opts.timeoutMs ?? 60_000);
    const read = (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ server, url: m[1], out });
      }
    };
    server.stdout!.on('data', read);
    server.stderr!.on('data', read);
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** Runs `work` over `items`, `jobs` at a time, keeping the results in the items' order. */
export async function pool<T, R>(items: T[], jobs: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i], i);
      }
    }),
  );
  return out;
}
