/**
 * A run killed before its first run.json: the folder, its datasets and perhaps the step-0 state
 * exist, but without run.json it is not a run, so it can neither be opened nor resumed, and a new
 * run would be refused there because the folder is not empty. Such a folder holds nothing a user
 * made or could want (only what `train` writes before step 1), so a new run with the same --out
 * (or the sweep cell that owns it) clears it and starts again.
 *
 * Recognised only when train's first folder (checkpoints/) is there and every entry is one that
 * train writes before its first run.json: anything else (a file of the user's, a state or
 * checkpoint past step 0, metrics past step 0) keeps the folder as it is and the new run is refused.
 */
import { lstatSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from './writerLock.js';

const TMP = String.raw`(\.tmp-\d+)?`;
const TOP_LEVEL = new RegExp(String.raw`^(checkpoints|resume|data|${LOCK_FILE.replace('.', '\\.')}|run\.json\.tmp-\d+|metrics\.csv${TMP}|trajectory\.npy${TMP}|test_attention\.npy${TMP})$`);
const FOLDERS = new Set(['checkpoints', 'resume', 'data']);
const STEP_ZERO_CHECKPOINT = new RegExp(`^step-000000\\.onnx${TMP}$`);
const STEP_ZERO_STATE = new RegExp(`^state-000000\\.npy${TMP}$`);
const MODULUS_FOLDER = /^p\d+$/;
const DATASET_FILE = new RegExp(`^(train|test|heldout)_(tokens|targets)\\.npy${TMP}$`);

function isFolder(path: string): boolean {
  return lstatSync(path).isDirectory();
}

function isFile(path: string): boolean {
  return lstatSync(path).isFile();
}

/** Files only (no links, no folders), every name matching. */
function onlyFiles(dir: string, name: RegExp): boolean {
  return readdirSync(dir).every((n) => name.test(n) && isFile(join(dir, n)));
}

/** metrics.csv holds its header and at most the row of step 0. */
function metricsBeforeStepOne(path: string): boolean {
  if (lstatSync(path).size > 64 * 1024) return false;
  const rows = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(1);
  return rows.every((l) => l.startsWith('0,'));
}

/** Whether `dir` is what a new run leaves when it is killed before writing its first run.json. */
export function isUnstartedRun(dir: string): boolean {
  try {
    const names = readdirSync(dir);
    // train makes checkpoints/ first of all: a folder without it was not started by train
    if (!names.includes('checkpoints') || names.includes('run.json')) return false;
    for (const name of names) {
      const path = join(dir, name);
      if (!TOP_LEVEL.test(name)) return false;
      if (FOLDERS.has(name) !== isFolder(path)) return false;
      if (!FOLDERS.has(name) && !isFile(path)) return false;
      if (name.startsWith('metrics.csv') && !metricsBeforeStepOne(path)) return false;
    }
    if (!onlyFiles(join(dir, 'checkpoints'), STEP_ZERO_CHECKPOINT)) return false;
    if (names.includes('resume') && !onlyFiles(join(dir, 'resume'), STEP_ZERO_STATE)) return false;
    if (names.includes('data')) {
      for (const p of readdirSync(join(dir, 'data'))) {
        const folder = join(dir, 'data', p);
        if (!MODULUS_FOLDER.test(p) || !isFolder(folder) || !onlyFiles(folder, DATASET_FILE)) return false;
      }
    }
    return true;
  } catch {
    return false; // unreadable: leave it alone
  }
}

/** Empties an unstarted run's folder, all but its writer lock (which the caller holds). */
export function clearUnstartedRun(dir: string): void {
  for (const name of readdirSync(dir)) if (name !== LOCK_FILE) rmSync(join(dir, name), { recursive: true, force: true });
}
