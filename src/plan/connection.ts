/**
 * One page of a dataset as a Relay connection: one `find` for the rows (one more row than
 * asked tells whether another page follows in the reading direction) and, only when
 * selected, one `count`. A page read backward asks the source for the reverse order and
 * turns its rows round, so that every page lists rows in the query's order.
 */
import type { Predicate } from '../source/source.js';
import { cursorEncoder, queryFingerprint } from './cursor.js';
import { planFilter, type FilterInput } from './filter.js';
import { planOrder, reverseOrder, type OrderChoice } from './order.js';
import { planPage, type PageArgs } from './page.js';
import { RowShape } from './row-shape.js';
import type { ServedDataset } from './served-dataset.js';
import type { PageInfo } from '../generated/graphql.js';
import type { RequestMemo } from './request-memo.js';

export interface ConnectionArgs extends PageArgs {
  filter?: FilterInput | null;
  orderBy?: readonly OrderChoice[] | null;
}

export interface Connection {
  edges: Array<{ cursor: string; node: Record<string, unknown> }>;
  nodes: Array<Record<string, unknown>>;
  pageInfo: PageInfo;
  /** Counting costs a query: the `totalCount` resolver calls this only when the field is selected. */
  count: () => Promise<number>;
}

export async function resolveConnection(
  dataset: ServedDataset,
  request: RequestMemo,
  args: ConnectionArgs,
  fields: readonly string[],
  /** The filter and order as the caller wrote them, for the cursor fingerprint. */
  rawArgs: { filter?: unknown; orderBy?: unknown },
  /** A condition the entry point adds (e.g. one address), named in the fingerprint by `scope.id`. */
  scope?: { id: string; where: Predicate },
): Promise<Connection> {
  const fingerprint = queryFingerprint(`${dataset.type.name}${scope ? `@${scope.id}` : ''}`, rawArgs.filter, rawArgs.orderBy);
  const page = planPage(args, fingerprint);
  const filtered = planFilter(dataset, args.filter);
  const where: Predicate | undefined = scope ? (filtered ? { kind: 'and', items: [scope.where, filtered] } : scope.where) : filtered;
  const shape = RowShape.of(dataset, fields);
  const source = dataset.sourceFor(request);
  const order = planOrder(dataset, args.orderBy ?? []);
  const rows =
    page.limit === 0
      ? []
      : await source.find({
          table: dataset.mapping.table,
          select: shape.selection,
          where,
          orderBy: page.from === 'start' ? order : reverseOrder(order),
          limit: page.limit + 1,
          offset: page.offset,
        });
  const cursor = cursorEncoder(fingerprint, page.from);
  const read = rows.slice(0, page.limit).map((row, index) => ({ cursor: cursor(page.offset + index), node: shape.toObject(row) }));
  const edges = page.from === 'start' ? read : read.reverse();
  // Rows beyond the page in the reading direction are known from the extra row; behind it, from the offset.
  const beyond = rows.length > page.limit;
  const behind = page.offset > 0;
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: page.from === 'start' ? beyond : behind,
      hasPreviousPage: page.from === 'start' ? behind : beyond,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    count() {
      return source.count({ table: dataset.mapping.table, where });
    },
  };
}
