/**
 * CivicGraph as the benchmark runs it: `serve()` over a copy of the demo connector mappings
 * that lets every load connection run at once (bench-connectors.ts), pointed at the bench
 * databases through the CIVICGRAPH_* variables the parent passes, without file watching
 * (nothing edits the mappings during a run).
 *
 * Arguments: `--connections N`, the load's connections; `--no-limits`, to serve without the
 * per-role limits (static limits, cost estimate and budget, answer size, requests in flight),
 * so that the benchmark can measure what they cost; `--cache`, to serve with the response cache
 * (in process, or in CIVICGRAPH_REDIS_URL's Redis), which is off otherwise so that every
 * request does the work being measured.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve } from '../../src/gateway/serve.js';
import { HOST } from '../config.js';
import { benchConnectors } from './bench-connectors.js';
import { runChild } from './child.js';

const repo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const { values } = parseArgs({ options: { connections: { type: 'string' }, 'no-limits': { type: 'boolean' }, cache: { type: 'boolean' } }, strict: true });

runChild(async () => {
  const connectors = await benchConnectors(repo('connectors'), Number(values.connections ?? 10));
  try {
    const running = await serve({
      connectorsDir: connectors.dir,
      schemasDir: repo('schemas'),
      port: 0,
      host: HOST,
      watch: false,
      env: { ...process.env, CIVICGRAPH_CACHE: values.cache ? 'on' : 'off' },
      enforceLimits: !values['no-limits'],
      // Audit lines are still composed for every privileged request; only their writing is left out.
      audit: () => undefined,
      // Each request's log line is still composed; only its writing is left out, as for audit lines,
      // so that the load's console stays readable.
      log: (message, _level, fields) => {
        if (fields?.requestId === undefined) process.stderr.write(`[civicgraph] ${message}\n`);
      },
    });
    return {
      url: running.url.replace(/\/graphql$/, ''),
      stop: () => running.stop().finally(() => connectors.remove()),
    };
  } catch (error) {
    await connectors.remove();
    throw error;
  }
});
