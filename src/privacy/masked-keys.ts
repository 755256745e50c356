/**
 * Join keys a role reads only where they name a row it may read. A row kept although the row
 * its key links to is withheld from the role (`withheldWith` leaves that join out) must not
 * say which row that is: every key that names no row the role can read — withheld or missing
 * alike — reads as null, so a null never tells one from the other. The keys of each answer are
 * looked up in one batched query on the target, with the target's rules for the role.
 *
 * Such a key is offered to no filter, order or grouping (the role's view marks it as read
 * transformed), so its raw values never reach a comparison; this source refuses any query
 * that would compare or group by one anyway.
 */
import type { RequestMemo } from '../plan/request-memo.js';
import { selectedForm } from '../plan/row-shape.js';
import type { JoinBinding, ServedDataset } from '../plan/served-dataset.js';
import { toSourceValues } from '../plan/to-source-value.js';
import { toPublicValue } from '../response/to-public-value.js';
import type { Row, Selection, Source, SourceValue, ValueRef } from '../source/source.js';

export interface MaskedKey {
  /** The join whose `from` field is masked. */
  join: JoinBinding;
  /** The source holding the masked field, named in data errors. */
  owner: string;
  /** The target as the role sees it: a key is kept when this finds its row. */
  readable: ServedDataset;
}

const LOOKUP_ALIAS = 'k';

export function maskedSource(source: Source, keys: readonly MaskedKey[], request: RequestMemo): Source {
  const sameRef = (a: ValueRef, b: ValueRef) => JSON.stringify(a) === JSON.stringify(b);
  const masked = (ref: ValueRef) => keys.some((key) => sameRef(key.join.from.ref, ref));
  const refuse = (what: string) => {
    throw new Error(`a query ${what} a join key the role reads only where it names a readable row; the planner must not offer it`);
  };

  async function mask(rows: Row[], selection: Selection): Promise<Row[]> {
    for (const key of keys) {
      // The key as a row shape selects it (an address as stored, spelled as the field reads it).
      const { ref, spell } = selectedForm(key.join.from.ref);
      const aliases = Object.entries(selection).filter(([, selected]) => sameRef(selected, ref)).map(([alias]) => alias);
      if (aliases.length === 0 || rows.length === 0) continue;
      const readable = await readableKeys(key, rows.flatMap((row) => aliases.map((alias) => spell(row[alias] ?? null))), request);
      for (const row of rows) {
        for (const alias of aliases) {
          const value = spell(row[alias] ?? null);
          if (value !== null && !readable.has(publicKey(key, value))) row[alias] = null;
        }
      }
    }
    return rows;
  }

  return {
    name: source.name,
    pushdown: source.pushdown,
    find: async (query) => {
      if (query.orderBy.some((order) => masked(order.ref))) refuse('orders by');
      return mask(await source.find(query), query.select);
    },
    count: (query) => source.count(query),
    estimateRows: (table) => source.estimateRows(table),
    findByKeys: async (query) => {
      if (masked(query.key) || query.orderBy?.some((order) => masked(order.ref))) refuse('looks up by');
      return mask(await source.findByKeys(query), query.select);
    },
    aggregate: (query) => {
      const refs = [...Object.values(query.groupBy).map((group) => group.ref), ...Object.values(query.aggregates).flatMap((aggregate) => ('ref' in aggregate ? [aggregate.ref] : []))];
      if (refs.some(masked)) refuse('groups or measures');
      return source.aggregate(query);
    },
    describeTable: (table) => source.describeTable(table),
    listTables: () => source.listTables(),
    ping: () => source.ping(),
    close: () => source.close(),
  };
}

/** The key as the public reads it: the spelling both datasets share. */
function publicKey(key: MaskedKey, raw: SourceValue): string {
  return String(toPublicValue(key.join.from, raw, key.owner));
}

/** Which of `values` (raw keys of the masked field) name a row the role may read, as public keys. */
async function readableKeys(key: MaskedKey, values: SourceValue[], request: RequestMemo): Promise<Set<string>> {
  const { join, readable } = key;
  const wanted = new Map<string, SourceValue>();
  for (const value of values) {
    if (value === null) continue;
    for (const raw of toSourceValues(join.to, toPublicValue(join.from, value, key.owner))) wanted.set(String(raw), raw);
  }
  if (wanted.size === 0) return new Set();
  // Not the caller's reading: rows counted here would tell how many keys name withheld rows.
  const found = await readable.sourceFor(request.withoutCountingRows()).findByKeys({
    table: readable.mapping.table,
    select: {},
    key: join.to.ref,
    keyAlias: LOOKUP_ALIAS,
    keys: [...wanted.values()],
  });
  return new Set(found.map((row) => String(toPublicValue(join.to, row[LOOKUP_ALIAS] ?? null, readable.connector.name))));
}
