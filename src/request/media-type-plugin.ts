/**
 * GraphQL over HTTP ties a request error's status to the answer's media type. A request error —
 * a document that does not parse or validate, variables that do not coerce, a limit the document
 * is over — answers `application/graphql-response+json` with 400, but `application/json` with
 * 200, as every answer to a well-formed request under it (its older clients read errors only from
 * 200s). Apollo answers 400 under both. This plugin chooses the media type as Apollo does (the
 * same negotiation over the same types) and sets it, so that the status it gives follows the
 * media type Apollo then sends. Refusals of HTTP's own keep their status: 429 for rate limits,
 * 405 for a mutation over GET, 400 for a request that is not GraphQL (BAD_REQUEST).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';
import type { RequestContext } from './context.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/**
 * The codes of errors that stop a well-formed request before it runs: its document, the operation
 * it names, its variables, and the role's limits (src/request/limits/).
 */
const REQUEST_ERROR_CODES: ReadonlySet<unknown> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_COSTLY',
]);

/** The media type of an answer to `accept`; undefined when it accepts neither (Apollo then answers 406). */
function mediaType(accept: string | undefined): string | undefined {
  // Apollo's default; it says it may make it application/graphql-response+json one day, so the plugin decides.
  if (!accept) return JSON_TYPE;
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]);
}

export function mediaTypePlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          // Operations other entry points run (GraphQLEndpoint.runAs) have no HTTP answer of their own.
          if (!request.http || response.body.kind !== 'single') return;
          const type = mediaType(request.http.headers.get('accept'));
          if (!type) return;
          response.http.headers.set('content-type', type);
          const { data, errors } = response.body.singleResult;
          const requestError = response.http.status === 400 && data === undefined && !!errors?.every((error) => REQUEST_ERROR_CODES.has(error.extensions?.code));
          if (requestError && type === JSON_TYPE) response.http.status = 200;
        },
      };
    },
  };
}
