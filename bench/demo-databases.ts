/**
 * Makes sure the full demo is loaded into one PostgreSQL database per departmental system.
 * Loading takes a minute or more, so each database carries a marker (its COMMENT, set only
 * after its load committed) naming the demo data version and scale; a rerun reuses every
 * database whose marker is current and reloads only the others.
 */
import knex from 'knex';
import { DEMO_DATA_VERSION, DEMO_SYSTEMS, releaseDemoData, type DemoSystem } from '../src/demo/generate.js';
import { loadDemoSystem } from '../src/demo/load.js';
import { BENCH_SCALE, DATABASES, POSTGRES_URL, databaseUrl } from './config.js';

const marker = (system: DemoSystem): string => `civicgraph-bench ${system} ${DEMO_DATA_VERSION} scale=${BENCH_SCALE}`;

/** COMMENT takes no bind parameters; the marker holds no quote, but escape anyway. */
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export async function ensureDemoDatabases(log: (line: string) => void): Promise<void> {
  const admin = knex({ client: 'pg', connection: POSTGRES_URL, pool: { min: 0, max: 1 } });
  try {
    for (const system of DEMO_SYSTEMS) {
      const database = DATABASES[system];
      const found = await admin.raw<{ rows: { comment: string | null }[] }>(
        "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = ?",
        [database],
      );
      if (found.rows[0]?.comment === marker(system)) {
        log(`${system}: reusing database ${database} (${DEMO_DATA_VERSION})`);
        continue;
      }
      log(`${system}: loading the demo into database ${database} …`);
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
      await admin.raw('CREATE DATABASE ??', [database]);
      const db = knex({ client: 'pg', connection: databaseUrl(system), pool: { min: 0, max: 1 } });
      try {
        await loadDemoSystem(db, system, { scale: BENCH_SCALE, log });
      } finally {
        await db.destroy();
      }
      await admin.raw(`COMMENT ON DATABASE ?? IS ${literal(marker(system))}`, [database]);
    }
  } finally {
    await admin.destroy();
    // The generated rows (a few hundred MB of heap) are no longer needed once loaded.
    releaseDemoData();
  }
}
