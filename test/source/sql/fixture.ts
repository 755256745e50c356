/**
 * The SQL connector suites' harnesses: the contract data (../contract/data.ts) created on
 * each database with that dialect's DDL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knex, { type Knex } from 'knex';
import type { SourceConfig, SourceKind } from '../../../src/config/mapping.js';
import type { Source } from '../../../src/source/source.js';
import { type Cell, PLACE_ROWS, PLACES, RAW_ROWS, TABLE, VISIT_ROWS, VISITS } from '../contract/data.js';
import type { ContractHarness } from '../contract/cases.js';
import { openSqlSource } from '../../../src/source/sql/sql-source.js';
import { MSSQL_URL, MYSQL_URL, POSTGRES_URL, withDatabase } from '../../support/servers.js';
import { testSourceConfig } from '../source-config.js';

export { ALL, type Cell, EXPECTED_ROWS, RAW_ROWS, TABLE, VISIT_ROWS, VISITS } from '../contract/data.js';

export const DATABASE = 'civicgraph_test_sql';
/** East of UTC by 13 hours in February: a bucket taken in this zone would move late-UTC instants to the next day. */
const NON_UTC_ZONE = 'Pacific/Auckland';

export function sourceConfig(kind: SourceKind, connection: string, queryTimeoutMs = 20_000, pool?: SourceConfig['pool']): SourceConfig {
  return testSourceConfig(kind, connection, 'test/source/sql/fixture.ts', { queryTimeoutMs, ...(pool ? { pool } : {}) });
}

/** Probes have one pooled connection, so that a test can make a statement wait for it. */
const PROBE_POOL = { min: 0, max: 1 };

type Flavour = 'postgres' | 'mysql' | 'mssql';

const VISIT_DDL: Record<Flavour, string> = {
  postgres: `create table ${VISITS} (
    id integer primary key, case_id integer, address varchar(200), house_no integer, amount numeric(10,2),
    visit_on date, visit_at timestamp(3), logged_at timestamptz(3), rank integer)`,
  mysql: `create table ${VISITS} (
    id int primary key, case_id int null, address varchar(200) null, house_no int null, amount decimal(10,2) null,
    visit_on date null, visit_at datetime(3) null, logged_at timestamp(3) null default null, \`rank\` int null)`,
  mssql: `create table dbo.${VISITS} (
    id int primary key, case_id int null, address nvarchar(200) null, house_no int null, amount decimal(10,2) null,
    visit_on date null, visit_at datetime2(3) null, logged_at datetimeoffset(3) null, [rank] int null)`,
};

const PLACE_DDL: Record<Flavour, string> = {
  postgres: `create table ${PLACES} (
    id integer primary key, address varchar(200), lat numeric(10,6), lon numeric(10,6), seen_on date, seen_at timestamp(3), logged_at timestamptz(3))`,
  mysql: `create table ${PLACES} (
    id int primary key, address varchar(200) null, lat decimal(10,6) null, lon decimal(10,6) null, seen_on date null, seen_at datetime(3) null,
    logged_at timestamp(3) null default null) character set utf8mb4`,
  mssql: `create table dbo.${PLACES} (
    id int primary key, address nvarchar(200) null, lat decimal(10,6) null, lon decimal(10,6) null, seen_on date null, seen_at datetime2(3) null,
    logged_at datetimeoffset(3) null)`,
};

const DDL: Record<Flavour, string> = {
  postgres: `create table ${TABLE} (
    id integer primary key, title varchar(200) not null, status varchar(10), priority integer,
    cost numeric(10,2), is_open boolean, opened_on date, opened_at timestamp(3), closed_at timestamptz(3), "Ward" text)`,
  mysql: `create table ${TABLE} (
    id int primary key, title varchar(200) not null, status varchar(10) null, priority int null,
    cost decimal(10,2) null, is_open boolean null, opened_on date null, opened_at datetime(3) null,
    closed_at timestamp(3) null default null, \`Ward\` text null)`,
  mssql: `create table dbo.${TABLE} (
    id int primary key, title nvarchar(200) not null, status nvarchar(10) null, priority int null,
    cost decimal(10,2) null, is_open bit null, opened_on date null, opened_at datetime2(3) null,
    closed_at datetimeoffset(3) null, [Ward] nvarchar(max) null)`,
};

function literal(flavour: Flavour, cell: Cell, instant = false): string {
  if (cell === null) return 'null';
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'boolean') return flavour === 'postgres' ? String(cell) : cell ? '1' : '0';
  const text = `'${cell.replace(/'/g, "''")}'`;
  if (!instant) return flavour === 'mssql' ? `N${text}` : text;
  // The instants are written in UTC; MySQL's TIMESTAMP takes the session zone, pinned to UTC below.
  return flavour === 'postgres' ? `'${cell}+00'` : flavour === 'mssql' ? `'${cell} +00:00'` : text;
}

function insertSql(flavour: Flavour): string {
  const values = RAW_ROWS.map((row) => `(${row.map((cell, i) => literal(flavour, cell, i === 8)).join(', ')})`);
  return `insert into ${TABLE} values ${values.join(', ')}`;
}

function insertVisitsSql(flavour: Flavour): string {
  const values = VISIT_ROWS.map((row) => `(${row.map((cell, i) => literal(flavour, cell, i === 7)).join(', ')})`);
  return `insert into ${VISITS} values ${values.join(', ')}`;
}

function insertPlacesSql(flavour: Flavour): string {
  const values = PLACE_ROWS.map((row) => `(${row.map((cell, i) => literal(flavour, cell, i === 6)).join(', ')})`);
  return `insert into ${PLACES} values ${values.join(', ')}`;
}

/** The places table, for the transforms a source computes (../contract/transform-cases.ts). */
function placeSql(flavour: Flavour): string[] {
  return [PLACE_DDL[flavour], insertPlacesSql(flavour)];
}

/** A table created after the statistics were gathered, with UNANALYSED_ROWS rows: its estimate cannot come from them. */
export const UNANALYSED = 'sr_unanalysed';
export const UNANALYSED_ROWS = 3;
/** A view of the fixture table: no database keeps a row count for a view. */
export const CASE_VIEW = 'sr_case_view';

function extraTablesSql(flavour: Flavour): string[] {
  const schema = flavour === 'mssql' ? 'dbo.' : '';
  const rows = Array.from({ length: UNANALYSED_ROWS }, (_, i) => `(${i + 1})`).join(', ');
  return [
    `create view ${schema}${CASE_VIEW} as select id from ${schema}${TABLE}`,
    `create table ${schema}${UNANALYSED} (id int primary key)`,
    `insert into ${schema}${UNANALYSED} values ${rows}`,
  ];
}

/** A database a behavioural suite runs against. */
export interface Harness extends ContractHarness {
  kind: SourceKind;
  /** The fixture table, schema-qualified. */
  qualifiedTable: string;
  /** An expression that takes about `seconds` to evaluate. */
  sleep(seconds: number): string;
  /** Opens another source (closed by the caller) that can see `table`, with its own time limit. */
  /** A source of its own with the given time limit and one pooled connection. */
  openProbe(queryTimeoutMs: number): { source: Source; table: string };
  /**
   * How many statements other connections are running on the fixture database whose text
   * contains `text`, as the server sees them; undefined for PGlite, which has no server.
   */
  runningStatements?(text: string): Promise<number>;
  /** A URL for the same server kind that nothing listens on / that carries bad credentials, or undefined (PGlite). */
  unreachableUrl?: string;
  badLoginUrl?: string;
}

async function withAdmin<T>(client: string, url: string, work: (db: Knex) => Promise<T>): Promise<T> {
  const db = knex({ client, connection: url, pool: { min: 0, max: 1 } });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

export async function postgresHarness(): Promise<Harness> {
  await withAdmin('pg', POSTGRES_URL, async (db) => {
    await db.raw(`drop database if exists ${DATABASE} with (force)`);
    await db.raw(`create database ${DATABASE}`);
    // A session zone other than UTC by default: the source must pin its sessions to UTC (time buckets).
    await db.raw(`alter database ${DATABASE} set timezone to '${NON_UTC_ZONE}'`);
  });
  const url = withDatabase(POSTGRES_URL, DATABASE);
  await withAdmin('pg', url, async (db) => {
    await db.raw(DDL.postgres);
    await db.raw(insertSql('postgres'));
    await db.raw(VISIT_DDL.postgres);
    await db.raw(insertVisitsSql('postgres'));
    for (const statement of placeSql('postgres')) await db.raw(statement);
    await db.raw(`analyze ${TABLE}, ${VISITS}`);
    for (const statement of extraTablesSql('postgres')) await db.raw(statement);
  });
  const source = openSqlSource('pg-fixture', sourceConfig('postgres', url));
  const server = new URL(POSTGRES_URL);
  return {
    kind: 'postgres',
    qualifiedTable: `public.${TABLE}`,
    sleep: (s) => `pg_sleep(${s})`,
    openProbe: (ms) => ({ source: openSqlSource('pg-probe', sourceConfig('postgres', url, ms, PROBE_POOL)), table: TABLE }),
    runningStatements: (text) =>
      withAdmin('pg', url, async (db) => {
        const { rows } = await db.raw<{ rows: Array<{ n: number }> }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid() and position(? in query) > 0",
          [text],
        );
        return rows[0]!.n;
      }),
    unreachableUrl: `postgres://civic:s3cretPW@127.0.0.1:1/${DATABASE}`,
    badLoginUrl: `postgres://no_such_role_civic:s3cretPW@${server.host}/${DATABASE}`,
    source,
    rowEstimates: 'statistics',
    teardown: () => source.close(),
  };
}

export async function mysqlHarness(): Promise<Harness> {
  await withAdmin('mysql2', MYSQL_URL, async (db) => {
    await db.raw(`drop database if exists ${DATABASE}`);
    await db.raw(`create database ${DATABASE}`);
  });
  const url = withDatabase(MYSQL_URL, DATABASE);
  await withAdmin('mysql2', url, async (db) => {
    await db.raw(DDL.mysql);
    await db.raw(`set time_zone = '+00:00'`);
    await db.raw(insertSql('mysql'));
    await db.raw(VISIT_DDL.mysql);
    await db.raw(insertVisitsSql('mysql'));
    for (const statement of placeSql('mysql')) await db.raw(statement);
    await db.raw(`analyze table ${TABLE}, ${VISITS}`);
    for (const statement of extraTablesSql('mysql')) await db.raw(statement);
  });
  const source = openSqlSource('mariadb-fixture', sourceConfig('mysql', url));
  const server = new URL(MYSQL_URL);
  return {
    kind: 'mysql',
    qualifiedTable: `${DATABASE}.${TABLE}`,
    sleep: (s) => `SLEEP(${s})`,
    openProbe: (ms) => ({ source: openSqlSource('mariadb-probe', sourceConfig('mysql', url, ms, PROBE_POOL)), table: TABLE }),
    runningStatements: (text) =>
      withAdmin('mysql2', url, async (db) => {
        const [rows] = await db.raw<[Array<{ n: number }>, unknown]>(
          "select count(*) as n from information_schema.PROCESSLIST where DB = database() and COMMAND = 'Query' and ID <> connection_id() and locate(?, INFO) > 0",
          [text],
        );
        return Number(rows[0]!.n);
      }),
    unreachableUrl: `mysql://civic:s3cretPW@127.0.0.1:1/${DATABASE}`,
    badLoginUrl: `mysql://no_such_user_civic:s3cretPW@${server.host}/${DATABASE}`,
    source,
    rowEstimates: 'statistics',
    teardown: () => source.close(),
  };
}

export async function pgliteHarness(): Promise<Harness> {
  // The fixture is written to a data directory by a separate PGlite, then the source opens it.
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-pglite-'));
  const setup = new PGlite(dir);
  await setup.exec(DDL.postgres);
  await setup.exec(insertSql('postgres'));
  await setup.exec(VISIT_DDL.postgres);
  await setup.exec(insertVisitsSql('postgres'));
  for (const statement of placeSql('postgres')) await setup.exec(statement);
  await setup.exec(`analyze ${TABLE}, ${VISITS}`);
  for (const statement of extraTablesSql('postgres')) await setup.exec(statement);
  // PGlite ignores per-database settings; the data directory's own configuration is read at start.
  await setup.exec(`alter system set timezone to '${NON_UTC_ZONE}'`);
  await setup.close();
  const source = openSqlSource('pglite-fixture', sourceConfig('pglite', dir));
  return {
    kind: 'pglite',
    qualifiedTable: `public.${TABLE}`,
    sleep: (s) => `pg_sleep(${s})`,
    // One PGlite instance owns a data directory, so the probe is a fresh in-memory database.
    openProbe: (ms) => ({ source: openSqlSource('pglite-probe', sourceConfig('pglite', 'memory://', ms)), table: 'pg_catalog.pg_namespace' }),
    source,
    rowEstimates: 'statistics',
    teardown: async () => {
      await source.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs only when MSSQL_URL is set: SQL Server cannot run on the developers' machines. */
export async function mssqlHarness(): Promise<Harness> {
  const serverUrl = MSSQL_URL;
  if (!serverUrl) throw new Error('MSSQL_URL is not set');
  const { mssqlConnection } = await import('../../../src/source/sql/dialects/mssql.js');
  const admin = (url: string) => knex({ client: 'mssql', connection: mssqlConnection(url, 30_000) as unknown as Knex.MsSqlConnectionConfig, pool: { min: 0, max: 1 } });
  const master = admin(serverUrl);
  try {
    await master.raw(`if db_id('${DATABASE}') is not null begin alter database ${DATABASE} set single_user with rollback immediate; drop database ${DATABASE}; end`);
    await master.raw(`create database ${DATABASE}`);
  } finally {
    await master.destroy();
  }
  const url = withDatabase(serverUrl, DATABASE);
  const db = admin(url);
  try {
    await db.raw(DDL.mssql);
    await db.raw(insertSql('mssql'));
    await db.raw(VISIT_DDL.mssql);
    await db.raw(insertVisitsSql('mssql'));
    for (const statement of placeSql('mssql')) await db.raw(statement);
    // SQL Server's row counts need no statistics.
    for (const statement of extraTablesSql('mssql')) await db.raw(statement);
  } finally {
    await db.destroy();
  }
  const source = openSqlSource('mssql-fixture', sourceConfig('mssql', url));
  const server = new URL(serverUrl);
  return {
    kind: 'mssql',
    qualifiedTable: `dbo.${TABLE}`,
    // WAITFOR is a statement, not an expression: a large cross join keeps the server busy instead.
    sleep: () => '(select count_big(*) from sys.all_objects a cross join sys.all_objects b cross join sys.all_objects c)',
    openProbe: (ms) => ({ source: openSqlSource('mssql-probe', sourceConfig('mssql', url, ms, PROBE_POOL)), table: TABLE }),
    runningStatements: async (text) => {
      const monitor = admin(url);
      try {
        const rows = await monitor.raw<Array<{ n: number }>>(
          'select count(*) as n from sys.dm_exec_requests r cross apply sys.dm_exec_sql_text(r.sql_handle) t where r.database_id = db_id() and r.session_id <> @@spid and charindex(?, t.text) > 0',
          [text],
        );
        return rows[0]!.n;
      } finally {
        await monitor.destroy();
      }
    },
    unreachableUrl: `mssql://civic:s3cretPW@127.0.0.1:1/${DATABASE}`,
    badLoginUrl: `mssql://no_such_login_civic:s3cretPW@${server.host}/${DATABASE}${server.search}`,
    source,
    rowEstimates: 'statistics',
    teardown: () => source.close(),
  };
}
