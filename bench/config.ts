/**
 * Where the benchmark's databases live and how the demo connector mappings are pointed at
 * them. Everything the benchmark starts listens on 127.0.0.1 only.
 */
import { BENCH_JWT_SECRET } from './credentials.js';
import { DEMO_SYSTEMS, type DemoSystem } from '../src/demo/generate.js';

export const HOST = '127.0.0.1';

/** The PostgreSQL server's admin URL; its database part is replaced per demo system. */
export const POSTGRES_URL = process.env.CIVICGRAPH_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The full demo: ~105,000 service requests, ~34,000 work orders, ~21,000 permits. */
export const BENCH_SCALE = 1;

/** Kept apart from the test suites' databases, which are dropped and re-created at every run. */
export const DATABASES: Record<DemoSystem, string> = {
  'crm-311': 'civicgraph_bench_crm_311',
  'public-works': 'civicgraph_bench_public_works',
  permits: 'civicgraph_bench_permits',
};

/** The prefix of each demo mapping's `${CIVICGRAPH_<PREFIX>_KIND}` / `_URL` variables. */
const ENV_PREFIX: Record<DemoSystem, string> = { 'crm-311': 'CRM', 'public-works': 'WORKS', permits: 'PERMITS' };

export function databaseUrl(system: DemoSystem): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${DATABASES[system]}`;
  return url.toString();
}

/** The environment that points connectors/*.yaml at the bench databases (the baselines read it too), and CivicGraph's token secret. */
export function sourceEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const system of DEMO_SYSTEMS) {
    env[`CIVICGRAPH_${ENV_PREFIX[system]}_KIND`] = 'postgres';
    env[`CIVICGRAPH_${ENV_PREFIX[system]}_URL`] = databaseUrl(system);
  }
  env.CIVICGRAPH_JWT_SECRET = BENCH_JWT_SECRET;
  // The load generator is one client sending thousands of requests a second: measure the
  // gateway, not its rate limiter's refusals. Requests and their estimated cost are still
  // counted and spent, in process, against budgets no run can exhaust (Q1 as the public role
  // would spend the demo's 250,000 per minute in about six seconds).
  for (const kind of ['ANONYMOUS', 'APP_TOKEN', 'TOKEN']) {
    env[`CIVICGRAPH_RATE_LIMIT_${kind}`] = '1000000000';
    env[`CIVICGRAPH_RATE_LIMIT_COST_${kind}`] = '1000000000000';
  }
  return env;
}

/** A system's database URL as a child process sees it, from the environment above. */
export function sourceUrlFromEnv(system: DemoSystem, env: NodeJS.ProcessEnv = process.env): string {
  const url = env[`CIVICGRAPH_${ENV_PREFIX[system]}_URL`];
  if (!url) throw new Error(`CIVICGRAPH_${ENV_PREFIX[system]}_URL is not set`);
  return url;
}
