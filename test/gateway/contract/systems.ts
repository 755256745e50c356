/**
 * Each connector kind's copy of a contract table (./city.ts), written the way that kind of
 * system keeps data: SQL tables with native types, BSON documents, a JSON API's nested
 * records, CSV text. Each `store` returns what a mapping needs to reach it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { MongoClient } from 'mongodb';
import { freshPostgresDatabase, MONGODB_URL, MYSQL_URL, withDatabase, withKnex } from '../../support/servers.js';
import { startMongoWireServer } from '../../support/mongo-wire/server.js';
import type { Column, Table, Value } from './city.js';

export const KINDS = ['postgres', 'mysql', 'pglite', 'mongodb', 'rest', 'csv'] as const;
export type Kind = (typeof KINDS)[number];

export interface Stored {
  connection: string;
  /** Extra lines for the mapping's `source:` block (rest and csv settings). */
  sourceSettings: string;
  /** Whether columns are dotted paths into documents. */
  nested: boolean;
  /** The mapping's query time limit, when a test needs a short one. */
  queryTimeoutMs?: number;
  close(): Promise<void>;
}

const SQL_TYPES = {
  postgres: { text: 'text', integer: 'integer', decimal: 'numeric(12,6)', boolean: 'boolean', date: 'date', timestamp: 'timestamp(3)', timestamptz: 'timestamptz(3)' },
  mysql: { text: 'varchar(200)', integer: 'int', decimal: 'decimal(12,6)', boolean: 'boolean', date: 'date', timestamp: 'datetime(3)', timestamptz: 'timestamp(3) null default null' },
} as const;

function ddl(flavour: keyof typeof SQL_TYPES, table: Table): string {
  const quote = (name: string) => (flavour === 'mysql' ? `\`${name}\`` : `"${name}"`);
  return `create table ${table.name} (${table.columns.map((c) => `${quote(c.name)} ${SQL_TYPES[flavour][c.type]}`).join(', ')})`;
}

/** An instant's text as every SQL system accepts it with the session zone pinned to UTC. */
const utcText = (value: Value) => (typeof value === 'string' ? value.replace('T', ' ').replace('Z', '') : value);

function sqlRow(table: Table, row: readonly Value[]): Record<string, Value> {
  return Object.fromEntries(table.columns.map((c, i) => [c.name, c.type === 'timestamptz' ? utcText(row[i]!) : row[i]!]));
}

/** The nested document a document-shaped system keeps for a row. */
function document(table: Table, row: readonly Value[], convert: (column: Column, value: Value) => unknown): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  table.columns.forEach((c, i) => {
    const parts = c.path.split('.');
    let target = doc;
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[parts.at(-1)!] = convert(c, row[i] ?? null);
  });
  return doc;
}

/** Serialises one CSV field, quoting only when needed. */
function csvField(value: Value): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function storePostgres(tables: readonly Table[], database: string): Promise<Stored> {
  const url = await freshPostgresDatabase(database);
  await withKnex('pg', url, async (db) => {
    await db.raw("set time zone 'UTC'");
    for (const table of tables) {
      await db.raw(ddl('postgres', table));
      await db(table.name).insert(table.rows.map((row) => sqlRow(table, row)));
    }
  });
  return { connection: url, sourceSettings: '', nested: false, close: async () => {} };
}

async function storeMysql(tables: readonly Table[], database: string): Promise<Stored> {
  await withKnex('mysql2', MYSQL_URL, async (admin) => {
    await admin.raw(`drop database if exists ${database}`);
    await admin.raw(`create database ${database}`);
  });
  const url = withDatabase(MYSQL_URL, database);
  // One connection: the session zone set first holds for the inserts of instants.
  await withKnex('mysql2', url, async (db) => {
    await db.raw("set time_zone = '+00:00'");
    for (const table of tables) {
      await db.raw(ddl('mysql', table));
      await db(table.name).insert(table.rows.map((row) => sqlRow(table, row)));
    }
  });
  return { connection: url, sourceSettings: '', nested: false, close: async () => {} };
}

async function storePglite(table: Table): Promise<Stored> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-contract-pglite-'));
  const db = new PGlite(dir);
  await db.exec("set time zone 'UTC'");
  await db.exec(ddl('postgres', table));
  const placeholders = table.columns.map((_, i) => `$${i + 1}`).join(', ');
  for (const row of table.rows) await db.query(`insert into ${table.name} values (${placeholders})`, Object.values(sqlRow(table, row)));
  await db.close();
  return { connection: dir, sourceSettings: '', nested: false, close: () => rm(dir, { recursive: true, force: true }) };
}

/** MongoDB at MONGODB_URL when set, else the wire-compatible test server. */
async function storeMongo(table: Table, database: string): Promise<Stored> {
  const server = MONGODB_URL ? undefined : await startMongoWireServer();
  const base = MONGODB_URL ?? server!.url;
  const url = withDatabase(base, database);
  const client = new MongoClient(url);
  try {
    const db = client.db(database);
    await db.dropDatabase();
    // Date-times without offset are kept as BSON dates whose UTC fields hold the wall-clock time, as legacy apps do.
    const bson = (column: Column, value: Value) =>
      value === null ? null : column.type === 'timestamp' ? new Date(`${String(value).replace(' ', 'T')}Z`) : column.type === 'timestamptz' ? new Date(String(value)) : value;
    await db.collection(table.name).insertMany(table.rows.map((row) => document(table, row, bson)));
  } finally {
    await client.close();
  }
  return { connection: url, sourceSettings: '', nested: true, close: async () => server?.close() };
}

/**
 * A vendor-style JSON API on 127.0.0.1: `GET /<table>?offset=&limit=` answers
 * `{ "data": [...], "total": n }`, seven records a page, and applies the filter parameters
 * that the mapping declares (`<column>=` equality, `<column>_in=` comma-separated lists).
 */
async function storeRest(table: Table): Promise<Stored> {
  const records = table.rows.map((row) => document(table, row, (_, value) => value));
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== `/${table.name}`) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    let matching = records;
    for (const c of table.columns) {
      const equal = url.searchParams.get(c.name);
      const among = url.searchParams.get(`${c.name}_in`)?.split(',');
      const read = (record: Record<string, unknown>) => c.path.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], record);
      if (equal !== null) matching = matching.filter((record) => String(read(record)) === equal);
      if (among) matching = matching.filter((record) => among.includes(String(read(record))));
    }
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Math.min(7, Number(url.searchParams.get('limit') ?? 7));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: matching.slice(offset, offset + limit), total: matching.length }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connection: `http://127.0.0.1:${port}/`,
    sourceSettings: ['  rest:', '    records: data', '    pagination: { style: offset, size: 7 }', '    retries: 1'].join('\n'),
    nested: true,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function storeCsv(table: Table): Promise<Stored> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-contract-csv-'));
  await mkdir(dir, { recursive: true });
  const lines = [table.columns.map((c) => c.name).join(','), ...table.rows.map((row) => row.map(csvField).join(','))];
  await writeFile(join(dir, `${table.name}.csv`), `${lines.join('\r\n')}\r\n`);
  return { connection: dir, sourceSettings: '', nested: false, close: () => rm(dir, { recursive: true, force: true }) };
}

export function store(kind: Kind, table: Table, database: string): Promise<Stored> {
  switch (kind) {
    case 'postgres':
      return storePostgres([table], database);
    case 'mysql':
      return storeMysql([table], database);
    case 'pglite':
      return storePglite(table);
    case 'mongodb':
      return storeMongo(table, database);
    case 'rest':
      return storeRest(table);
    case 'csv':
      return storeCsv(table);
  }
}

/** Several tables in one database of a SQL server: one system holding two departments' data. */
export function storeTogether(kind: 'postgres' | 'mysql', tables: readonly Table[], database: string): Promise<Stored> {
  return kind === 'postgres' ? storePostgres(tables, database) : storeMysql(tables, database);
}

/** The table's name as the mapping gives it to each kind. */
export function tableName(kind: Kind, table: Table): string {
  return kind === 'csv' ? `${table.name}.csv` : table.name;
}
