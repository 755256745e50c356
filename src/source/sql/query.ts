/**
 * The source-neutral queries (FindQuery, CountQuery, KeyLookupQuery, AggregateQuery) → knex query builders.
 * Shared by every dialect; works on a connected knex or on a connection-less one (for
 * compiling SQL that can be reviewed without a server, see compileFind).
 */
import type { Knex } from 'knex';
import type { AggregateQuery, CountQuery, FindQuery, KeyLookupQuery, OrderKey, Selection, SourceValue, ValueRef } from '../source.js';
import { type Dialect, splitTableName } from './dialects/index.js';
import { type Fragment, join, param, sql } from './fragment.js';
import { compilePredicate, InvalidQueryError } from './predicate.js';
import { valueFragment } from './ref.js';

function identifier(name: string): Fragment {
  return { sql: '??', bindings: [name] };
}

function raw(db: Knex, fragment: Fragment): Knex.Raw {
  return db.raw(fragment.sql, fragment.bindings as Knex.RawBinding[]);
}

/** The select list as one raw piece: knex then quotes and numbers its bindings in one pass, not once per column. */
function selectList(db: Knex, dialect: Dialect, select: Selection): Knex.Raw[] {
  return [raw(db, join(Object.entries(select).map(([alias, ref]) => sql('{} as {}', valueFragment(ref, dialect), identifier(alias))), ', '))];
}

function orderKeyFragment(key: OrderKey, dialect: Dialect): Fragment {
  const ref = valueFragment(key.ref, dialect);
  if (!key.recode || key.recode.length === 0) return dialect.orderKey(ref, key.direction);
  // Raw codes missing from the map become NULL and so sort with the NULLs.
  const branches = key.recode.map(([rawValue, value]) => sql('when {} then {}', param(rawValue), dialect.recodeResult(value)));
  return dialect.orderKey(sql('case {} {} end', ref, join(branches, ' ')), key.direction);
}

function applyWhere(builder: Knex.QueryBuilder, where: FindQuery['where'], dialect: Dialect): Knex.QueryBuilder {
  if (!where) return builder;
  const condition = compilePredicate(where, dialect);
  return builder.whereRaw(condition.sql, condition.bindings as Knex.RawBinding[]);
}

function orderFragment(keys: OrderKey[], dialect: Dialect): Fragment {
  return join(keys.map((key) => orderKeyFragment(key, dialect)), ', ');
}

/** A plain column costs nothing to read; anything else is computed row by row. */
const isComputed = (ref: ValueRef) => !('column' in ref);

/**
 * A later page whose values are computed (a canonical address, a privacy transform, a mapped
 * expression) is read in two steps: the page's rows in a derived table, then their values. The
 * database computes the select list of every row an OFFSET skips (PostgreSQL does), so in one
 * step a page deep into a download would compute as many values as its offset, not its size. The
 * derived table takes the table's own name, so an expression that names the table still reads it.
 */
export function buildFind(db: Knex, dialect: Dialect, query: FindQuery): Knex.QueryBuilder {
  const values = selectList(db, dialect, query.select);
  if (query.offset === 0 || !Object.values(query.select).some(isComputed)) return buildPage(db, dialect, query, values);
  const rows = buildPage(db, dialect, query, [db.raw('*')]).as(splitTableName(query.table).table);
  return orderBy(db.select(values).from(rows), pageOrder(query), dialect);
}

function buildPage(db: Knex, dialect: Dialect, query: FindQuery, columns: Knex.Raw[]): Knex.QueryBuilder {
  const builder = orderBy(applyWhere(db.select(columns).from(query.table), query.where, dialect), pageOrder(query), dialect);
  builder.limit(query.limit);
  if (query.offset > 0) builder.offset(query.offset);
  return builder;
}

/** The order a page is read in. */
function pageOrder(query: FindQuery): OrderKey[] {
  // Paging past the first page needs a total order to be repeatable (and SQL Server's OFFSET needs an
  // ORDER BY at all). The engine appends the dataset key; if it gave no order, every selected value is
  // the best we have. A first page without an order needs none, so none is invented (some values,
  // like PostgreSQL's void or SQL Server's ntext, cannot be ordered).
  return query.orderBy.length > 0 || query.offset === 0
    ? query.orderBy
    : Object.values(query.select).map((ref) => ({ ref, direction: 'asc' as const }));
}

function orderBy(builder: Knex.QueryBuilder, keys: OrderKey[], dialect: Dialect): Knex.QueryBuilder {
  if (keys.length === 0) return builder;
  const order = orderFragment(keys, dialect);
  return builder.orderByRaw(order.sql, order.bindings as Knex.RawBinding[]);
}

export function buildCount(db: Knex, dialect: Dialect, query: CountQuery): Knex.QueryBuilder {
  return applyWhere(db.from(query.table).count({ n: '*' }), query.where, dialect);
}

/** The row-number column and derived-table name of a per-key-limited look-up; never returned. */
const ROW_NUMBER = '__civicgraph_rn';
const KEYED = '__civicgraph_keyed';

/**
 * One statement of a key look-up; the caller splits `keys` so that it fits the dialect's parameter limit
 * (a per-key limit holds per key, so splitting the keys keeps it exact).
 *
 * With `perKeyLimit`, each key's rows are numbered in `orderBy` order by a window function and only the
 * first rows are kept:
 *   SELECT <aliases> FROM (SELECT <select>, <key> AS <keyAlias>,
 *     ROW_NUMBER() OVER (PARTITION BY <key> ORDER BY <orderBy>) AS rn FROM t WHERE <key> IN (…) AND <where>) x
 *   WHERE rn <= ? ORDER BY rn
 * so each key's rows arrive in order. Without it, `orderBy` is a plain ORDER BY.
 */
export function buildFindByKeys(db: Knex, dialect: Dialect, query: KeyLookupQuery, keys: SourceValue[]): Knex.QueryBuilder {
  const select = { ...query.select, [query.keyAlias]: query.key };
  const key = valueFragment(query.key, dialect);
  const inList = sql('{} in ({})', key, join(keys.map(param), ', '));
  const order = query.orderBy && query.orderBy.length > 0 ? orderFragment(query.orderBy, dialect) : undefined;
  const lookup = (columns: Knex.Raw[]) => {
    const builder = db.select(columns).from(query.table);
    builder.whereRaw(inList.sql, inList.bindings as Knex.RawBinding[]);
    return applyWhere(builder, query.where, dialect);
  };
  if (query.perKeyLimit === undefined) {
    const builder = lookup(selectList(db, dialect, select));
    if (order) builder.orderByRaw(order.sql, order.bindings as Knex.RawBinding[]);
    return builder;
  }
  if (!Number.isSafeInteger(query.perKeyLimit) || query.perKeyLimit < 0) throw new InvalidQueryError('perKeyLimit must be a whole number');
  // SQL Server requires an ORDER BY in the window; without an order, any rows of the key will do.
  const rowNumber = sql('row_number() over (partition by {} order by {}) as {}', key, order ?? key, identifier(ROW_NUMBER));
  const inner = lookup([...selectList(db, dialect, select), raw(db, rowNumber)]);
  const columns = Object.keys(select).map((alias) => raw(db, sql('{}.{}', identifier(KEYED), identifier(alias))));
  return db
    .select(columns)
    .from(inner.as(KEYED))
    .whereRaw('??.?? <= ?', [KEYED, ROW_NUMBER, query.perKeyLimit])
    .orderByRaw('??.??', [KEYED, ROW_NUMBER]);
}

/** Keys worth asking for: NULL never equals a key, and asking twice for one key is waste. */
export function distinctKeys(keys: SourceValue[]): SourceValue[] {
  const seen = new Set<unknown>();
  const out: SourceValue[] = [];
  for (const key of keys) {
    if (key === null) continue;
    const identity = key instanceof Date ? `date:${key.getTime()}` : key;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push(key);
  }
  return out;
}

/** How many keys fit in one look-up statement alongside the query's other bindings. */
export function keyChunkSize(db: Knex, dialect: Dialect, query: KeyLookupQuery): number {
  const others = buildFindByKeys(db, dialect, query, [null]).toSQL().bindings.length - 1;
  return Math.max(1, dialect.maxBindings - others);
}

const AGGREGATE_FUNCTIONS = new Set(['count', 'countDistinct', 'min', 'max', 'sum']);
/** The column an aggregate query with neither groups nor aggregates selects, so that its SQL is valid. */
export const NO_COLUMNS = '__civicgraph_none';

function checkCount(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidQueryError(`${what} must be a whole number`);
  return n;
}

/**
 * Grouped aggregates. The group keys and aggregated values are computed in a derived table and
 * grouped by its column names in the outer query:
 *   SELECT g0 AS <alias>, count(*) AS <alias>, sum(v1) AS <alias>
 *   FROM (SELECT <key or bucket> AS g0, <ref> AS v1 FROM t WHERE <where>) x GROUP BY g0
 *   [ORDER BY <the same expressions> LIMIT … OFFSET …]
 * Repeating a key expression in GROUP BY would not do: a normalised address carries bound
 * parameters, and PostgreSQL and SQL Server do not recognise `replace(x, $1, $2)` in the select
 * list as the same expression as `replace(x, $3, $4)` in GROUP BY (SQL Server also refuses aliases there).
 * ORDER BY repeats the outer expressions rather than their aliases, since PostgreSQL reads an
 * alias only when it stands alone, and a dialect's null ordering wraps it in an expression.
 * Without groups the query returns one row, the totals (COUNT 0 and NULL sums over no rows).
 */
export function buildAggregate(db: Knex, dialect: Dialect, query: AggregateQuery): Knex.QueryBuilder {
  const inner: Fragment[] = [];
  const outer: Fragment[] = [];
  const groups: Fragment[] = [];
  const byAlias = new Map<string, Fragment>();
  Object.entries(query.groupBy).forEach(([alias, group], i) => {
    const column = identifier(`g${i}`);
    const value = valueFragment(group.ref, dialect);
    inner.push(sql('{} as {}', group.bucket ? dialect.timeBucket(value, group.bucket) : value, column));
    outer.push(sql('{} as {}', column, identifier(alias)));
    groups.push(column);
    byAlias.set(alias, column);
  });
  Object.entries(query.aggregates).forEach(([alias, aggregate], i) => {
    if (!AGGREGATE_FUNCTIONS.has(aggregate.fn)) throw new InvalidQueryError('unknown aggregate function');
    if (!('ref' in aggregate)) {
      outer.push(sql('count(*) as {}', identifier(alias)));
      byAlias.set(alias, sql('count(*)'));
      return;
    }
    const column = identifier(`v${i}`);
    inner.push(sql('{} as {}', valueFragment(aggregate.ref, dialect), column));
    const value = aggregate.fn === 'countDistinct' ? sql('count(distinct {})', column) : sql(`${aggregate.fn}({})`, column);
    outer.push(sql('{} as {}', value, identifier(alias)));
    byAlias.set(alias, value);
  });
  if (inner.length === 0) inner.push(sql('1 as {}', identifier('one')));
  if (outer.length === 0) outer.push(sql('count(*) as {}', identifier(NO_COLUMNS)));
  const rows = applyWhere(db.select(inner.map((f) => raw(db, f))).from(query.table), query.where, dialect);
  const builder = db.select(outer.map((f) => raw(db, f))).from(rows.as('grouped'));
  if (groups.length > 0) {
    const by = join(groups, ', ');
    builder.groupByRaw(by.sql, by.bindings as Knex.RawBinding[]);
  }
  if (query.orderBy && query.orderBy.length > 0) {
    const keys = query.orderBy.map(({ alias, direction }) => {
      const value = byAlias.get(alias);
      if (!value) throw new InvalidQueryError(`the groups are ordered by "${alias}", which the query does not compute`);
      return dialect.orderKey(value, direction);
    });
    const order = join(keys, ', ');
    builder.orderByRaw(order.sql, order.bindings as Knex.RawBinding[]);
  }
  if (query.limit !== undefined) builder.limit(checkCount(query.limit, 'limit'));
  if (query.offset !== undefined && query.offset > 0) builder.offset(checkCount(query.offset, 'offset'));
  return builder;
}
