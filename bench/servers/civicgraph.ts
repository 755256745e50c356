/**
 * CivicGraph as the benchmark runs it: `serve()` over the demo connector mappings, pointed
 * at the bench databases through the CIVICGRAPH_* variables the parent passes, without
 * file watching (nothing edits the mappings during a run).
 */
import { fileURLToPath } from 'node:url';
import { serve } from '../../src/gateway/serve.js';
import { HOST } from '../config.js';
import { runChild } from './child.js';

const repo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

runChild(async () => {
  const running = await serve({
    connectorsDir: repo('connectors'),
    schemasDir: repo('schemas'),
    port: 0,
    host: HOST,
    watch: false,
    env: process.env,
    // Audit lines are still composed for every privileged request; only their writing is left out.
    audit: () => undefined,
    log: (line) => process.stderr.write(`[civicgraph] ${line}\n`),
  });
  return { url: running.url.replace(/\/graphql$/, ''), stop: () => running.stop() };
});
