import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CommonJS and ESM builds. Node (and so every dependency vitest leaves
    // to Node, like @apollo/server and @graphql-tools) loads the CommonJS one; make the
    // code vitest transforms load the same, or schema objects would come from two realms.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/run-directory.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Suites share real database servers; each uses its own database, so files may run in parallel.
    fileParallelism: true,
    // vitest's default is one worker fewer than the cores, which on the 2-core CI machine is one. Two
    // halve the run there; a third made it slower (the suites that spawn the CLI are CPU-bound) and
    // pushed answers past the time bounds some tests hold them to.
    maxWorkers: 2,
  },
});
