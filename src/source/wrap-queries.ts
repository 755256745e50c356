/**
 * A source whose four kinds of query all go through `wrap`, and whose other methods are the
 * wrapped source's own: how the request budget (src/plan/budgeted-source.ts) and the metrics
 * (src/observe/instrumented-source.ts) stand around a source without each listing its methods.
 */
import type { Source } from './source.js';

export type QueryOperation = 'find' | 'count' | 'findByKeys' | 'aggregate';

/** Wraps one kind of query; `rowsIn` tells the rows a result holds (undefined for a count, whose answer is no row count). */
export type QueryWrap = <Q extends { table: string; deadline?: number }, R>(
  operation: QueryOperation,
  run: (query: Q) => Promise<R>,
  rowsIn: (result: R) => number | undefined,
) => (query: Q) => Promise<R>;

export function wrapQueries(source: Source, wrap: QueryWrap): Source {
  const rows = (result: unknown[]) => result.length;
  return {
    name: source.name,
    pushdown: source.pushdown,
    find: wrap('find', (query) => source.find(query), rows),
    count: wrap('count', (query) => source.count(query), () => undefined),
    findByKeys: wrap('findByKeys', (query) => source.findByKeys(query), rows),
    aggregate: wrap('aggregate', (query) => source.aggregate(query), rows),
    describeTable: (table) => source.describeTable(table),
    estimateRows: (table) => source.estimateRows(table),
    listTables: () => source.listTables(),
    ping: () => source.ping(),
    close: () => source.close(),
    ...(source.dataVersion && { dataVersion: () => source.dataVersion!() }),
  };
}
