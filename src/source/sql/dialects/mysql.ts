/**
 * MySQL and MariaDB, over mysql2.
 */
import type { Knex } from 'knex';
import type { ColumnType } from '../../source.js';
import { param, sql } from '../fragment.js';
import { naiveTimestamp, toNumber } from '../values.js';
import { lowerLike, nullsLikePostgres, type Dialect, UNCOUNTED_ROWS } from './dialect.js';

const CLASSES: Record<string, ColumnType> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'decimal',
  double: 'decimal',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  enum: 'text',
  date: 'date',
  datetime: 'timestamp',
  // TIMESTAMP stores an instant (converted from/to the session zone, which we pin to UTC).
  timestamp: 'timestamptz',
};

function classify(columnType: string): ColumnType {
  const type = columnType.toLowerCase();
  // MySQL has no boolean type: BOOLEAN is an alias of tinyint(1), which is how it is recognised.
  if (type.startsWith('tinyint(1)')) return 'boolean';
  return CLASSES[type.replace(/\(.*$/, '').replace(/ .*$/, '')] ?? 'other';
}

export const mysqlDialect: Dialect = {
  name: 'mysql',
  client: 'mysql2',
  label: 'MySQL',
  // mysql2 inlines values client-side; the limit is the packet size, not a parameter count.
  maxBindings: 10_000,
  likeWildcards: '',
  caseInsensitiveLike: lowerLike,
  orderKey: nullsLikePostgres,
  recodeResult: (value) => param(value),
  toText: (value) => sql('cast({} as char)', value),
  // MySQL's CONCAT is NULL when any argument is (its `||` is OR).
  padWithSpaces: (value) => sql(`concat(' ', {}, ' ')`, value),
  trimSpaces: (value) => sql('trim({})', value),
  concat: (parts) => sql(`concat(${parts.map(() => '{}').join(', ')})`, ...parts),
  // A case-insensitive collation (MariaDB's default) would make every pattern ignore case: (?-i) turns that off, in ICU (MySQL 8) and PCRE (MariaDB) alike.
  regex: (pattern) => `(?-i)${pattern}`,
  // MariaDB gives '' where MySQL gives NULL for no match.
  regexMatch: (value, pattern) => sql(`nullif(regexp_substr({}, {}), '')`, value, pattern),
  regexReplace: (value, pattern, replacement) => sql('regexp_replace({}, {}, {})', value, pattern, replacement),
  regexTest: (value, pattern) => sql('({} regexp {})', value, pattern),
  truthOf: (comparison, truth) => sql(`(({}) is ${truth})`, comparison),
  toDouble: (value) => sql('cast({} as double)', value),
  // TIMESTAMP values are read in the session zone, pinned to UTC by connect(). Each form returns a DATE.
  timeBucket: (value, bucket) => {
    switch (bucket) {
      case 'day':
        return sql('date({})', value);
      case 'week':
        return sql('date_sub(date({}), interval weekday({}) day)', value, value);
      case 'month':
        return sql('date_sub(date({}), interval dayofmonth({}) - 1 day)', value, value);
      case 'year':
        return sql('makedate(year({}), 1)', value);
    }
  },
  describeColumns: (db: Knex, schema, table) =>
    db
      .select({ name: 'COLUMN_NAME', nativeType: 'COLUMN_TYPE', nullable: 'IS_NULLABLE' })
      .from('information_schema.COLUMNS')
      .where('TABLE_NAME', table)
      .andWhere((b) => (schema === undefined ? b.whereRaw('TABLE_SCHEMA = database()') : b.where('TABLE_SCHEMA', schema)))
      .orderBy('ORDINAL_POSITION'),
  listTables: (db: Knex) => db.select({ name: 'TABLE_NAME' }).from('information_schema.TABLES').whereRaw('TABLE_SCHEMA = database()').orderBy('TABLE_NAME'),
  // InnoDB's TABLE_ROWS is an estimate that follows inserts and deletes, NULL for a view. MySQL 8 caches it for
  // information_schema_stats_expiry (a day by default), so a table created empty may show 0 long after it was loaded.
  estimateRows: (db: Knex, schema, table) =>
    db
      .select(db.raw(`case when TABLE_ROWS = 0 then ${UNCOUNTED_ROWS} else TABLE_ROWS end as n`))
      .from('information_schema.TABLES')
      .where('TABLE_NAME', table)
      .andWhere((b) => (schema === undefined ? b.whereRaw('TABLE_SCHEMA = database()') : b.where('TABLE_SCHEMA', schema))),
  toColumn: (row) => {
    const nativeType = String(row.nativeType);
    return { name: String(row.name), type: classify(nativeType), nativeType, nullable: row.nullable === 'YES' };
  },
};

/** The subset of mysql2's typeCast field we read. */
interface CastField {
  type: string;
  length: number;
  string(): string | null;
}

/**
 * mysql2's per-connection value conversion: raw text for dates and date-times (so the
 * Node process's time zone never applies), numbers for DECIMAL/BIGINT, booleans for tinyint(1).
 */
export function mysqlTypeCast(field: CastField, next: () => unknown): unknown {
  switch (field.type) {
    case 'NEWDECIMAL':
    case 'DECIMAL': {
      const text = field.string();
      return text === null ? null : Number(text);
    }
    case 'LONGLONG': {
      const text = field.string();
      return text === null ? null : toNumber(text);
    }
    case 'DATE':
    case 'NEWDATE':
      return field.string();
    case 'DATETIME':
    case 'DATETIME2': {
      const text = field.string();
      return text === null ? null : naiveTimestamp(text);
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP2': {
      // The session zone is UTC (see the connection's afterCreate), so the text is a UTC wall-clock.
      const text = field.string();
      return text === null ? null : new Date(naiveTimestamp(text) + 'Z');
    }
    case 'TINY':
      if (field.length === 1) {
        const text = field.string();
        return text === null ? null : text !== '0';
      }
      return next();
    default:
      return next();
  }
}
