/**
 * SourceConfig → a configured knex instance. The only place the connection Secret is revealed.
 */
import { createRequire } from 'node:module';
import { PGlite } from '@electric-sql/pglite';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { SourceConfig, SqlKind } from '../../config/mapping.js';
import { mssqlClientClass, mssqlConnection } from './dialects/mssql.js';
import { mysqlTypeCast } from './dialects/mysql.js';
import { PG_PARSERS } from './dialects/postgres.js';

/**
 * How a statement is held to the time limit:
 * - cancel: knex times out the promise and cancels the statement on the server (PostgreSQL, MySQL);
 * - driver: the driver's timeout for the statement cancels it on the server (tedious: knex cannot cancel SQL Server queries);
 * - abandon: PGlite runs in this process and cannot be interrupted; the result is discarded.
 */
export type TimeoutMode = 'cancel' | 'driver' | 'abandon';

export interface Connected {
  db: Knex;
  timeoutMode: TimeoutMode;
}

type TypeParser = (text: string) => unknown;
// node-postgres ships no type declarations; only its default parsers are needed here.
const pgTypes = (createRequire(import.meta.url)('pg') as { types: { getTypeParser(oid: number, format?: string): TypeParser } }).types;

// knex logs pool and cancellation warnings to the console; a source never logs.
const silent: Knex.Logger = { warn: () => {}, error: () => {}, debug: () => {}, deprecate: () => {} };

const UTC_ZONE = "set time zone 'UTC'";

type RawConnection = { query(sql: string, cb: (err: unknown) => void): void };

function pinUtc(conn: RawConnection, done: (err: unknown, conn: unknown) => void): void {
  conn.query(UTC_ZONE, (err) => done(err, conn));
}

export function connect(config: SourceConfig & { kind: SqlKind }): Connected {
  const pool = { min: config.pool.min, max: config.pool.max };
  const common = { log: silent, acquireConnectionTimeout: Math.max(10_000, config.queryTimeoutMs) };
  switch (config.kind) {
    case 'postgres':
      return {
        timeoutMode: 'cancel',
        db: knex({
          ...common,
          client: 'pg',
          // Instants are truncated to day/week/month/year buckets in the session zone: pin it to UTC, as for MySQL.
          pool: { ...pool, afterCreate: pinUtc },
          connection: {
            connectionString: config.connection.reveal(),
            // Per-client parsers: the global pg.types stay untouched for any other pool in the process.
            types: { getTypeParser: (oid: number, format?: string) => PG_PARSERS[oid] ?? pgTypes.getTypeParser(oid, format) },
          } as Knex.PgConnectionConfig,
        }),
      };
    case 'pglite': {
      const location = config.connection.reveal();
      const inMemory = location === '' || location === 'memory://';
      const pglite = new PGlite(inMemory ? undefined : location, { parsers: PG_PARSERS as Record<number, (text: string) => unknown> });
      // Session zone UTC, as for PostgreSQL. PGlite runs statements one at a time in call order, so this runs
      // before any query; if it fails, so will the first query, which reports the failure.
      pglite.exec(UTC_ZONE).catch(() => {});
      // knex-pglite forces a single connection and refuses a pool setting.
      return {
        timeoutMode: 'abandon',
        db: knex({ ...common, client: ClientPgLite, dialect: 'postgres', connection: { pglite } as Knex.StaticConnectionConfig }),
      };
    }
    case 'mysql':
      return {
        timeoutMode: 'cancel',
        db: knex({
          ...common,
          client: 'mysql2',
          pool: {
            ...pool,
            // TIMESTAMP columns are read and written in the session zone: pin it to UTC.
            afterCreate: (conn: { query(sql: string, cb: (err: unknown) => void): void }, done: (err: unknown, conn: unknown) => void) =>
              conn.query("SET time_zone = '+00:00'", (err) => done(err, conn)),
          },
          connection: {
            uri: config.connection.reveal(),
            typeCast: mysqlTypeCast,
            supportBigNumbers: true,
            // Dates bound as parameters are written as UTC, matching the session zone.
            timezone: 'Z',
          } as Knex.MySql2ConnectionConfig,
        }),
      };
    case 'mssql':
      return {
        timeoutMode: 'driver',
        db: knex({
          ...common,
          client: mssqlClientClass() as unknown as typeof Knex.Client,
          pool,
          connection: mssqlConnection(config.connection.reveal(), config.queryTimeoutMs) as unknown as Knex.MsSqlConnectionConfig,
        }),
      };
  }
}
