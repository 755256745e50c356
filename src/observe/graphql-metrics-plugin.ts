/** An Apollo Server plugin that counts and times GraphQL requests by operation name. */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from './metrics.js';

export function graphqlMetricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ request, operationName, errors }) {
          const operation = metrics.operationLabel(operationName ?? request.operationName);
          metrics.graphqlRequests.inc({ operation, outcome: errors && errors.length > 0 ? 'error' : 'ok' });
          metrics.graphqlLatency.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
