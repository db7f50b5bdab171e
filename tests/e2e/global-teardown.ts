import { readFileSync, rmSync } from 'node:fs';
import { STATE_FILE } from './global-setup.js';

export default async function globalTeardown(): Promise<void> {
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { workspace: string; pid: number };
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  rmSync(state.workspace, { recursive: true, force: true });
  rmSync(STATE_FILE, { force: true });
}
