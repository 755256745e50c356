/**
 * An Apollo Server plugin that names what a request runs, once Apollo has resolved its operation:
 * on the request's record (for its log line, ./request-observer.ts) and, while tracing, on the
 * operation's span (./spans.ts), which fails with the answer's error codes. Names and codes only:
 * the document's text and variables hold filter literals.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../request/context.js';
import { annotateOperation, failOperation, tracing } from './spans.js';

/** A name from a document is a GraphQL name; only its length is the caller's to choose. */
const MAX_NAME = 128;

export function operationPlugin(role: string): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName, contextValue }) {
          const name = operationName?.slice(0, MAX_NAME);
          if (contextValue.record && name) contextValue.record.operation = name;
          if (!tracing() || !operation) return;
          const attributes = { 'graphql.operation.type': operation.operation, 'civicgraph.role': role };
          annotateOperation(name ? { ...attributes, 'graphql.operation.name': name } : attributes, name ? `${operation.operation} ${name}` : operation.operation);
        },
        async willSendResponse({ response }) {
          if (!tracing() || response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (errors?.length) failOperation([...new Set(errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN')))]);
        },
      };
    },
  };
}
