/**
 * An Apollo Server plugin that serves a role's answers from the shared response cache. It sits
 * after the cost plugin: a cached answer is still refused over the role's cost limit and still
 * spends its estimated cost from the caller's window, so limits, RateLimit headers and 429s are
 * the same whether an answer was cached or not (a caller cannot tell, nor outrun its budget by
 * repeating a query); it only saves the sources the work. What the answer read is kept with it
 * and audited again each time it is served.
 *
 * Only whole answers without errors are kept (a failing department is asked again on the next
 * request), for the shortest `cache.maxAge` of the datasets they read, row rules' look-ups into
 * other datasets included (src/plan/request-memo.ts); an answer that reads no dataset (the
 * catalog, introspection) depends on the configuration alone, which is in the key.
 *
 * Over GET it also tells browsers and CDNs: an anonymous caller's answer is `public` for the
 * rest of its time in the cache, with an ETag (Express answers 304 to a matching If-None-Match);
 * any answer to a caller with credentials is `no-store`, so no shared cache or disk keeps a
 * role's answer; the endpoint adds `Vary` (src/request/graphql-endpoint.ts).
 */
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../../observe/metrics.js';
import type { RequestContext } from '../../request/context.js';
import type { AnswerStore } from './answer-store.js';
import { answerKey, digest } from './answer-key.js';
import { answerOf, entryText, type CachedAnswer } from './answer-entry.js';
import { answerText, rememberText } from '../answer-text.js';

/** How long an answer that reads no dataset is kept. */
const CONFIGURATION_ONLY_MS = 300_000;

/** Answers kept parsed per role, beside the store's text: a popular answer is served many times a second. */
const PARSED_KEPT = 64;
/** …and at most this much of their text, so that a few large answers cannot hold much memory twice. */
const PARSED_TEXT_KEPT = 16 * 1024 * 1024;

export interface ResponseCacheOptions {
  store: AnswerStore;
  /** The role view's identity (src/gateway/view-identity.ts). */
  view: string;
  /** The version of the data served now (src/source/source.ts `dataVersion`). */
  dataVersion: () => string;
  metrics: Metrics;
}

export function responseCachePlugin({ store, view, dataVersion, metrics }: ResponseCacheOptions): ApolloServerPlugin<RequestContext> {
  // Parsing tens of kilobytes of JSON on every hit would cost much of what the cache saves; an
  // entry is used only while the store still holds the very text it was parsed from.
  const parsed = new LRUCache<string, { text: string; answer: CachedAnswer }>({ max: PARSED_KEPT, maxSize: PARSED_TEXT_KEPT, sizeCalculation: ({ text }) => Math.max(1, text.length) });
  const parse = (key: string, text: string): CachedAnswer | undefined => {
    const known = parsed.get(key);
    if (known?.text === text) return known.answer;
    const answer = answerOf(text);
    if (answer) parsed.set(key, { text, answer });
    return answer;
  };
  return {
    async requestDidStart() {
      let key: string | undefined;
      let served: CachedAnswer | undefined;
      return {
        async responseForOperation({ operation, document, request, contextValue }) {
          // No operation (a name the document lacks): Apollo refuses the request itself.
          if (operation?.operation !== 'query') return null;
          const identity = answerKey({ view, dataVersion: dataVersion(), document, operationName: request.operationName, variables: request.variables });
          const lookup = await store.get(identity);
          metrics.cacheLookups.inc({ result: lookup.kind });
          if (lookup.kind === 'bypassed') return null;
          key = identity;
          if (lookup.kind === 'miss') return null;
          const answer = parse(identity, lookup.value);
          // Answered anew, and stored over it.
          if (!answer) return null;
          contextValue.audit.replay(answer.audit);
          served = answer;
          // A copy of the top level: later plugins add this request's own `extensions`.
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { ...answer.body } } };
        },
        async willSendResponse(requestContext) {
          const answer = served ?? (await keep(requestContext));
          httpCaching(requestContext, answer);
        },
      };

      async function keep({ response, contextValue }: GraphQLRequestContext<RequestContext>): Promise<CachedAnswer | undefined> {
        if (!key || response.body?.kind !== 'single' || (response.http.status ?? 200) !== 200) return undefined;
        const body = response.body.singleResult;
        if (body.errors || !body.data) return undefined;
        const maxAgeMs = contextValue.loaders.memo.cacheMaxAgeMs ?? CONFIGURATION_ONLY_MS;
        if (maxAgeMs <= 0) return undefined;
        // Serialised once here: the ETag, the stored entry and the answer sent all use this text.
        const dataText = JSON.stringify(body.data);
        rememberText(body.data, dataText);
        const answer: CachedAnswer = { expiresAt: Date.now() + maxAgeMs, etag: `"${digest(answerText(body))}"`, audit: contextValue.audit.entries(), body };
        await store.set(key, entryText(answer, dataText), maxAgeMs);
        return answer;
      }
    },
  };
}

function httpCaching({ request, response, contextValue }: GraphQLRequestContext<RequestContext>, answer: CachedAnswer | undefined): void {
  if (request.http?.method !== 'GET') return;
  const headers = response.http.headers;
  const seconds = answer && Math.floor((answer.expiresAt - Date.now()) / 1000);
  if (contextValue.caller.kind !== 'anonymous' || !answer || !seconds || seconds <= 0) {
    headers.set('cache-control', 'no-store');
    return;
  }
  headers.set('cache-control', `public, max-age=${seconds}`);
  headers.set('etag', answer.etag);
}
