/**
 * The spans the gateway makes, at its few choke points: the HTTP request (./request-observer.ts),
 * the GraphQL operation (src/request/graphql-endpoint.ts, named by ./operation-plugin.ts, its cost
 * from src/request/limits/cost-plugin.ts) and each source query (./instrumented-source.ts).
 *
 * A span carries names, kinds, codes and counts — never a value, a filter's literal, a query's
 * text or parameters, an address or a secret. Until ./tracing.ts starts tracing there is no tracer,
 * and each helper costs one comparison.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';

let tracer: Tracer | undefined;

/** From now on, spans are made with `next` (undefined: none are). */
export function useTracer(next: Tracer | undefined): void {
  tracer = next;
}

export function tracing(): boolean {
  return tracer !== undefined;
}

/**
 * A span for one HTTP request, the child of the caller's trace where its `traceparent` header
 * names one; undefined while tracing is off. Ended by the caller, with `endHttpSpan`.
 */
export function startHttpSpan(request: IncomingMessage, name: string, attributes: Attributes): Span | undefined {
  return tracer?.startSpan(name, { kind: SpanKind.SERVER, attributes }, propagation.extract(ROOT_CONTEXT, request.headers));
}

/** Runs `work` with `span` as the parent of the spans it makes. */
export function inSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}

export function endHttpSpan(span: Span, status: number, attributes: Attributes): void {
  span.setAttributes(attributes);
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** The trace a span belongs to, for the log line of its request. */
export function traceId(span: Span): string {
  return span.spanContext().traceId;
}

/** Runs `work` inside a span for one GraphQL operation, which ./operation-plugin.ts names once Apollo knows it. */
export function inOperationSpan<T>(work: () => Promise<T>): Promise<T> {
  if (!tracer) return work();
  const span = tracer.startSpan('graphql.operation', { kind: SpanKind.INTERNAL });
  return inSpan(span, work).finally(() => span.end());
}

/** Adds to the span of the operation running now. */
export function annotateOperation(attributes: Attributes, name?: string): void {
  if (!tracer) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttributes(attributes);
  if (name !== undefined) span.updateName(name);
}

/** Marks the span running now as failed, with codes only: an error's message may quote a value. */
export function failOperation(codes: readonly string[]): void {
  if (!tracer) return;
  const span = trace.getActiveSpan();
  span?.setAttribute('civicgraph.error_codes', [...codes]);
  span?.setStatus({ code: SpanStatusCode.ERROR });
}

/** A span for one query sent to a source, ended by the caller; undefined while tracing is off. */
export function startSourceSpan(source: string, operation: string, table: string): Span | undefined {
  return tracer?.startSpan(`${operation} ${source}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'civicgraph.source': source, 'civicgraph.source.operation': operation, 'db.collection.name': table },
  });
}

export function endSourceSpan(span: Span, rows: number | undefined): void {
  if (rows !== undefined) span.setAttribute('civicgraph.source.rows', rows);
  span.end();
}

export function failSourceSpan(span: Span, reason: string): void {
  span.setAttribute('error.type', reason);
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
