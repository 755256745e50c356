/**
 * A source whose four kinds of query all go through `wrap`, and whose other methods are the
 * wrapped source's own: how the request budget (src/plan/budgeted-source.ts), the metrics
 * (src/observe/instrumented-source.ts) and a role's row rule (src/privacy/restricted-source.ts)
 * stand around a source without each listing its methods.
 */
import type { Source } from './source.js';

export type QueryOperation = 'find' | 'count' | 'findByKeys' | 'aggregate';

/** Wraps one kind of query; `rowsIn` tells the rows a result holds (undefined for a count, whose answer is no row count). */
export type QueryWrap = <Q extends { table: string; deadline?: number }, R>(
  operation: QueryOperation,
  run: (query: Q) => Promise<R>,
  rowsIn: (result: R) => number | undefined,
) => (query: Q) => Promise<R>;

// Methods rather than arrow functions bound to names: the request budget wraps a source for every
// request, and tsx (esbuild's keepNames) would redefine each arrow function's name as it is made.
export function wrapQueries(source: Source, wrap: QueryWrap): Source {
  return {
    name: source.name,
    pushdown: source.pushdown,
    find: wrap('find', (query) => source.find(query), rowCount),
    count: wrap('count', (query) => source.count(query), () => undefined),
    findByKeys: wrap('findByKeys', (query) => source.findByKeys(query), rowCount),
    aggregate: wrap('aggregate', (query) => source.aggregate(query), rowCount),
    describeTable(table) {
      return source.describeTable(table);
    },
    estimateRows(table) {
      return source.estimateRows(table);
    },
    listTables() {
      return source.listTables();
    },
    ping() {
      return source.ping();
    },
    close() {
      return source.close();
    },
    ...(source.dataVersion && {
      dataVersion() {
        return source.dataVersion!();
      },
    }),
  };
}

function rowCount(result: unknown[]): number {
  return result.length;
}
