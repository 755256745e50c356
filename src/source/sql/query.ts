/**
 * The source-neutral queries (FindQuery, CountQuery, KeyLookupQuery) → knex query builders.
 * Shared by every dialect; works on a connected knex or on a connection-less one (for
 * compiling SQL that can be reviewed without a server, see compileFind).
 */
import type { Knex } from 'knex';
import type { CountQuery, FindQuery, KeyLookupQuery, OrderKey, Selection, SourceValue } from '../source.js';
import type { Dialect } from './dialects/index.js';
import { type Fragment, join, param, refFragment, sql } from './fragment.js';
import { compilePredicate } from './predicate.js';

function identifier(name: string): Fragment {
  return { sql: '??', bindings: [name] };
}

function raw(db: Knex, fragment: Fragment): Knex.Raw {
  return db.raw(fragment.sql, fragment.bindings as Knex.RawBinding[]);
}

function selectList(db: Knex, select: Selection): Knex.Raw[] {
  return Object.entries(select).map(([alias, ref]) => raw(db, sql('{} as {}', refFragment(ref), identifier(alias))));
}

function orderKeyFragment(key: OrderKey, dialect: Dialect): Fragment {
  const ref = refFragment(key.ref);
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

export function buildFind(db: Knex, dialect: Dialect, query: FindQuery): Knex.QueryBuilder {
  const builder = applyWhere(db.select(selectList(db, query.select)).from(query.table), query.where, dialect);
  // Paging past the first page needs a total order to be repeatable (and SQL Server's OFFSET needs an
  // ORDER BY at all). The engine appends the dataset key; if it gave no order, every selected value is
  // the best we have. A first page without an order needs none, so none is invented (some values,
  // like PostgreSQL's void or SQL Server's ntext, cannot be ordered).
  const keys: OrderKey[] =
    query.orderBy.length > 0 || query.offset === 0
      ? query.orderBy
      : Object.values(query.select).map((ref) => ({ ref, direction: 'asc' as const }));
  if (keys.length > 0) {
    const order = join(keys.map((key) => orderKeyFragment(key, dialect)), ', ');
    builder.orderByRaw(order.sql, order.bindings as Knex.RawBinding[]);
  }
  builder.limit(query.limit);
  if (query.offset > 0) builder.offset(query.offset);
  return builder;
}

export function buildCount(db: Knex, dialect: Dialect, query: CountQuery): Knex.QueryBuilder {
  return applyWhere(db.from(query.table).count({ n: '*' }), query.where, dialect);
}

/** One statement of a key look-up; the caller splits `keys` so that it fits the dialect's parameter limit. */
export function buildFindByKeys(db: Knex, dialect: Dialect, query: KeyLookupQuery, keys: SourceValue[]): Knex.QueryBuilder {
  const select = { ...query.select, [query.keyAlias]: query.key };
  const builder = db.select(selectList(db, select)).from(query.table);
  const inList = sql('{} in ({})', refFragment(query.key), join(keys.map(param), ', '));
  builder.whereRaw(inList.sql, inList.bindings as Knex.RawBinding[]);
  return applyWhere(builder, query.where, dialect);
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
