import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Suites share real database servers; each uses its own database, so files may run in parallel.
    fileParallelism: true,
  },
});
