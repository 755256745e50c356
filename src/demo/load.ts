/**
 * Writes a demo departmental system into any PostgreSQL database reachable through knex
 * (a real server through `pg`, or PGlite through knex-pglite): drops and re-creates its
 * tables, inserts the rows in large multi-row batches and builds the indexes, all in one
 * transaction.
 */
import type { PGliteInterface } from '@electric-sql/pglite';
import type { Knex } from 'knex';
import { demoData, type DemoSystem } from './generate.js';
import type { DemoTable, DemoValue, TableSpec } from './table.js';

export interface LoadOptions {
  /** Multiplies the row counts (default 1: ~105,000 service requests). */
  scale?: number;
  log?: (line: string) => void;
}

/** PostgreSQL accepts at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 60_000;
const MAX_BATCH_ROWS = 2_000;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

async function createTable(db: Knex.Transaction, spec: TableSpec): Promise<void> {
  await db.schema.dropTableIfExists(spec.name);
  await db.schema.createTable(spec.name, (t) => {
    for (const c of spec.columns) {
      const column = t.specificType(c.name, c.type);
      if (c.nullable) column.nullable();
      else column.notNullable();
    }
    t.primary(spec.primaryKey);
    for (const columns of spec.unique ?? []) t.unique(columns);
  });
}

async function createIndexes(db: Knex.Transaction, spec: TableSpec): Promise<void> {
  if (spec.indexes.length === 0) return;
  await db.schema.alterTable(spec.name, (t) => {
    for (const columns of spec.indexes) t.index(columns);
  });
  await db.raw(`analyze ${quote(spec.name)}`);
}

async function insertRows(db: Knex.Transaction, table: DemoTable): Promise<void> {
  const { spec, rows } = table;
  const width = spec.columns.length;
  const batch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / width)));
  const head = `insert into ${quote(spec.name)} (${spec.columns.map((c) => quote(c.name)).join(', ')}) values `;
  const tuple = `(${new Array<string>(width).fill('?').join(', ')})`;
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const bindings: DemoValue[] = [];
    for (const row of chunk) for (const value of row) bindings.push(value);
    await db.raw(head + new Array<string>(chunk.length).fill(tuple).join(', '), bindings);
  }
}

/** The PGlite instance behind a knex-pglite connection, if that is what `db` is. */
function pgliteOf(db: Knex): PGliteInterface | undefined {
  // Duck-typed: knex-pglite loads PGlite's CommonJS build, a different class from the ESM one.
  const candidate = (db.client as { pglite?: Partial<PGliteInterface> }).pglite;
  return candidate && typeof candidate.query === 'function' && typeof candidate.close === 'function'
    ? (candidate as PGliteInterface)
    : undefined;
}

/** A value in PostgreSQL's COPY text format. */
function copyText(value: DemoValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

const COPY_BATCH_ROWS = 25_000;

/**
 * PGlite's fast path: COPY FROM '/dev/blob' is several times faster than INSERT. It runs
 * on the same single connection as the knex transaction, so it is part of it.
 */
async function copyRows(pglite: PGliteInterface, table: DemoTable): Promise<void> {
  const { spec, rows } = table;
  const sql = `copy ${quote(spec.name)} (${spec.columns.map((c) => quote(c.name)).join(', ')}) from '/dev/blob'`;
  for (let start = 0; start < rows.length; start += COPY_BATCH_ROWS) {
    const lines: string[] = [];
    for (const row of rows.slice(start, start + COPY_BATCH_ROWS)) lines.push(`${row.map(copyText).join('\t')}\n`);
    await pglite.query(sql, [], { blob: new Blob(lines) });
  }
}

/** Creates one demo system's tables in `db` (replacing any that exist) and fills them. */
export async function loadDemoSystem(db: Knex, system: DemoSystem, options: LoadOptions = {}): Promise<void> {
  const data = demoData(options.scale ?? 1);
  const tables = data.tables[system];
  const pglite = pgliteOf(db);
  await db.transaction(async (trx) => {
    for (const table of tables) {
      const started = performance.now();
      await createTable(trx, table.spec);
      if (pglite) await copyRows(pglite, table);
      else await insertRows(trx, table);
      const loaded = performance.now();
      await createIndexes(trx, table.spec);
      const done = performance.now();
      options.log?.(
        `${system}: ${table.spec.name}: ${table.rows.length} rows loaded in ${seconds(loaded - started)}, indexed in ${seconds(done - loaded)}`,
      );
    }
  });
}
