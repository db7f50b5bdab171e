/**
 * The engine's imports run one way (src-main/engine/LAYERS.md):
 *   task → io → model → onnx → runs → train → analysis → experiment
 * A file may import its own layer or a lower one, never a higher one, and the engine never
 * imports the doors above it (api, jobs, app, serve, cli, preload) or electron. This test parses
 * every engine file's imports (static, re-exports and dynamic) with TypeScript's own scanner.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENGINE = 'src-main/engine';

const LAYERS = ['task', 'io', 'model', 'onnx', 'runs', 'train', 'analysis', 'experiment'] as const;
/** Files directly under engine/ and the layer they sit in. */
const LOOSE_FILES: Record<string, (typeof LAYERS)[number]> = {
  // selects the tfjs backend the model's tensors run on; imports nothing of the engine
  'backend.ts': 'model',
};
const FORBIDDEN_DOORS = ['api', 'jobs', 'app', 'serve', 'cli', 'preload'];

/** The layer of an engine file (path relative to the repository), or null if it is outside the engine. */
function layerOf(file: string): number | null {
  if (!file.startsWith(`${ENGINE}/`)) return null;
  const rest = file.slice(ENGINE.length + 1);
  const dir = rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : null;
  const layer = dir === null ? LOOSE_FILES[rest] : (LAYERS as readonly string[]).includes(dir) ? dir : undefined;
  if (layer === undefined) throw new Error(`${file} is in no layer; add its folder to LAYERS (and LAYERS.md)`);
  return LAYERS.indexOf(layer as (typeof LAYERS)[number]);
}

/** Every problem with one engine file's imports, as sentences (empty when it is fine). */
function checkImports(file: string, specifiers: string[]): string[] {
  const own = layerOf(file)!;
  const problems: string[] = [];
  for (const spec of specifiers) {
    if (spec === 'electron' || spec.startsWith('electron/')) {
      problems.push(`${file} imports electron`);
      continue;
    }
    if (!spec.startsWith('.')) continue; // a package
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
    if (!target.startsWith(`${ENGINE}/`)) {
      const door = FORBIDDEN_DOORS.find((d) => target.startsWith(`src-main/${d}/`));
      problems.push(door ? `${file} imports ${door}/ (${spec}); the engine never imports the doors above it` : `${file} imports ${target} from outside the engine`);
      continue;
    }
    const theirs = layerOf(target)!;
    if (theirs > own) problems.push(`${file} (${LAYERS[own]}) imports ${spec} (${LAYERS[theirs]}), a higher layer`);
  }
  return problems;
}

/** The module specifiers a source file imports, re-exports or imports dynamically. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function engineFiles(dir = join(ROOT, ENGINE)): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? engineFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('engine layers', () => {
  it('every engine file imports only its own layer or lower ones, and no door or electron', () => {
    const files = engineFiles();
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((abs) => {
      const file = relative(ROOT, abs).split('\\').join('/');
      return checkImports(file, importsOf(readFileSync(abs, 'utf8')));
    });
    expect(problems).toEqual([]);
  });

  it('the checker finds the upward imports the engine had before this layering', () => {
    // the imports as they were: npy → runs/atomic, snapshot → analysis and train, experiment →
    // analysis/summary, runFolder → train/config
    expect(checkImports('src-main/engine/task/npy.ts', ['node:fs', '../runs/atomic.js'])).toEqual(['src-main/engine/task/npy.ts (task) imports ../runs/atomic.js (runs), a higher layer']);
    expect(checkImports('src-main/engine/onnx/snapshot.ts', ['./export.js', '../runs/runFolder.js', '../train/config.js', '../analysis/source.js'])).toHaveLength(3);
    expect(checkImports('src-main/engine/train/experiment.ts', ['../analysis/summary.js', '../runs/runFolder.js'])).toHaveLength(1);
    expect(checkImports('src-main/engine/runs/runFolder.ts', ['../train/config.js', '../backend.js', '../task/npy.js'])).toHaveLength(1);
  });

  it('the checker refuses the doors, electron and unknown folders, and allows its own and lower layers', () => {
    expect(checkImports('src-main/engine/train/trainer.ts', ['../../api/contract.js'])).toEqual(['src-main/engine/train/trainer.ts imports api/ (../../api/contract.js); the engine never imports the doors above it']);
    expect(checkImports('src-main/engine/experiment/experiment.ts', ['../../jobs/run-launcher.js'])[0]).toMatch(/imports jobs\//);
    expect(checkImports('src-main/engine/analysis/x.ts', ['electron'])).toEqual(['src-main/engine/analysis/x.ts imports electron']);
    expect(checkImports('src-main/engine/runs/x.ts', ['../backend.js', './runFolder.js', '../io/atomic.js', '../task/data.js', '@tensorflow/tfjs'])).toEqual([]);
    expect(checkImports('src-main/engine/backend.ts', ['../runs/runFolder.js'])).toHaveLength(1);
    expect(() => checkImports('src-main/engine/train/x.ts', ['../figures/y.js'])).toThrow(/is in no layer/);
  });

  it('reads static imports, re-exports and dynamic imports', () => {
    expect(importsOf("import a from './a.js';\nexport { b } from '../b.js';\nimport type { C } from './c.js';\nconst d = await import('../d.js');")).toEqual(['./a.js', '../b.js', './c.js', '../d.js']);
  });
});
