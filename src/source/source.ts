/**
 * The one interface every departmental source implements, whatever its kind (SQL,
 * MongoDB, a REST API, CSV files).
 *
 * The engine plans each GraphQL field into source-neutral queries over raw source
 * values (columns — dotted paths in documents — or liaison-written SQL expressions).
 * A source answers every query; its `pushdown` says how much of the work its own system
 * does. What a system cannot do (a REST API that cannot sort, a CSV file that cannot do
 * anything) is done in memory by ./memory, over at most `memoryRowLimit` rows.
 */
import type { FilterParam, ValueRef as MappedRef } from '../config/mapping.js';

/**
 * A value the source computes: a mapped column or expression, or such a value in a
 * canonical spelling (`normalize`), so that joins and filters match spellings that differ
 * between departments while the comparison still runs in the source; or a privacy
 * transform of it (`TransformRef`), or the distance of a position (`DistanceRef`).
 */
export type ValueRef = MappedRef | { normalize: 'address'; of: ValueRef } | TransformRef | DistanceRef;

/**
 * A value as a role reads it through a privacy transform, computed by the source exactly as
 * the gateway computes it (src/privacy/hundred-block.ts, coordinates.ts), so that a filter,
 * order or group compares the transformed value and never the raw one. `truncate` gives the
 * calendar date 'YYYY-MM-DD' that starts the value's day, month or year, as a time bucket does.
 */
export type TransformRef = (
  | { transform: 'hundredBlock'; of: ValueRef }
  | { transform: 'round'; decimals: number; of: ValueRef }
  | { transform: 'snap'; cell: number; of: ValueRef }
  | { transform: 'truncate'; unit: 'day' | 'month' | 'year'; of: ValueRef }
) & {
  /** Null unless every one of these is set: a coordinate of a position, which a role reads whole or not at all. */
  whole?: ValueRef[];
};

/**
 * The square of the distance in metres from `from` to the position at `latitude`, `longitude`,
 * on the plane that touches the Earth at `from` (metres per degree given for both axes): exact
 * enough at city scale, and plain arithmetic every source computes alike.
 */
export interface DistanceRef {
  squaredDistance: {
    latitude: ValueRef;
    longitude: ValueRef;
    from: { latitude: number; longitude: number };
    metresPerDegree: { latitude: number; longitude: number };
  };
}

export type ComparisonOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'contains' | 'startsWith' | 'isNull';

/**
 * A value sent to or read from a source. Instants are `Date`; date-times without an
 * offset and calendar dates travel as ISO strings ('2024-03-05T14:30:00', '2024-03-05').
 */
export type SourceValue = string | number | boolean | bigint | Date | null;

export type Predicate =
  | { kind: 'and'; items: Predicate[] }
  | { kind: 'or'; items: Predicate[] }
  | { kind: 'not'; item: Predicate }
  /** `value` is an array for `in`, a boolean for `isNull`, else one value. `contains`/`startsWith` are case-insensitive. */
  | { kind: 'compare'; ref: ValueRef; op: ComparisonOp; value: SourceValue | SourceValue[] }
  /** A predicate the planner already knows the answer to, e.g. `in: []`. */
  | { kind: 'constant'; value: boolean }
  /**
   * Whether this row's `ref` is among the non-null `to` values of the rows of another table
   * of the same system that match `where`: a relationship a row rule follows inside the
   * source's own query. Only SQL sources are sent it; for other kinds the planner looks the
   * values up first and sends them as an `in` list.
   */
  | { kind: 'related'; ref: ValueRef; table: string; to: ValueRef; where?: Predicate };

export interface OrderKey {
  ref: ValueRef;
  direction: 'asc' | 'desc';
  /**
   * Sort by the public value a code map gives instead of the raw code:
   * the source orders by `CASE ref WHEN raw THEN value … END`.
   */
  recode?: ReadonlyArray<readonly [raw: SourceValue, value: SourceValue]>;
}

/** Alias → value to read. Aliases are chosen by the engine and are safe identifiers. */
export type Selection = Readonly<Record<string, ValueRef>>;

export type Row = Record<string, SourceValue>;

export interface FindQuery {
  table: string;
  select: Selection;
  where?: Predicate;
  /** Nulls sort last ascending and first descending, in every source. */
  orderBy: OrderKey[];
  limit: number;
  offset: number;
  /** The instant (epoch ms) by which the caller needs the answer: the source stops the query then. */
  deadline?: number;
}

export interface CountQuery {
  table: string;
  where?: Predicate;
  /** The instant (epoch ms) by which the caller needs the answer: the source stops the query then. */
  deadline?: number;
}

/** Rows whose `key` is one of `keys`: the batched look-up that joins and by-id fields use. */
export interface KeyLookupQuery {
  table: string;
  select: Selection;
  key: ValueRef;
  /** The alias under which each row carries its key value, so callers can group rows by key. */
  keyAlias: string;
  keys: SourceValue[];
  where?: Predicate;
  /** The order of each key's rows; needed with `perKeyLimit`. */
  orderBy?: OrderKey[];
  /** At most this many rows per key (a window function in SQL), for joined lists with `first`. */
  perKeyLimit?: number;
  /** The instant (epoch ms) by which the caller needs the answer: the source stops the query then. */
  deadline?: number;
}

export type TimeBucket = 'day' | 'week' | 'month' | 'year';

/** A grouping key: a value, or the start of the day/ISO week/month/year its date or date-time falls in. */
export interface GroupKey {
  ref: ValueRef;
  /** Buckets are computed on the stored value (a source's local time for date-times without offset). */
  bucket?: TimeBucket;
}

export type Aggregate = { fn: 'count' } | { fn: 'count' | 'countDistinct' | 'min' | 'max' | 'sum'; ref: ValueRef };

/** A key of the groups' order: a group or aggregate alias of the same query. */
export interface GroupOrderKey {
  alias: string;
  direction: 'asc' | 'desc';
}

/**
 * Grouped aggregates, computed by the source (GROUP BY). `count` without a ref counts rows;
 * with a ref it counts non-null values (so averages can be merged exactly as sum / count);
 * `countDistinct` counts distinct non-null values. A bucket comes back as the calendar date
 * that starts it, 'YYYY-MM-DD'.
 *
 * `orderBy` with `limit` (and `offset`) gives the top groups — the most frequent codes, a page
 * of distinct values — without the source returning every group. Nulls sort last ascending and
 * first descending; groups that tie on every key come in no fixed order, so callers end the
 * order with the group aliases.
 */
export interface AggregateQuery {
  table: string;
  where?: Predicate;
  groupBy: Readonly<Record<string, GroupKey>>;
  aggregates: Readonly<Record<string, Aggregate>>;
  orderBy?: readonly GroupOrderKey[];
  limit?: number;
  offset?: number;
  /** The instant (epoch ms) by which the caller needs the answer: the source stops the query then. */
  deadline?: number;
}

export type ColumnType = 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'other';

export interface ColumnDescription {
  name: string;
  type: ColumnType;
  /** The type as the database names it, for error messages. */
  nativeType: string;
  nullable: boolean;
}

/**
 * What a source's own system evaluates. Everything else is evaluated in memory by the
 * gateway (./memory) over the rows the system returns, never silently skipped: answers are
 * the same either way, only the cost differs. `civicgraph validate` prints this.
 */
export interface Pushdown {
  /** Which filter comparisons the system applies: all of them, some (see `notes`), or none. */
  filters: 'all' | 'some' | 'none';
  ordering: boolean;
  paging: boolean;
  /** Grouped statistics (GROUP BY, `$group`). */
  grouping: boolean;
  /** Batched look-ups of many keys in one request (joins, by-id fields). */
  keyLookups: boolean;
  /**
   * Where any of the above is done in memory: the most matching records one query may hold there.
   * A query that would need more fails with a clear error instead of exhausting the gateway.
   */
  memoryRowLimit?: number;
  /** Details for a liaison, one sentence each (e.g. which filters become which query parameters). */
  notes: readonly string[];
}

/** A column type a mapping can declare (see `DatasetMapping.columns`). */
export type DeclaredType = Exclude<ColumnType, 'other'>;

/**
 * What a connector's datasets declare about one table, for the sources that need it:
 * column types (csv, rest; overrides for mongodb) and the filters a REST API applies.
 */
export interface TableSettings {
  columns: ReadonlyMap<string, DeclaredType>;
  filterParams: readonly FilterParam[];
}

export interface Source {
  /** The connector mapping's name; used in errors, metrics and /readyz. */
  readonly name: string;
  readonly pushdown: Pushdown;
  find(query: FindQuery): Promise<Row[]>;
  count(query: CountQuery): Promise<number>;
  findByKeys(query: KeyLookupQuery): Promise<Row[]>;
  aggregate(query: AggregateQuery): Promise<Row[]>;
  /** The table's columns, or `undefined` when the table does not exist. */
  describeTable(table: string): Promise<ColumnDescription[] | undefined>;
  /**
   * Roughly how many rows (documents, records) the table holds, from the system's own statistics
   * where it keeps them, cheaply: never a full scan of a large table. `undefined` when the system cannot tell
   * (a REST API), or the table does not exist. It counts every row, those a role's row rules withhold included.
   */
  estimateRows(table: string): Promise<number | undefined>;
  /**
   * The tables (collections, files) the system holds, for drafting a mapping; empty where
   * the system cannot list them (a REST API's endpoints must be named).
   */
  listTables(): Promise<string[]>;
  /** Resolves when the source answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * What identifies the data served now, where the system can tell without a query (a file's
   * size and time), for the response cache to drop answers when the data changes; absent: it
   * cannot, and cached answers last their `cache.maxAge`.
   */
  dataVersion?(): string;
}

/**
 * - unreachable: the system does not answer, or refuses the credentials;
 * - timeout: a query ran past its limit (queryTimeoutMs): the system is slow;
 * - deadline: a query ran past its caller's `deadline`, which came before its own limit: the caller could wait no longer;
 * - missing-table: the table, collection, endpoint or file does not exist;
 * - bad-data: the system answered with something unreadable (HTML instead of JSON, a CSV row with the wrong number of fields);
 * - row-limit: answering in memory would need more rows than `Pushdown.memoryRowLimit`;
 * - query-failed: anything else.
 */
export type SourceErrorReason = 'unreachable' | 'timeout' | 'deadline' | 'missing-table' | 'bad-data' | 'row-limit' | 'query-failed';

/**
 * Every failure a source reports: it names the source and never carries a
 * connection string, credential or row value.
 */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly reason: SourceErrorReason,
  ) {
    super(`source "${source}": ${message}`);
    this.name = 'SourceError';
  }
}
