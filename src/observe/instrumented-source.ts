/**
 * A source that counts and times every query it is sent, for `/metrics`, and while tracing gives
 * each its span: the source, the kind of query, the table and the rows it returned (a count's
 * answer is not a row count, and is left out).
 */
import type { Source } from '../source/source.js';
import { SourceError } from '../source/source.js';
import type { Metrics } from './metrics.js';
import { wrapQueries } from '../source/wrap-queries.js';
import { endSourceSpan, failSourceSpan, startSourceSpan } from './spans.js';

export function instrumentSource(source: Source, metrics: Metrics): Source {
  return wrapQueries(source, (operation, run, rowsIn) => async (query) => {
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
  });
}
