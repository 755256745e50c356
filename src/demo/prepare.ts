/**
 * Makes sure the three demo departmental systems exist as embedded PGlite databases under
 * a data directory, generating them on first run only. Each system lives in
 * `<dataDir>/<system>/`; a marker file written last (after the database is closed) holds
 * the data version and scale, so an interrupted or outdated generation is detected and redone.
 */
import { PGlite } from '@electric-sql/pglite';
import knex from 'knex';
import ClientPgLite from 'knex-pglite';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_DATA_VERSION, DEMO_SYSTEMS, demoData, releaseDemoData, type DemoSystem } from './generate.js';
import { loadDemoSystem } from './load.js';

export interface PrepareOptions {
  /** Multiplies the row counts (default 1). */
  scale?: number;
  log?: (line: string) => void;
}

/** The marker file inside each system's directory. */
export const MARKER_FILE = 'civicgraph-demo.json';

interface Marker {
  version: string;
  scale: number;
  system: DemoSystem;
}

async function isComplete(dir: string, system: DemoSystem, scale: number): Promise<boolean> {
  try {
    const marker = JSON.parse(await readFile(join(dir, MARKER_FILE), 'utf8')) as Partial<Marker>;
    return marker.version === DEMO_DATA_VERSION && marker.scale === scale && marker.system === system;
  } catch {
    return false;
  }
}

/**
 * Creates an empty PGlite database in `dir`. Done for every missing system before the
 * data is generated: PGlite's initdb runs several times slower once the generated rows
 * fill the JavaScript heap.
 */
async function initDatabase(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const pglite = new PGlite(dir);
  await pglite.close();
}

async function fillSystem(dir: string, system: DemoSystem, scale: number, log?: (line: string) => void): Promise<void> {
  const pglite = new PGlite(dir);
  const db = knex({ client: ClientPgLite, dialect: 'postgres', connection: { pglite } as never });
  try {
    await loadDemoSystem(db, system, log ? { scale, log } : { scale });
  } finally {
    // Destroying knex closes its only connection, the PGlite instance; close it anyway if not.
    await db.destroy();
    if (!pglite.closed) await pglite.close();
  }
  const marker: Marker = { version: DEMO_DATA_VERSION, scale, system };
  await writeFile(join(dir, MARKER_FILE), `${JSON.stringify(marker)}\n`);
}

/** Generates whichever demo systems under `dataDir` are missing, incomplete or outdated. */
export async function prepareDemo(dataDir: string, options: PrepareOptions = {}): Promise<void> {
  const scale = options.scale ?? 1;
  const log = options.log;
  const missing: DemoSystem[] = [];
  for (const system of DEMO_SYSTEMS) {
    if (!(await isComplete(join(dataDir, system), system, scale))) missing.push(system);
  }
  const [first, ...rest] = missing;
  if (first === undefined) {
    log?.(`demo systems ready in ${dataDir}`);
    return;
  }
  const started = performance.now();
  const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  // initdb once; the other systems start from a copy of the fresh, closed cluster.
  await initDatabase(join(dataDir, first));
  for (const system of rest) {
    await rm(join(dataDir, system), { recursive: true, force: true });
    await cp(join(dataDir, first), join(dataDir, system), { recursive: true });
  }
  log?.(`created ${missing.length} empty database(s) in ${seconds(started)}`);
  try {
    const generating = performance.now();
    demoData(scale);
    log?.(`generated demo data (scale ${scale}) in ${seconds(generating)}`);
    for (const system of missing) {
      const began = performance.now();
      await fillSystem(join(dataDir, system), system, scale, log);
      log?.(`${system}: written to ${join(dataDir, system)} in ${seconds(began)}`);
    }
  } finally {
    releaseDemoData();
  }
  log?.(`demo systems ready in ${dataDir} after ${seconds(started)}`);
}
