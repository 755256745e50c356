/**
 * Microsoft SQL Server, over tedious (knex client 'mssql').
 */
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import type { ColumnType, TimeBucket } from '../../source.js';
import { type Fragment, param, sql } from '../fragment.js';
import { dateFromUtcDate, naiveFromUtcDate, toNumber } from '../values.js';
import { lowerLike, nullsLikePostgres, type Dialect } from './dialect.js';

const CLASSES: Record<string, ColumnType> = {
  tinyint: 'integer',
  smallint: 'integer',
  int: 'integer',
  bigint: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  money: 'decimal',
  smallmoney: 'decimal',
  float: 'decimal',
  real: 'decimal',
  char: 'text',
  varchar: 'text',
  nchar: 'text',
  nvarchar: 'text',
  text: 'text',
  ntext: 'text',
  bit: 'boolean',
  date: 'date',
  datetime: 'timestamp',
  datetime2: 'timestamp',
  smalldatetime: 'timestamp',
  datetimeoffset: 'timestamptz',
};

export const mssqlDialect: Dialect = {
  name: 'mssql',
  client: 'mssql',
  label: 'SQL Server',
  // SQL Server refuses statements with more than 2,100 parameters.
  maxBindings: 2_000,
  // In SQL Server's LIKE, `[` opens a character class.
  likeWildcards: '[',
  caseInsensitiveLike: lowerLike,
  orderKey: nullsLikePostgres,
  recodeResult: (value) => param(value),
  toText: (value) => sql('cast({} as nvarchar(max))', value),
  // `+` keeps NULL (CONCAT_NULL_YIELDS_NULL is on: tedious's default, and the only setting in future versions);
  // CONCAT would turn NULL into '  '.
  padWithSpaces: (value) => sql(`(N' ' + {} + N' ')`, value),
  // TRIM exists only from SQL Server 2017.
  trimSpaces: (value) => sql('ltrim(rtrim({}))', value),
  concat: (parts) => sql(`(${parts.map(() => '{}').join(' + ')})`, ...parts),
  // The REGEXP_ functions are SQL Server 2025's (and Azure SQL's); REGEXP_LIKE needs compatibility level 170, REGEXP_COUNT does not.
  regex: (pattern) => pattern,
  regexMatch: (value, pattern) => sql(`nullif(regexp_substr({}, {}), N'')`, value, pattern),
  regexReplace: (value, pattern, replacement) => sql('regexp_replace({}, {}, {})', value, pattern, replacement),
  regexTest: (value, pattern) => sql('(regexp_count({}, {}) > 0)', value, pattern),
  toDouble: (value) => sql('cast({} as float)', value),
  timeBucket: (value, bucket) => mssqlTimeBucket(value, bucket),
  describeColumns: (db: Knex, schema, table) =>
    db
      .select({ name: 'COLUMN_NAME', nativeType: 'DATA_TYPE', nullable: 'IS_NULLABLE' })
      .from('INFORMATION_SCHEMA.COLUMNS')
      .where('TABLE_NAME', table)
      .andWhere((b) => (schema === undefined ? b.whereRaw('TABLE_SCHEMA = schema_name()') : b.where('TABLE_SCHEMA', schema)))
      .orderBy('ORDINAL_POSITION'),
  listTables: (db: Knex) => db.select({ name: 'TABLE_NAME' }).from('INFORMATION_SCHEMA.TABLES').whereRaw('TABLE_SCHEMA = schema_name()').orderBy('TABLE_NAME'),
  // sys.partitions.rows is the storage engine's approximate count, kept as rows are written (not statistics that wait
  // for UPDATE STATISTICS). A table's rows are in its heap (index 0) or its clustered index (1): summing those over its
  // partitions counts each row once. It needs only the public role (sys.dm_db_partition_stats needs VIEW DATABASE
  // STATE). A view without an index has no partitions: its sum is NULL.
  estimateRows: (db: Knex, schema, table) =>
    db
      .sum({ n: 'rows' })
      .from('sys.partitions')
      .where('object_id', objectId(db, schema, table))
      .whereIn('index_id', [0, 1]),
  toColumn: (row) => {
    const nativeType = String(row.nativeType);
    return { name: String(row.name), type: CLASSES[nativeType.toLowerCase()] ?? 'other', nativeType, nullable: row.nullable === 'YES' };
  },
};

/**
 * The id of the object a query naming `schema.table` (or `table`, in the user's default schema) reads, or NULL when
 * there is none. The server brackets each name, so that it is taken as spelt, as knex's identifiers are.
 */
function objectId(db: Knex, schema: string | undefined, table: string): Knex.Raw {
  return schema === undefined
    ? db.raw('object_id(quotename(?))', [table])
    : db.raw(`object_id(quotename(?) + N'.' + quotename(?))`, [schema, table]);
}

/** 0001-01-01, a Monday: the anchor from which whole days, weeks, months and years are counted. */
const ANCHOR = `cast('0001-01-01' as date)`;

/**
 * Buckets for SQL Server 2016 and later (DATETRUNC exists only from 2022): the number of whole
 * periods between the anchor and the value, added back to the anchor, which gives a DATE.
 * DATEDIFF counts calendar boundaries (so 'month' and 'year' truncate) and takes a datetimeoffset
 * in UTC. DATEDIFF(week) counts Sunday-based weeks, so ISO weeks are whole days / 7 from the Monday
 * anchor (never negative: no date precedes the anchor).
 */
function mssqlTimeBucket(value: Fragment, bucket: TimeBucket): Fragment {
  if (bucket === 'week') return sql(`dateadd(day, (datediff(day, ${ANCHOR}, {}) / 7) * 7, ${ANCHOR})`, value);
  return sql(`dateadd(${bucket}, datediff(${bucket}, ${ANCHOR}, {}), ${ANCHOR})`, value);
}

/** One column value as knex's mssql client receives it from tedious. */
interface TediousColumn {
  value: unknown;
  metadata: { colName: string; type: { name: string } };
}

/**
 * tedious (with useUTC) reads every date type into a Date whose UTC fields hold the stored
 * wall-clock; only the column metadata says which were instants. knex drops that metadata
 * when it builds rows, so values are normalised just before, by type name.
 */
export function normaliseTediousValue(column: TediousColumn): unknown {
  const { value } = column;
  if (value === null || value === undefined) return null;
  switch (column.metadata.type.name) {
    case 'Date':
      return value instanceof Date ? dateFromUtcDate(value) : value;
    case 'DateTime':
    case 'DateTimeN':
    case 'DateTime2':
    case 'SmallDateTime':
      return value instanceof Date ? naiveFromUtcDate(value) : value;
    case 'BigInt':
    case 'IntN':
      return typeof value === 'string' ? toNumber(value) : value;
    default:
      return value;
  }
}

type KnexClientClass = new (config: Knex.Config) => Knex.Client;

/** The key under which a statement's own time limit rides in its knex query context, to the tedious request. */
const STATEMENT_TIMEOUT_MS = 'civicgraphStatementTimeoutMs';

/**
 * Holds one statement to `ms`: tedious then cancels it on the server (an attention message)
 * when it runs longer. knex cannot cancel SQL Server statements itself, and the connection's
 * request timeout is one value for every statement; tedious takes a timeout per request.
 */
export function withStatementTimeout(builder: Knex.QueryBuilder, ms: number): Knex.QueryBuilder {
  return builder.queryContext({ [STATEMENT_TIMEOUT_MS]: ms });
}

/** What knex's mssql client hands `_makeRequest`: the compiled statement, with the builder's query context. */
interface KnexQueryObject {
  queryContext?: unknown;
}

interface TediousRequest {
  setTimeout(ms?: number): void;
}

interface MssqlClientInternals {
  processResponse(query: unknown, runner: unknown): unknown;
  _makeRequest(query: KnexQueryObject, callback: unknown): TediousRequest;
}

let normalisingClient: KnexClientClass | undefined;

/** knex's mssql client, with values normalised by column type before rows are built, and a time limit per statement. */
export function mssqlClientClass(): KnexClientClass {
  if (normalisingClient) return normalisingClient;
  // knex does not export its dialect classes as typed modules.
  const require = createRequire(import.meta.url);
  const ClientMssql = require('knex/lib/dialects/mssql/index.js') as KnexClientClass;
  const base = ClientMssql.prototype as unknown as MssqlClientInternals;
  class NormalisingMssqlClient extends (ClientMssql as KnexClientClass & { prototype: MssqlClientInternals }) {
    processResponse(query: { response?: unknown } | null, runner: unknown): unknown {
      if (query && Array.isArray(query.response)) {
        query.response = query.response.map((row: unknown) =>
          Array.isArray(row) ? row.map((col: TediousColumn) => ({ ...col, value: normaliseTediousValue(col) })) : row,
        );
      }
      return base.processResponse.call(this, query, runner);
    }

    _makeRequest(query: KnexQueryObject, callback: unknown): TediousRequest {
      const request = base._makeRequest.call(this, query, callback);
      const context = query.queryContext as Record<string, unknown> | undefined;
      const ms = context?.[STATEMENT_TIMEOUT_MS];
      if (typeof ms === 'number') request.setTimeout(ms);
      return request;
    }
  }
  normalisingClient = NormalisingMssqlClient as unknown as KnexClientClass;
  return normalisingClient;
}

/**
 * A SQL Server URL (mssql://user:password@host:port/database?encrypt=true&trustServerCertificate=true,
 * `sqlserver://` also accepted) → knex's mssql connection settings. Times are read as UTC so that
 * the Node process's zone never shifts naive date-times, and the driver's request timeout cancels
 * a statement on the server (knex cannot cancel SQL Server queries itself).
 */
export function mssqlConnection(url: string, queryTimeoutMs: number): Record<string, unknown> {
  const parsed = new URL(url);
  const flag = (name: string): boolean | undefined => {
    const v = parsed.searchParams.get(name);
    return v === null ? undefined : v === 'true' || v === '1' || v === 'yes';
  };
  const instanceName = parsed.searchParams.get('instanceName') ?? undefined;
  return {
    server: parsed.hostname,
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    requestTimeout: queryTimeoutMs,
    options: {
      useUTC: true,
      encrypt: flag('encrypt') ?? false,
      trustServerCertificate: flag('trustServerCertificate') ?? false,
      ...(instanceName ? { instanceName } : {}),
    },
  };
}
