import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest 4 replaced `poolOptions.forks.maxForks` with top-level `maxWorkers`.
    // Training tests are CPU-heavy, so cap concurrency at two worker processes.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
