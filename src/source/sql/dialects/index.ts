import type { SqlKind } from '../../../config/mapping.js';
import type { Dialect, DialectName } from './dialect.js';
import { mssqlDialect } from './mssql.js';
import { mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';

export type { Dialect, DialectName } from './dialect.js';
export { splitTableName, UNCOUNTED_ROWS } from './dialect.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  postgres: postgresDialect,
  mysql: mysqlDialect,
  mssql: mssqlDialect,
};

/** PGlite is PostgreSQL compiled to WebAssembly: same SQL, different driver. */
export function dialectFor(kind: SqlKind): Dialect {
  return kind === 'pglite' ? postgresDialect : DIALECTS[kind];
}
