/** A source that counts and times every query it is sent, for `/metrics`. */
import type { Source } from '../source/source.js';
import { SourceError } from '../source/source.js';
import type { Metrics } from './metrics.js';

type Operation = 'find' | 'count' | 'findByKeys' | 'aggregate';

export function instrumentSource(source: Source, metrics: Metrics): Source {
  const timed =
    <Q, R>(operation: Operation, run: (query: Q) => Promise<R>) =>
    async (query: Q): Promise<R> => {
      const labels = { source: source.name, operation };
      metrics.sourceQueries.inc(labels);
      const stop = metrics.sourceLatency.startTimer(labels);
      try {
        return await run(query);
      } catch (error) {
        metrics.sourceErrors.inc({ source: source.name, reason: error instanceof SourceError ? error.reason : 'other' });
        throw error;
      } finally {
        stop();
      }
    };
  return {
    name: source.name,
    pushdown: source.pushdown,
    find: timed('find', (query) => source.find(query)),
    count: timed('count', (query) => source.count(query)),
    findByKeys: timed('findByKeys', (query) => source.findByKeys(query)),
    aggregate: timed('aggregate', (query) => source.aggregate(query)),
    describeTable: (table) => source.describeTable(table),
    estimateRows: (table) => source.estimateRows(table),
    listTables: () => source.listTables(),
    ping: () => source.ping(),
    close: () => source.close(),
    ...(source.dataVersion && { dataVersion: () => source.dataVersion!() }),
  };
}
