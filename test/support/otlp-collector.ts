/**
 * A local OpenTelemetry collector for tests: an HTTP server that takes OTLP trace exports
 * (`POST /v1/traces`, JSON or protobuf), keeps every raw body with its headers, and reads the
 * spans of the JSON ones.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Export {
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent, to search for what must never be exported. */
  raw: Buffer;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  /** OTLP's status code: 2 is an error. */
  status: number;
  /** The attributes of the resource that exported it. */
  resource: Record<string, unknown>;
}

export interface OtlpCollector {
  endpoint: string;
  exports: Export[];
  /** The spans of every JSON export so far. */
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpJson {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpKeyValue[]; status?: { code?: number } }> }>;
  }>;
}

function valueOf(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

const attributesOf = (list: OtlpKeyValue[] | undefined): Record<string, unknown> => Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const exports: Export[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const contentType = request.headers['content-type'] ?? '';
      if (request.method === 'POST' && request.url === '/v1/traces') exports.push({ contentType, headers: request.headers, raw: Buffer.concat(chunks) });
      // An empty ExportTraceServiceResponse: `{}` in JSON, no bytes in protobuf.
      response.writeHead(200, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
      response.end(contentType.includes('json') ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports,
    spans() {
      return exports
        .filter((received) => received.contentType.includes('json'))
        .flatMap((received) =>
          ((JSON.parse(received.raw.toString('utf8')) as OtlpJson).resourceSpans ?? []).flatMap((resourceSpan) => {
            const resource = attributesOf(resourceSpan.resource?.attributes);
            return (resourceSpan.scopeSpans ?? []).flatMap((scope) =>
              (scope.spans ?? []).map((span) => ({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                attributes: attributesOf(span.attributes),
                status: span.status?.code ?? 0,
                resource,
              })),
            );
          }),
        );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
