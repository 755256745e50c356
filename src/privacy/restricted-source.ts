/**
 * A source that only ever sees one role's rows: the role's row rule is added to the
 * condition of every query, whatever the query is for (a list, a count, a look-up by key,
 * a join from another department, statistics). Every path to the rows goes through here,
 * so an excluded row is excluded everywhere. The rule is given per request: a rule that
 * depends on another dataset's rows is resolved once for the request (see resolve-rows.ts).
 */
import type { Predicate, Source } from '../source/source.js';
import { wrapQueries } from '../source/wrap-queries.js';

function restrict(where: Predicate | undefined, rule: Predicate): Predicate {
  return where ? { kind: 'and', items: [rule, where] } : rule;
}

export function restrictedSource(source: Source, rule: () => Promise<Predicate>): Source {
  return {
    ...wrapQueries(source, (_operation, run) => async (query) => run({ ...query, where: restrict((query as { where?: Predicate }).where, await rule()) })),
    // The rows the role may see, counted: what a request costs is seen by the caller (in its answer, or in
    // where refusals start), so a size with withheld rows in it would tell how many rows are withheld.
    // Where the system keeps no size (an API), there is nothing to count cheaply either.
    async estimateRows(table) {
      return (await source.estimateRows(table)) === undefined ? undefined : source.count({ table, where: await rule() });
    },
  };
}
