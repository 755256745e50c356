/**
 * The one interface every departmental source implements.
 *
 * The engine plans each GraphQL field into source-neutral queries over raw source
 * values (columns or liaison-written expressions): filters, order, paging and batched
 * key look-ups are all pushed into the source, never applied in memory.
 */
import type { ValueRef as MappedRef } from '../config/mapping.js';

/**
 * A value the source computes: a mapped column or expression, or such a value in a
 * canonical spelling (`normalize`), so that joins and filters match spellings that differ
 * between departments while the comparison still runs in the source.
 */
export type ValueRef = MappedRef | { normalize: 'address'; of: ValueRef };

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
  | { kind: 'constant'; value: boolean };

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
}

export interface CountQuery {
  table: string;
  where?: Predicate;
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
}

export type TimeBucket = 'day' | 'week' | 'month' | 'year';

/** A grouping key: a value, or the start of the day/ISO week/month/year its date or date-time falls in. */
export interface GroupKey {
  ref: ValueRef;
  /** Buckets are computed on the stored value (a source's local time for date-times without offset). */
  bucket?: TimeBucket;
}

export type Aggregate = { fn: 'count' } | { fn: 'count' | 'min' | 'max' | 'sum'; ref: ValueRef };

/**
 * Grouped aggregates, computed by the source (GROUP BY). `count` without a ref counts rows;
 * with a ref it counts non-null values (so averages can be merged exactly as sum / count).
 * A bucket comes back as the calendar date that starts it, 'YYYY-MM-DD'.
 */
export interface AggregateQuery {
  table: string;
  where?: Predicate;
  groupBy: Readonly<Record<string, GroupKey>>;
  aggregates: Readonly<Record<string, Aggregate>>;
}

export type ColumnType = 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'other';

export interface ColumnDescription {
  name: string;
  type: ColumnType;
  /** The type as the database names it, for error messages. */
  nativeType: string;
  nullable: boolean;
}

export interface Source {
  /** The connector mapping's name; used in errors, metrics and /readyz. */
  readonly name: string;
  find(query: FindQuery): Promise<Row[]>;
  count(query: CountQuery): Promise<number>;
  findByKeys(query: KeyLookupQuery): Promise<Row[]>;
  aggregate(query: AggregateQuery): Promise<Row[]>;
  /** The table's columns, or `undefined` when the table does not exist. */
  describeTable(table: string): Promise<ColumnDescription[] | undefined>;
  /** Resolves when the source answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every failure a source reports: it names the source and never carries a
 * connection string, credential or row value.
 */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly reason: 'unreachable' | 'timeout' | 'missing-table' | 'query-failed',
  ) {
    super(`source "${source}": ${message}`);
    this.name = 'SourceError';
  }
}
