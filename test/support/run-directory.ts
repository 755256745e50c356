/**
 * vitest's global setup: one scratch directory for the whole run, where suites leave what the
 * next suite may reuse instead of building it again (the PGlite demo, see ./demo.ts). It is
 * removed when the run ends, so nothing outlives the run that made it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    runDirectory: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = await mkdtemp(join(tmpdir(), 'civicgraph-test-run-'));
  project.provide('runDirectory', directory);
  return () => rm(directory, { recursive: true, force: true });
}
