/**
 * Joined fields, batched: every parent row of one request that follows the same join with
 * the same arguments shares one `findByKeys` query on the target's source, however many
 * parents there are. A per-parent `first` is a per-key limit the source applies.
 */
import DataLoader from 'dataloader';
import { badRequest } from './bad-request.js';
import { planFilter, type FilterInput } from './filter.js';
import { planOrder, type OrderChoice } from './order.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page.js';
import { RowShape } from './row-shape.js';
import type { RequestMemo } from './request-memo.js';
import type { JoinBinding } from './served-dataset.js';
import { toSourceValues } from './to-source-value.js';
import type { Row, SourceValue } from '../source/source.js';

export interface JoinArgs {
  filter?: FilterInput | null;
  orderBy?: readonly OrderChoice[] | null;
  first?: number | null;
}

export type PublicObject = Record<string, unknown>;

const JOIN_KEY_ALIAS = 'j';

export function joinLimit(join: JoinBinding, first: number | null | undefined): number {
  if (join.mapping.cardinality === 'one') return 1;
  const limit = first ?? DEFAULT_PAGE_SIZE;
  if (limit < 0) throw badRequest('first', 'must not be negative');
  if (limit > MAX_PAGE_SIZE) throw badRequest('first', `at most ${MAX_PAGE_SIZE} rows per parent`);
  return limit;
}

/** Loads, for each parent's public `from` value, the target rows that match it. */
export function joinLoader(join: JoinBinding, args: JoinArgs, shape: RowShape, request: RequestMemo): DataLoader<string, PublicObject[]> {
  const { target } = join;
  const limit = joinLimit(join, args.first);
  const where = planFilter(target, args.filter);
  const orderBy = planOrder(target, args.orderBy ?? []);
  return new DataLoader(async (parentValues: readonly string[]) => {
    const rawByParent = parentValues.map((value) => toSourceValues(join.to, value));
    const keys = [...new Map(rawByParent.flat().map((raw) => [String(raw), raw])).values()];
    const rows: Row[] =
      keys.length === 0 || limit === 0
        ? []
        : await target.sourceFor(request).findByKeys({
            table: target.mapping.table,
            select: shape.selection,
            key: join.to.ref,
            keyAlias: JOIN_KEY_ALIAS,
            keys,
            where,
            orderBy,
            perKeyLimit: limit,
          });
    const byKey = new Map<string, Row[]>();
    for (const row of rows) {
      const key = String(row[JOIN_KEY_ALIAS]);
      byKey.set(key, [...(byKey.get(key) ?? []), row]);
    }
    return rawByParent.map((raws: SourceValue[]) => raws.flatMap((raw) => byKey.get(String(raw)) ?? []).slice(0, limit).map((row) => shape.toObject(row)));
  });
}
