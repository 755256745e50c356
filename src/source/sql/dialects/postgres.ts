/**
 * PostgreSQL, over node-postgres or PGlite (embedded PostgreSQL): one dialect, two drivers.
 */
import type { Knex } from 'knex';
import type { ColumnType, SourceValue } from '../../source.js';
import { type Fragment, param, sql } from '../fragment.js';
import { naiveTimestamp, toNumber } from '../values.js';
import { type Dialect, UNCOUNTED_ROWS } from './dialect.js';

const CLASSES: Record<string, ColumnType> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'decimal',
  real: 'decimal',
  'double precision': 'decimal',
  text: 'text',
  'character varying': 'text',
  character: 'text',
  citext: 'text',
  boolean: 'boolean',
  date: 'date',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  client: 'pg',
  label: 'PostgreSQL',
  // The protocol allows 65,535 parameters per statement.
  maxBindings: 30_000,
  likeWildcards: '',
  caseInsensitiveLike: (ref, pattern) => sql(`{} ilike {} escape '!'`, ref, param(pattern)),
  // PostgreSQL's own default, spelled out so the intent is visible in the SQL.
  orderKey: (key, direction) => sql(direction === 'asc' ? '{} asc nulls last' : '{} desc nulls first', key),
  // An untyped parameter in a CASE result is resolved as text, which would sort 10 before 9.
  recodeResult: (value: SourceValue): Fragment => {
    if (typeof value === 'number' || typeof value === 'bigint') return sql('cast({} as numeric)', param(value));
    if (typeof value === 'boolean') return sql('cast({} as boolean)', param(value));
    if (value instanceof Date) return sql('cast({} as timestamptz)', param(value));
    return sql('cast({} as text)', param(value));
  },
  toText: (value) => sql('cast({} as text)', value),
  padWithSpaces: (value) => sql(`(' ' || {} || ' ')`, value),
  trimSpaces: (value) => sql('trim({})', value),
  concat: (parts) => sql(`(${parts.map(() => '{}').join(' || ')})`, ...parts),
  regex: (pattern) => pattern,
  // substring(… from …) gives the whole match of a pattern without capturing groups; it is PostgreSQL 9's (regexp_substr is 15's).
  regexMatch: (value, pattern) => sql(`nullif(substring({} from {}), '')`, value, pattern),
  regexReplace: (value, pattern, replacement) => sql(`regexp_replace({}, {}, {}, 'g')`, value, pattern, replacement),
  regexTest: (value, pattern) => sql('({} ~ {})', value, pattern),
  truthOf: (comparison, truth) => sql(`(({}) is ${truth})`, comparison),
  toDouble: (value) => sql('cast({} as double precision)', value),
  // OFFSET 0 keeps the planner from folding the subquery back into copies of the expression.
  computeOnce: (value, use) => sql('(select {} from (select {} as "value" offset 0) as "named")', use({ sql: '"named"."value"', bindings: [] }), value),
  // date_trunc takes a timestamptz in the session zone, which connect() pins to UTC; 'week' is the ISO week.
  timeBucket: (value, bucket) => sql(`cast(date_trunc('${bucket}', {}) as date)`, value),
  describeColumns: (db: Knex, schema, table) =>
    db
      .select({ name: 'column_name', dataType: 'data_type', udtName: 'udt_name', nullable: 'is_nullable' })
      .from('information_schema.columns')
      .where('table_name', table)
      .andWhere((b) => (schema === undefined ? b.whereRaw('table_schema = current_schema()') : b.where('table_schema', schema)))
      .orderBy('ordinal_position'),
  listTables: (db: Knex) =>
    db.select({ name: 'table_name' }).from('information_schema.tables').whereRaw('table_schema = current_schema()').orderBy('table_name'),
  // reltuples is the row count ANALYZE, VACUUM or CREATE INDEX last measured: -1 for a table never analysed (0 before
  // PostgreSQL 14), and for a view or a partitioned table, whose rows are in its partitions (unless someone ran ANALYZE
  // on it). Only a relation that stores its own rows, a table or a materialised view ('r', 'm'), is counted instead.
  estimateRows: (db: Knex, schema, table) =>
    db
      .select(db.raw(`case when reltuples > 0 then reltuples when relkind in ('r', 'm') then ${UNCOUNTED_ROWS} end as n`))
      .from('pg_catalog.pg_class')
      .where('oid', regclass(db, schema, table)),
  toColumn: (row) => {
    const dataType = String(row.dataType);
    const nativeType = dataType === 'USER-DEFINED' ? String(row.udtName) : dataType;
    return { name: String(row.name), type: CLASSES[nativeType] ?? 'other', nativeType, nullable: row.nullable === 'YES' };
  },
};

/**
 * The relation a query naming `schema.table` (or `table`, looked up on the search path) reads, or NULL when there is
 * none. The server quotes each name, so that it is taken as spelt, as knex's identifiers are.
 */
function regclass(db: Knex, schema: string | undefined, table: string): Knex.Raw {
  return schema === undefined
    ? db.raw('to_regclass(quote_ident(?))', [table])
    : db.raw(`to_regclass(quote_ident(?) || '.' || quote_ident(?))`, [schema, table]);
}

/**
 * Text-format parsers by type OID, shared by node-postgres and PGlite. They replace the
 * drivers' defaults, which turn naive timestamps and dates into Dates in the Node
 * process's time zone and leave numeric/bigint as strings.
 */
export const PG_PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  20: toNumber, // int8 (also count(*))
  1700: (text) => Number(text), // numeric
  1082: (text) => text, // date: already 'YYYY-MM-DD'
  1114: naiveTimestamp, // timestamp without time zone
};
