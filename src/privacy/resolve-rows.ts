/**
 * A role's row rule answered for one request. A condition on the row a join links to runs
 * inside the source's own query where both datasets live in one SQL source and store the key
 * alike (a sub-query); otherwise the keys of the matching target rows are read once per
 * request from the target's source and the condition becomes an `in` list of them. Either
 * way the result is one predicate, so lists, look-ups, joins, counts and statistics all
 * apply exactly the same rule.
 */
import { isSqlKind } from '../config/mapping.js';
import type { RequestMemo } from '../plan/request-memo.js';
import type { JoinBinding, ScalarBinding, ServedDataset } from '../plan/served-dataset.js';
import { toSourceValues } from '../plan/to-source-value.js';
import { DataError, toPublicValue } from '../response/to-public-value.js';
import type { Predicate, SourceValue } from '../source/source.js';
import type { RowCondition } from './row-condition.js';

/**
 * The most target keys one condition may look up: they travel as an `in` list (SQL Server
 * takes about 2,000 parameters per statement, PostgreSQL tens of thousands). Past it the
 * request fails rather than serve rows the rule could not check.
 */
export const MAX_LINKED_KEYS = 5_000;

const FALSE: Predicate = { kind: 'constant', value: false };

/** `condition` over `owner`'s rows as a source predicate, with what it needs of other datasets looked up once per request. */
export function resolveCondition(condition: RowCondition, owner: ServedDataset, request: RequestMemo): Promise<Predicate> {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return Promise.all(condition.items.map((item) => resolveCondition(item, owner, request))).then((items) => ({ kind: condition.kind, items }));
    case 'not':
      return resolveCondition(condition.item, owner, request).then((item) => ({ kind: 'not', item }));
    case 'referenced':
      return request.once(condition, () => resolveReferenced(condition, owner, request));
    default:
      return Promise.resolve(condition);
  }
}

async function resolveReferenced(condition: Extract<RowCondition, { kind: 'referenced' }>, owner: ServedDataset, request: RequestMemo): Promise<Predicate> {
  const { join } = condition;
  const where = await resolveCondition(condition.where, join.target, request);
  if (where.kind === 'constant' && !where.value) return FALSE;
  if (inOneQuery(owner, join)) return { kind: 'related', ref: join.from.ref, table: join.target.mapping.table, to: join.to.ref, where };
  const keys = await linkedKeys(owner, join, where, request);
  return keys.length === 0 ? FALSE : { kind: 'compare', ref: join.from.ref, op: 'in', value: keys };
}

/** Both datasets in one SQL source, with the key stored the same way on both sides, so the source can compare the columns themselves. */
function inOneQuery(owner: ServedDataset, join: JoinBinding): boolean {
  return owner.connector === join.target.connector && isSqlKind(owner.connector.source.kind) && storedAlike(join.from, join.to);
}

function storedAlike(a: ScalarBinding, b: ScalarBinding): boolean {
  return (
    a.columnType !== undefined &&
    a.columnType === b.columnType &&
    !a.mapping.codes &&
    !b.mapping.codes &&
    a.mapping.normalize === b.mapping.normalize &&
    JSON.stringify(a.mapping.format ?? null) === JSON.stringify(b.mapping.format ?? null)
  );
}

/**
 * The keys, in `owner`'s own spelling, of the target rows matching `where`: read from the
 * target's whole table (the condition is about rows the role may not see), at most MAX_LINKED_KEYS.
 */
async function linkedKeys(owner: ServedDataset, join: JoinBinding, where: Predicate, request: RequestMemo): Promise<SourceValue[]> {
  const { target } = join;
  const present: Predicate = { kind: 'compare', ref: join.to.ref, op: 'isNull', value: false };
  // Not the caller's reading: rows counted here would tell how many rows are withheld from it.
  const rows = await target.sourceFor(request.withoutCountingRows()).find({
    table: target.mapping.table,
    select: { k: join.to.ref },
    where: { kind: 'and', items: [present, where] },
    orderBy: [],
    limit: MAX_LINKED_KEYS + 1,
    offset: 0,
  });
  if (rows.length > MAX_LINKED_KEYS) {
    throw new DataError(
      target.connector.name,
      `${owner.type.name} rows cannot be served to this role: its row rule looks at the ${target.type.name} rows "${join.mapping.name}" links to, ` +
        `and more than ${MAX_LINKED_KEYS} of them match, too many to look up one by one; serve both datasets from one SQL source, where the rule runs inside the query`,
    );
  }
  const keys = new Map<string, SourceValue>();
  for (const row of rows) {
    for (const key of toSourceValues(join.from, toPublicValue(join.to, row.k ?? null, target.connector.name))) keys.set(String(key), key);
  }
  return [...keys.values()];
}
