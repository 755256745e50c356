import knex, { type Knex } from 'knex';

/**
 * Where the tests find the real database servers. PostgreSQL and MariaDB run on every
 * developer's and CI's machine, so suites that need them fail (never skip) when they are down.
 * SQL Server and MongoDB cannot run here: their suites run against a real server only
 * when MSSQL_URL / MONGODB_URL is set.
 */
export const POSTGRES_URL = process.env.CIVICGRAPH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_URL = process.env.CIVICGRAPH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const MSSQL_URL = process.env.MSSQL_URL;
export const MONGODB_URL = process.env.MONGODB_URL;

/** The URL of a server with its database part replaced, for suites that create their own database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `work` on a knex connected to `url` with one connection, closing it after. */
export async function withKnex<T>(client: 'pg' | 'mysql2', url: string, work: (db: Knex) => Promise<T>): Promise<T> {
  const db = knex({ client, connection: url, pool: { min: 0, max: 1 } });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** A new, empty PostgreSQL database on the test server (dropped first if a run left it); its URL. */
export async function freshPostgresDatabase(name: string): Promise<string> {
  await withKnex('pg', POSTGRES_URL, async (admin) => {
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.raw(`create database ${name}`);
  });
  return withDatabase(POSTGRES_URL, name);
}
