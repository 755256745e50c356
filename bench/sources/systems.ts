/**
 * The benchmark table on each kind of system measured: PostgreSQL (the baseline: everything
 * in the database), a CSV file and a JSON API (everything the system cannot do, in memory).
 * MongoDB is left out: the only MongoDB here is the mingo test server, whose speed says
 * nothing about MongoDB's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { Secret } from '../../src/config/secret.js';
import type { SourceConfig, SourceKind } from '../../src/config/mapping.js';
import { openCsvSource } from '../../src/source/csv/csv-source.js';
import { openRestSource } from '../../src/source/rest/rest-source.js';
import type { Source, TableSettings } from '../../src/source/source.js';
import { openSqlSource } from '../../src/source/sql/sql-source.js';
import { COLUMNS, TABLE, type Value } from './data.js';

export interface Measured {
  kind: string;
  source: Source;
  /** The table's name in this system (a CSV file's name ends in .csv). */
  table: string;
  close(): Promise<void>;
}

const POSTGRES_URL = process.env.CIVICGRAPH_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'civicgraph_bench_sources';

function config(kind: SourceKind, connection: string, extra: Partial<SourceConfig> = {}): SourceConfig {
  return {
    kind,
    connection: new Secret(connection),
    pool: { min: 0, max: 10 },
    queryTimeoutMs: 60_000,
    timezone: 'America/Chicago',
    memoryRowLimit: 10_000_000,
    at: { file: 'bench/sources/systems.ts', line: 1, column: 1 },
    ...extra,
  };
}

const SETTINGS: TableSettings = { columns: new Map(COLUMNS), filterParams: [{ column: 'status', op: 'eq', param: 'status' }] };

export async function postgres(rows: readonly Value[][]): Promise<Measured> {
  const admin = knex({ client: 'pg', connection: POSTGRES_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`drop database if exists ${DATABASE} with (force)`);
    await admin.raw(`create database ${DATABASE}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${DATABASE}`;
  const db = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  try {
    await db.raw(`create table ${TABLE} (id integer primary key, status text, work_type text, created timestamp, cost numeric(10,2), crew text)`);
    for (let start = 0; start < rows.length; start += 5_000) {
      await db(TABLE).insert(rows.slice(start, start + 5_000).map((row) => Object.fromEntries(COLUMNS.map(([name], i) => [name, row[i]]))));
    }
    await db.raw(`analyze ${TABLE}`);
  } finally {
    await db.destroy();
  }
  const source = openSqlSource('postgres', config('postgres', url.toString()));
  return { kind: 'PostgreSQL', source, table: TABLE, close: () => source.close() };
}

export async function csv(rows: readonly Value[][]): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-bench-csv-'));
  const lines = [COLUMNS.map(([name]) => name).join(','), ...rows.map((row) => row.map((value) => (value === null ? '' : String(value))).join(','))];
  await writeFile(join(dir, `${TABLE}.csv`), `${lines.join('\n')}\n`);
  const source = openCsvSource('csv', config('csv', dir), new Map([[`${TABLE}.csv`, SETTINGS]]));
  return {
    kind: 'CSV',
    source,
    table: `${TABLE}.csv`,
    close: async () => {
      await source.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON API on 127.0.0.1 answering 1,000 records a page, applying `status=` itself. */
export async function rest(rows: readonly Value[][]): Promise<Measured> {
  const records = rows.map((row) => Object.fromEntries(COLUMNS.map(([name], i) => [name, row[i]])));
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const status = url.searchParams.get('status');
    const matching = status === null ? records : records.filter((record) => record.status === status);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: matching.slice(offset, offset + 1000) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const rest = { headers: [], query: [], records: 'data', pagination: { style: 'offset' as const, offsetParam: 'offset', limitParam: 'limit', size: 1000 }, retries: 0, maxResponseBytes: 64 * 1024 * 1024 };
  const source = openRestSource('rest', config('rest', base, { rest }), new Map([[TABLE, SETTINGS]]));
  return {
    kind: 'REST API',
    source,
    table: TABLE,
    close: async () => {
      await source.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
