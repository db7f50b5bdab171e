import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const r = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: {
      // `dependencies` from package.json are externalized by default (build.externalizeDeps);
      // also keep every TensorFlow package (incl. the optional tfjs-node) and the native
      // ONNX runtime out of the bundle explicitly.
      externalizeDeps: true,
      // Entries: the main process (out/main/index.js) and the job worker it forks as an
      // Electron utility process (out/main/job-worker.js); and, for plain Node, the CLI
      // (out/main/cli.js, which bin/ runs while it is newer than src-main/, so a command does not
      // compile TypeScript first) with the workers it forks; and t-SNE's helper thread
      // (out/main/tsne-thread.js). Engine code they share goes to out/main/chunks/; none but index
      // imports electron.
      rolldownOptions: {
        input: {
          index: r('./src-main/app/index.ts'),
          'job-worker': r('./src-main/jobs/electron-worker.ts'),
          cli: r('./src-main/cli/main.ts'),
          'node-worker': r('./src-main/jobs/node-worker.ts'),
          'tsne-thread': r('./src-main/engine/analysis/tsne-thread.ts'),
        },
        external: [/^@tensorflow\//, /^onnxruntime-node(\/.*)?$/],
      },
    },
  },
  preload: {
    build: {
      // The renderer is sandboxed: the preload must be one self-contained CommonJS file
      // (sandboxed preloads can only require('electron') and a few polyfilled modules).
      externalizeDeps: false,
      lib: {
        entry: r('./src-main/preload/index.ts'),
        formats: ['cjs'],
        fileName: () => 'index.cjs',
      },
      rolldownOptions: {
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
        },
      },
    },
  },
  renderer: {
    root: r('./src-renderer'),
    plugins: [vue()],
    build: {
      rolldownOptions: {
        input: r('./src-renderer/index.html'),
      },
    },
  },
});
