/**
 * An Apollo Server plugin that holds each request of one role to what can be checked only once
 * the operation and its variables are known (after validation): the nesting of the variables,
 * and the cost. The estimate (src/plan/cost.ts) is compared
 * with the role's `limits.cost` and, where roles.yaml sets a cost budget per window, spent from
 * the caller's budget. Over either, nothing runs. The estimate is reported in
 * `extensions.cost` where the role's `reportCost` says so; what is left of the caller's window is
 * in the RateLimit headers, so that two callers' answers to one query are the same.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { QueryLimits } from '../../config/limits.js';
import { annotateOperation } from '../../observe/spans.js';
import { estimateCost, type CostModel } from '../../plan/cost.js';
import type { RequestContext } from '../context.js';
import { budgetHeaders } from '../rate-limit.js';
import { LimitRefusal } from './refusal.js';
import { variablesRefusal } from './static-limits.js';

export function costPlugin(model: CostModel, limits: QueryLimits, role: string): ApolloServerPlugin<RequestContext> {
  const estimates = memoisedEstimates(model);
  return {
    async requestDidStart() {
      let report: { estimated: number; limit: number } | undefined;
      return {
        async didResolveOperation({ contextValue, document, operation, request, response }) {
          // Apollo resolves the operation before calling this hook; without one, execution refuses the request itself.
          if (!operation) return;
          // Variables are known only now; graphql-js would coerce any depth of them recursively.
          const nested = variablesRefusal(request.variables, limits, role);
          if (nested) throw nested;
          const cost = estimates(document, operation, request.variables);
          report = { estimated: cost, limit: limits.cost };
          annotateOperation({ 'civicgraph.cost.estimated': cost, 'civicgraph.cost.limit': limits.cost });
          if (cost > limits.cost) {
            throw new LimitRefusal(
              'QUERY_TOO_COSTLY',
              `this request's estimated cost is ${cost}, over the limit of ${limits.cost} for role ${role}: ask for fewer rows (first), fewer joined levels or fewer counts`,
              { cost, limit: limits.cost },
              400,
            );
          }
          const rateLimit = contextValue.rateLimit;
          if (!rateLimit?.spendCost) return;
          const spent = await rateLimit.spendCost(cost);
          for (const [name, value] of Object.entries(budgetHeaders([rateLimit.requests, spent], rateLimit.windowMs))) response.http.headers.set(name, value);
          if (!spent.decision.allowed) {
            const seconds = Math.max(1, Math.ceil(spent.decision.resetMs / 1000));
            throw new LimitRefusal(
              'RATE_LIMITED',
              `this request's estimated cost is ${cost}, more than the ${spent.decision.remaining} left of the ${spent.limit} per window for ${rateLimit.who}; the window resets in ${seconds} s`,
              { cost, limit: spent.limit, remaining: spent.decision.remaining, retryAfterSeconds: seconds },
              429,
            );
          }
        },
        async willSendResponse({ response }) {
          if (!limits.reportCost || !report || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          // A refused request's error already says what it would have cost.
          if (result.data === undefined) return;
          result.extensions = { ...result.extensions, cost: report };
        },
      };
    },
  };
}

/** Variables up to this size are remembered with the estimate; larger ones are rare enough to cost again. */
const MAX_REMEMBERED_VARIABLES = 1024;

/**
 * The model's estimates, remembered per operation and variables: Apollo hands every request of one
 * query text the same parsed document, and a client asks the same few queries over and over. The
 * memory goes with the document (Apollo's document cache bounds how many are kept).
 */
function memoisedEstimates(model: CostModel) {
  const known = new WeakMap<OperationDefinitionNode, Map<string, number>>();
  return (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): number => {
    const key = variables === undefined ? '' : JSON.stringify(variables);
    const remembered = known.get(operation)?.get(key);
    if (remembered !== undefined) return remembered;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    }
    const cost = estimateCost(model, { operation, fragments, variables });
    if (key.length <= MAX_REMEMBERED_VARIABLES) {
      const byVariables = known.get(operation) ?? new Map<string, number>();
      if (byVariables.size < MAX_VARIABLE_SETS) byVariables.set(key, cost);
      known.set(operation, byVariables);
    }
    return cost;
  };
}

/** Distinct variable sets remembered per operation: a client paging through ids must not grow it without bound. */
const MAX_VARIABLE_SETS = 100;
