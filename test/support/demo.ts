/**
 * The demo departmental systems at a small scale, on embedded PGlite or on the real
 * PostgreSQL server, and the environment that points the demo connector mappings at them.
 */
import knex from 'knex';
import { access, cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadDemoSystem } from '../../src/demo/load.js';
import { prepareDemo } from '../../src/demo/prepare.js';
import { POSTGRES_URL, withDatabase } from './servers.js';

export const SYSTEMS = ['crm-311', 'public-works', 'permits'] as const;
const ENV_PREFIX: Record<(typeof SYSTEMS)[number], string> = { 'crm-311': 'CRM', 'public-works': 'WORKS', permits: 'PERMITS' };

/** 1% of the full demo: about 1,000 service requests, 300 work orders and 200 permits. */
export const TEST_SCALE = 0.01;

export type DemoKind = 'pglite' | 'postgres';

/**
 * A PGlite demo of the suite's own, copied from the one generated for the whole run (a second
 * of copying instead of several of generating). Suites that ask at the same moment may both
 * generate it; the first to finish keeps its copy.
 */
async function pgliteDemo(name: string, scale: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `civicgraph-${name}-`));
  const shared = join(inject('runDirectory'), `pglite-demo-${scale}`);
  if (!(await access(shared).then(() => true, () => false))) {
    const building = await mkdtemp(`${shared}-building-`);
    await prepareDemo(building, { scale });
    // A directory appears whole under its name, or not at all: renamed once complete.
    await rename(building, shared).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(building, { recursive: true, force: true });
    });
  }
  await cp(shared, dir, { recursive: true });
  return dir;
}

/** Builds the demo on `kind` (at `scale` of the full demo) and returns the environment for the connector mappings. */
export async function demoEnvironment(kind: DemoKind, name: string, scale = TEST_SCALE): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  if (kind === 'pglite') {
    const dir = await pgliteDemo(name, scale);
    for (const system of SYSTEMS) {
      env[`CIVICGRAPH_${ENV_PREFIX[system]}_KIND`] = 'pglite';
      env[`CIVICGRAPH_${ENV_PREFIX[system]}_URL`] = join(dir, system);
    }
    return env;
  }
  const admin = knex({ client: 'pg', connection: POSTGRES_URL });
  try {
    for (const system of SYSTEMS) {
      const database = `civicgraph_${name}_${system.replace('-', '_')}`.replace(/-/g, '_');
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
      await admin.raw('CREATE DATABASE ??', [database]);
      const url = withDatabase(POSTGRES_URL, database);
      const db = knex({ client: 'pg', connection: url });
      try {
        await loadDemoSystem(db, system, { scale });
      } finally {
        await db.destroy();
      }
      env[`CIVICGRAPH_${ENV_PREFIX[system]}_KIND`] = 'postgres';
      env[`CIVICGRAPH_${ENV_PREFIX[system]}_URL`] = url;
    }
  } finally {
    await admin.destroy();
  }
  return env;
}
