/**
 * What really differs between the SQL dialects CivicGraph speaks. Everything else
 * (identifier quoting, paging, placeholders) is knex's job; the shared compiler in
 * ../query.ts asks a Dialect only for these pieces.
 */
import type { Knex } from 'knex';
import type { ColumnDescription, SourceValue, TimeBucket } from '../../source.js';
import { param, sql, type Fragment } from '../fragment.js';

export type DialectName = 'postgres' | 'mysql' | 'mssql';

export interface Dialect {
  readonly name: DialectName;
  /** The knex client name, also used to compile queries without a connection. */
  readonly client: string;
  /** How people name the database in error messages. */
  readonly label: string;
  /** Most bound parameters one statement may carry, leaving headroom under the driver's limit. */
  readonly maxBindings: number;
  /** Characters the dialect's LIKE treats as wildcards besides `%` and `_`. */
  readonly likeWildcards: string;
  /** `ref` matches the LIKE `pattern` ignoring case; the pattern uses `!` as its escape character. */
  caseInsensitiveLike(ref: Fragment, pattern: string): Fragment;
  /** ORDER BY items for one key, with nulls last ascending and first descending. */
  orderKey(key: Fragment, direction: 'asc' | 'desc'): Fragment;
  /** A bound value in the THEN branch of a recode CASE, typed so that it sorts by its own type. */
  recodeResult(value: SourceValue): Fragment;
  /** `value` converted to the dialect's text type, so that a number or date can be normalised like text. */
  toText(value: Fragment): Fragment;
  /** `' ' || value || ' '`; NULL when `value` is NULL (PostgreSQL's and SQL Server's CONCAT would give '  '). */
  padWithSpaces(value: Fragment): Fragment;
  /** `value` without leading and trailing spaces (TRIM; SQL Server 2016 has only LTRIM/RTRIM). */
  trimSpaces(value: Fragment): Fragment;
  /** The texts one after the other; NULL when any of them is. */
  concat(parts: Fragment[]): Fragment;
  /** A regular expression of src/privacy/hundred-block.ts as the dialect must be given it. */
  regex(pattern: string): string;
  /** The leftmost match of `pattern` in `value`, NULL when there is none or it is empty. */
  regexMatch(value: Fragment, pattern: Fragment): Fragment;
  /** `value` with every match of `pattern` replaced by `replacement` (a pattern anchored at an end matches once). */
  regexReplace(value: Fragment, pattern: Fragment, replacement: Fragment): Fragment;
  /** The condition that `pattern` matches somewhere in `value`. */
  regexTest(value: Fragment, pattern: Fragment): Fragment;
  /**
   * `(comparison) IS TRUE` or `IS NOT FALSE`: two-valued without evaluating the compared value again for a NULL
   * guard. SQL Server has no boolean values to test (a comparison is not an expression there).
   */
  truthOf?(comparison: Fragment, truth: 'true' | 'not false'): Fragment;
  /**
   * `use(named)`, where `named` stands for `value` computed once per row; without it (MySQL/MariaDB
   * cannot refer to a row from a derived table), `use(value)` repeats the expression.
   */
  computeOnce?(value: Fragment, use: (named: Fragment) => Fragment): Fragment;
  /** `value` as a double-precision float: the type JavaScript reads a number as, and computes the coordinate rules on. */
  toDouble(value: Fragment): Fragment;
  /**
   * The calendar date (a SQL DATE) that starts the day / ISO week (Monday) / month / year in which
   * the date or date-time `value` falls. A naive date-time is taken as stored; an instant in UTC
   * (every connection's session zone is pinned to UTC where the database has one).
   */
  timeBucket(value: Fragment, bucket: TimeBucket): Fragment;
  /** Rows of { name, nativeType, nullable: 'YES'|'NO' } for the table's columns, in table order. */
  describeColumns(db: Knex, schema: string | undefined, table: string): Knex.QueryBuilder;
  /** Rows of { name } for the base tables and views of the connection's default schema. */
  listTables(db: Knex): Knex.QueryBuilder;
  /**
   * The table's row count from the database's own statistics, read without touching the table: one row { n },
   * or none (or n NULL) when the table does not exist or the database keeps no count for it (a view);
   * n is UNCOUNTED_ROWS where the statistics say nothing or zero for a table that stores its rows.
   */
  estimateRows(db: Knex, schema: string | undefined, table: string): Knex.QueryBuilder;
  /** One row of describeColumns → the public description. */
  toColumn(row: Record<string, unknown>): ColumnDescription;
}

/**
 * An estimate meaning "count the rows instead". Statistics that know nothing of a table, or say it is empty,
 * are either right — the table is new or empty, and counting it is cheap — or predate its loading, and then
 * counting is the only way to a figure; the count is held to the statement time limit like any query.
 */
export const UNCOUNTED_ROWS = -1;

/** `schema.table` → parts; a bare name means the connection's default schema. */
export function splitTableName(table: string): { schema: string | undefined; table: string } {
  const dot = table.lastIndexOf('.');
  if (dot < 0) return { schema: undefined, table };
  return { schema: table.slice(0, dot), table: table.slice(dot + 1) };
}

/** LIKE without case where the database has no ILIKE: both sides lower-cased, '!' escaping wildcards. */
export function lowerLike(ref: Fragment, pattern: string): Fragment {
  return sql(`lower({}) like lower({}) escape '!'`, ref, param(pattern));
}

/**
 * For databases that sort NULL as the lowest value (MySQL, SQL Server): a leading null-flag
 * key puts NULLs where PostgreSQL does, last ascending and first descending.
 */
export function nullsLikePostgres(key: Fragment, direction: 'asc' | 'desc'): Fragment {
  return direction === 'asc'
    ? sql('case when {} is null then 1 else 0 end, {} asc', key, key)
    : sql('case when {} is null then 0 else 1 end, {} desc', key, key);
}
