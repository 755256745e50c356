/** What the sources benchmark asks each system: the shapes the gateway sends for lists, totals, statistics and joins. */
import type { Row, Source } from '../../src/source/source.js';

export interface BenchQuery {
  id: string;
  what: string;
  run(source: Source, table: string): Promise<Row[] | number>;
}

const byId = { ref: { column: 'id' }, direction: 'asc' as const };

export const QUERIES: readonly BenchQuery[] = [
  {
    id: 'page',
    what: 'a page of 100 open work orders, newest first (the filter is one a REST API applies)',
    run: (source, table) =>
      source.find({
        table,
        select: { id: { column: 'id' }, status: { column: 'status' }, created: { column: 'created' }, cost: { column: 'cost' } },
        where: { kind: 'compare', ref: { column: 'status' }, op: 'eq', value: 'OPEN' },
        orderBy: [{ ref: { column: 'created' }, direction: 'desc' }, byId],
        limit: 100,
        offset: 0,
      }),
  },
  {
    id: 'count',
    what: 'how many work orders cost over 2,500 (a filter no API here applies)',
    run: (source, table) => source.count({ table, where: { kind: 'compare', ref: { column: 'cost' }, op: 'gt', value: 2500 } }),
  },
  {
    id: 'stats',
    what: 'count and total cost by status and month',
    run: (source, table) =>
      source.aggregate({
        table,
        groupBy: { status: { ref: { column: 'status' } }, month: { ref: { column: 'created' }, bucket: 'month' } },
        aggregates: { n: { fn: 'count' }, total: { fn: 'sum', ref: { column: 'cost' } }, counted: { fn: 'count', ref: { column: 'cost' } } },
      }),
  },
  {
    id: 'join',
    what: 'the work orders of 100 keys, at most 3 each (a joined list)',
    run: (source, table) =>
      source.findByKeys({
        table,
        select: { id: { column: 'id' } },
        key: { column: 'crew' },
        keyAlias: 'k',
        keys: ['Crew 1', 'Crew 2', 'Crew 3'],
        orderBy: [{ ref: { column: 'cost' }, direction: 'desc' }, byId],
        perKeyLimit: 3,
      }),
  },
];
