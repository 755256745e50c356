/**
 * A source that counts and times every query it is sent, for `/metrics`, and while tracing gives
 * each its span: the source, the kind of query, the table and the rows it returned (a count's
 * answer is not a row count, and is left out).
 */
import type { Source } from '../source/source.js';
import { SourceError } from '../source/source.js';
import type { Metrics } from './metrics.js';
import { endSourceSpan, failSourceSpan, startSourceSpan } from './spans.js';

type Operation = 'find' | 'count' | 'findByKeys' | 'aggregate';

export function instrumentSource(source: Source, metrics: Metrics): Source {
  const timed =
    <Q extends { table: string }, R>(operation: Operation, run: (query: Q) => Promise<R>, rowsIn: (result: R) => number | undefined) =>
    async (query: Q): Promise<R> => {
      const labels = { source: source.name, operation };
      metrics.sourceQueries.inc(labels);
      const stop = metrics.sourceLatency.startTimer(labels);
      const span = startSourceSpan(source.name, operation, query.table);
      try {
        const result = await run(query);
        if (span) endSourceSpan(span, rowsIn(result));
        return result;
      } catch (error) {
        const reason = error instanceof SourceError ? error.reason : 'other';
        metrics.sourceErrors.inc({ source: source.name, reason });
        if (span) failSourceSpan(span, reason);
        throw error;
      } finally {
        stop();
      }
    };
  const rows = (result: unknown[]) => result.length;
  return {
    name: source.name,
    pushdown: source.pushdown,
    find: timed('find', (query) => source.find(query), rows),
    count: timed('count', (query) => source.count(query), () => undefined),
    findByKeys: timed('findByKeys', (query) => source.findByKeys(query), rows),
    aggregate: timed('aggregate', (query) => source.aggregate(query), rows),
    describeTable: (table) => source.describeTable(table),
    estimateRows: (table) => source.estimateRows(table),
    listTables: () => source.listTables(),
    ping: () => source.ping(),
    close: () => source.close(),
    ...(source.dataVersion && { dataVersion: () => source.dataVersion!() }),
  };
}
