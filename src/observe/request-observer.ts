/**
 * What the gateway notes about each HTTP request: a request id (the caller's `X-Request-Id` when
 * it is a plain token of at most 128 characters, else a new UUID), echoed in the response's
 * `X-Request-Id`; one log line when the response ends (method, endpoint, status, duration, and the
 * role and operation the endpoint noted on the request's record); and, while tracing, the
 * request's span, the parent of its operations' spans.
 *
 * The line names the endpoint by its first path segment from a fixed list, never the path or the
 * query string: those carry ids, filters and app tokens (`/open311/v2/requests/SR-….json`,
 * `?api_key=…`, `?filter=…`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Log } from './log.js';
import { endHttpSpan, inSpan, startHttpSpan, traceId } from './spans.js';

/** What the endpoint learns about a request as it serves it, for the request's log line and span. */
export interface RequestRecord {
  readonly id: string;
  /** The role the request was served as. */
  role?: string;
  /** The name of the (last) GraphQL operation it ran. */
  operation?: string;
}

/** A property of the request rather than a WeakMap entry, which the garbage collector pays for on every request. */
const RECORD = Symbol('civicgraph.requestRecord');

type Recorded = IncomingMessage & { [RECORD]?: RequestRecord };

/** The record of a request the observer saw; undefined for one it did not (a test's bare app). */
export function requestRecord(request: IncomingMessage): RequestRecord | undefined {
  return (request as Recorded)[RECORD];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id where it is one we may log and echo; else one of our own. */
export function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** The gateway's top-level paths: anything else is `other`, so a scanner's paths never reach a log. */
const ENDPOINTS = new Set(['graphql', 'open311', 'data.json', 'datasets', 'graphiql', 'healthz', 'readyz', 'metrics', '']);

export function endpointOf(url: string | undefined): string {
  const path = url ?? '';
  let end = 1;
  while (end < path.length && path[end] !== '/' && path[end] !== '?') end++;
  const segment = path.slice(1, end);
  return ENDPOINTS.has(segment) ? `/${segment}` : 'other';
}

/** Observes each request `handle` serves: `(request, response) => void` for the server's `request` event. */
export function observeRequests(log: Log, handle: (request: IncomingMessage, response: ServerResponse) => void): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const started = performance.now();
    const record: RequestRecord = { id: requestId(request.headers['x-request-id']) };
    (request as Recorded)[RECORD] = record;
    response.setHeader('x-request-id', record.id);
    const method = request.method ?? 'GET';
    const endpoint = endpointOf(request.url);
    const span = startHttpSpan(request, `${method} ${endpoint}`, { 'http.request.method': method, 'http.route': endpoint, 'civicgraph.request_id': record.id });
    response.once('close', () => {
      const status = response.statusCode;
      log('request', status >= 500 ? 'error' : 'info', {
        requestId: record.id,
        method,
        endpoint,
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        role: record.role,
        operation: record.operation,
        // A client that hung up first never got the status, which is what the gateway had set so far.
        aborted: response.writableFinished ? undefined : true,
        traceId: span && traceId(span),
      });
      if (span) endHttpSpan(span, status, { ...(record.role ? { 'civicgraph.role': record.role } : {}) });
    });
    if (span) inSpan(span, () => handle(request, response));
    else handle(request, response);
  };
}
