/**
 * The source-neutral queries → aggregation pipelines. Everything runs in MongoDB:
 * $match (./filter.ts), computed sort keys ($addFields), $sort, $skip, $limit, $project,
 * $group with $topN for per-key limits and $group for statistics.
 *
 * Fields this module adds to documents start with `__cg_` and are projected away.
 */
import type { AggregateQuery, CountQuery, FindQuery, KeyLookupQuery, OrderKey, Predicate, Selection, SourceValue, ValueRef } from '../source.js';
import { InvalidMongoQueryError } from './errors.js';
import { compileFilter } from './filter.js';
import { bucketExpression, type Expression, isNullExpression, refExpression } from './refs.js';
import { checkValue, type FieldTypes, refTypes, storedForms } from './values.js';

export type Stage = Record<string, unknown>;

const literal = (value: unknown): Expression => ({ $literal: value });

function checkCount(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidMongoQueryError(`${what} must be a whole number`);
  return n;
}

/** Aliases become field names: one starting with '$' or holding a '.' would be an operator or a path. */
function checkAlias(alias: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new InvalidMongoQueryError('an alias is not a plain identifier');
  return alias;
}

function projection(select: Selection): Stage {
  const entries = Object.entries(select);
  // `{ _id: 0 }` alone would be an exclusion and return whole documents.
  if (entries.length === 0) return { $project: { _id: 1 } };
  const fields: Record<string, Expression> = { _id: 0 };
  for (const [alias, ref] of entries) fields[checkAlias(alias)] = refExpression(ref);
  return { $project: fields };
}

/**
 * CASE ref WHEN raw THEN value … END as $switch. Raw codes are compared in the field's stored
 * types (as filter values are); a raw code missing from the map gives null, which sorts with
 * the NULLs. A null raw code never matches, as in SQL.
 */
function recodeExpression(ref: ValueRef, recode: NonNullable<OrderKey['recode']>, types: FieldTypes): Expression {
  const { stored, declared } = refTypes(ref, types);
  const branches = recode
    .map(([raw, value]) => [checkValue(raw), checkValue(value)] as const)
    .filter((pair): pair is readonly [Exclude<SourceValue, null>, SourceValue] => pair[0] !== null)
    .map(([raw, value]) => ({
      case: { $in: [{ $ifNull: ['$$r', null] }, literal(storedForms([raw], stored, declared))] },
      then: literal(value),
    }));
  if (branches.length === 0) return null;
  return { $let: { vars: { r: refExpression(ref) }, in: { $switch: { branches, default: null } } } };
}

/**
 * Each key is computed into a field, then a null flag for it: MongoDB sorts null lowest,
 * SQL here sorts NULLs last ascending and first descending, so the flag (1 for NULL) sorts
 * first, in the key's direction. `_id` last makes every order total, so that pages are
 * repeatable.
 */
function sortStages(keys: readonly OrderKey[], types: FieldTypes): { stages: Stage[]; sort: Record<string, 1 | -1> } {
  const values: Record<string, Expression> = {};
  const flags: Record<string, Expression> = {};
  const sort: Record<string, 1 | -1> = {};
  keys.forEach((key, i) => {
    const direction = key.direction === 'desc' ? -1 : 1;
    values[`__cg_s${i}`] = key.recode && key.recode.length > 0 ? recodeExpression(key.ref, key.recode, types) : refExpression(key.ref);
    flags[`__cg_n${i}`] = { $cond: [isNullExpression(`$__cg_s${i}`), 1, 0] };
    sort[`__cg_n${i}`] = direction;
    sort[`__cg_s${i}`] = direction;
  });
  sort._id = 1;
  return { stages: keys.length === 0 ? [] : [{ $addFields: values }, { $addFields: flags }], sort };
}

function orderStages(keys: readonly OrderKey[], types: FieldTypes): Stage[] {
  const { stages, sort } = sortStages(keys, types);
  return [...stages, { $sort: sort }];
}

function matchStages(where: Predicate | undefined, types: FieldTypes): Stage[] {
  return where ? [{ $match: compileFilter(where, types) }] : [];
}

export function findPipeline(query: FindQuery, types: FieldTypes): Stage[] {
  return [
    ...matchStages(query.where, types),
    // A first page needs no order; a later one needs a total order to be repeatable, `_id` at least.
    ...(query.orderBy.length > 0 || query.offset > 0 ? orderStages(query.orderBy, types) : []),
    ...(query.offset > 0 ? [{ $skip: checkCount(query.offset, 'offset') }] : []),
    { $limit: checkCount(query.limit, 'limit') },
    projection(query.select),
  ];
}

export function countPipeline(query: CountQuery, types: FieldTypes): Stage[] {
  // Not $count: over no documents mingo answers { n: 0 } where MongoDB answers nothing; $group answers nothing in both.
  return [...matchStages(query.where, types), { $group: { _id: null, n: { $sum: 1 } } }];
}

const KEY = '__cg_key';
const ROWS = '__cg_rows';
const PLACE = '__cg_place';

/**
 * One query of a key look-up: the key compared with `in` like any filter (so keys are
 * converted to the stored types and a plain key column can use its index). With
 * `perKeyLimit`, $group keeps each key's first rows in `orderBy` order ($topN holds only
 * those in memory), and they come back ordered by their place within their key, as the
 * SQL connector's do. ($setWindowFields would do too, but mingo runs it through $function.)
 */
export function keyLookupPipeline(query: KeyLookupQuery, keys: SourceValue[], types: FieldTypes): Stage[] {
  const byKey: Predicate = { kind: 'compare', ref: query.key, op: 'in', value: keys };
  const match = { $match: compileFilter(query.where ? { kind: 'and', items: [byKey, query.where] } : byKey, types) };
  const project = projection({ ...query.select, [query.keyAlias]: query.key });
  const order = query.orderBy ?? [];
  if (query.perKeyLimit === undefined) return [match, ...(order.length > 0 ? orderStages(order, types) : []), project];
  const { stages, sort } = sortStages(order, types);
  return [
    match,
    ...stages,
    { $addFields: { [KEY]: refExpression(query.key) } },
    { $group: { _id: `$${KEY}`, [ROWS]: { $topN: { n: checkCount(query.perKeyLimit, 'perKeyLimit'), sortBy: sort, output: '$$ROOT' } } } },
    { $unwind: { path: `$${ROWS}`, includeArrayIndex: PLACE } },
    { $replaceWith: { $mergeObjects: [`$${ROWS}`, { [PLACE]: `$${PLACE}` }] } },
    { $sort: { [PLACE]: 1, _id: 1 } },
    project,
  ];
}

/** Field names in $group output: `g<i>` inside `_id` for group keys, `a<i>` per aggregate, `c<i>` the non-null count behind a sum. */
export const groupField = (i: number) => `g${i}`;
export const aggregateField = (i: number) => `a${i}`;
export const nonNullField = (i: number) => `c${i}`;

/**
 * Grouped aggregates as one $group. A missing group value and null are one group ($ifNull),
 * as NULLs are in SQL. MongoDB's $sum over no numbers is 0 where SQL's is NULL, so each sum
 * carries its count of non-null values and is read as null when that is 0. A distinct count
 * gathers the group's values in a set ($addToSet) and keeps only its size, without null, so
 * the set never leaves the server. An order of the groups sorts on null flags first, as
 * `sortStages` does, then `_id` for a total order.
 */
export function aggregatePipeline(query: AggregateQuery, types: FieldTypes): Stage[] {
  const keys = Object.values(query.groupBy).map((group, i) => {
    const value = refExpression(group.ref);
    return [groupField(i), { $ifNull: [group.bucket ? bucketExpression(value, group.bucket) : value, null] }] as const;
  });
  const group: Record<string, unknown> = { _id: keys.length === 0 ? null : Object.fromEntries(keys) };
  const sizes: Record<string, Expression> = {};
  const fieldOf = new Map<string, string>(Object.keys(query.groupBy).map((alias, i) => [alias, `_id.${groupField(i)}`]));
  Object.entries(query.aggregates).forEach(([alias, aggregate], i) => {
    fieldOf.set(alias, aggregateField(i));
    if (!('ref' in aggregate)) {
      if (aggregate.fn !== 'count') throw new InvalidMongoQueryError('only count takes no value');
      group[aggregateField(i)] = { $sum: 1 };
      return;
    }
    const value = refExpression(aggregate.ref);
    const nonNull = { $sum: { $cond: [isNullExpression(value), 0, 1] } };
    switch (aggregate.fn) {
      case 'count':
        group[aggregateField(i)] = nonNull;
        break;
      case 'countDistinct':
        group[aggregateField(i)] = { $addToSet: { $ifNull: [value, null] } };
        sizes[aggregateField(i)] = { $size: { $setDifference: [`$${aggregateField(i)}`, [null]] } };
        break;
      case 'sum':
        group[aggregateField(i)] = { $sum: value };
        group[nonNullField(i)] = nonNull;
        break;
      case 'min':
      case 'max':
        group[aggregateField(i)] = { [`$${aggregate.fn}`]: value };
        break;
      default:
        throw new InvalidMongoQueryError('unknown aggregate function');
    }
  });
  const stages: Stage[] = [...matchStages(query.where, types), { $group: group }];
  if (Object.keys(sizes).length > 0) stages.push({ $addFields: sizes });
  const order = query.orderBy ?? [];
  if (order.length > 0) {
    const flags: Record<string, Expression> = {};
    const sort: Record<string, 1 | -1> = {};
    order.forEach(({ alias, direction }, i) => {
      const field = fieldOf.get(alias);
      if (!field) throw new InvalidMongoQueryError(`the groups are ordered by "${alias}", which the query does not compute`);
      const way = direction === 'desc' ? -1 : 1;
      flags[`__cg_n${i}`] = { $cond: [isNullExpression(`$${field}`), 1, 0] };
      sort[`__cg_n${i}`] = way;
      sort[field] = way;
    });
    sort._id = 1;
    stages.push({ $addFields: flags }, { $sort: sort });
  }
  if (query.offset !== undefined && query.offset > 0) stages.push({ $skip: checkCount(query.offset, 'offset') });
  if (query.limit !== undefined) stages.push({ $limit: checkCount(query.limit, 'limit') });
  return stages;
}
