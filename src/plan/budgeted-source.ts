/**
 * A source held to the budget of the request it serves (./budget.ts): a query is refused at
 * once when the request is already past its deadline or over its rows, is sent with the
 * request's deadline so that the source stops it then (cancelling it where the system can),
 * is abandoned at the deadline if the source has not stopped by itself, and adds the rows it
 * returns to the request's count (unless they are read to enforce privacy rules).
 *
 * It is the outermost wrapper of the pool's source, around the metrics: a query refused here
 * never reached the source and is not counted as one, and a query the deadline stopped is
 * counted with the reason `deadline`, apart from the source's own timeouts.
 */
import { SourceError, type Source } from '../source/source.js';
import type { RequestBudget } from './budget.js';
import { wrapQueries } from '../source/wrap-queries.js';

export function budgetedSource(source: Source, budget: RequestBudget, countsRows: boolean): Source {
  return wrapQueries(source, (_operation, run, rowsIn) => async (query) => {
    budget.check();
    // A caller's own earlier deadline stays, and so does its error.
    const bounded = query.deadline === undefined || budget.deadline <= query.deadline;
    let result;
    try {
      result = await budget.within(run(bounded ? { ...query, deadline: budget.deadline } : query));
    } catch (error) {
      if (bounded && error instanceof SourceError && error.reason === 'deadline') throw budget.deadlineExceeded();
      throw error;
    }
    if (countsRows) budget.addRows(rowsIn(result) ?? 0);
    return result;
  });
}
