import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // a figure drawing with a part of ECharts that figures/echarts.ts does not register fails its test
    setupFiles: ['tests/setup/echarts-parts.ts'],
    // Long enough for the training tests on a machine shared with other work (a load of 30 on
    // 2 cores took the fig5 experiment test past 2 minutes); hooks train small runs too.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Vitest 4 replaced `poolOptions.forks.maxForks` with top-level `maxWorkers`.
    // Training tests are CPU-heavy, so cap concurrency at two worker processes.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
