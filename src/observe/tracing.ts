/**
 * OpenTelemetry tracing of a `civicgraph serve` process, on when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: spans are batched and exported by OTLP over HTTP,
 * protobuf by default or JSON (OTEL_EXPORTER_OTLP_PROTOCOL=http/json). The OpenTelemetry packages
 * read the other standard variables themselves: the exporter's headers, timeout and compression
 * (OTEL_EXPORTER_OTLP_HEADERS, …), the sampler (OTEL_TRACES_SAMPLER, _ARG), the batch
 * (OTEL_BSP_*), the span limits; and the resource, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
 * (the service is `civicgraph` otherwise). Incoming W3C `traceparent`/`tracestate` headers are
 * continued. Unset, nothing is started and nothing is exported.
 *
 * Spans are made by hand at the gateway's choke points (./spans.ts), not by auto-instrumenting
 * http, express or the database drivers: those would record URLs with their query strings and
 * SQL statements, where filter values and app tokens sit, and a span per middleware and per
 * connection-pool call on every request.
 */
import { diag, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { createRequire } from 'node:module';
import type { Log } from './log.js';
import { useTracer } from './spans.js';

export interface Tracing {
  /** Exports the spans still batched, then stops. */
  shutdown(): Promise<void>;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** The OpenTelemetry SDK reads `process.env` itself, so this does too. */
export function startTracing(log: Log, env: Environment = process.env): Tracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporterName = env.OTEL_TRACES_EXPORTER?.trim() || 'otlp';
  if (exporterName === 'none') return undefined;
  if (exporterName !== 'otlp') throw new Error(`OTEL_TRACES_EXPORTER must be otlp or none, not "${exporterName}"`);
  const provider = new NodeTracerProvider({ resource: serviceResource(), spanProcessors: [new BatchSpanProcessor(exporter(env))] });
  // The ALS context manager and the W3C trace-context and baggage propagators.
  provider.register();
  diag.setLogger(exportProblems(log));
  useTracer(provider.getTracer('civicgraph', VERSION));
  log('traces: exporting spans by OTLP', 'info', { collector: withoutCredentials(endpoint) });
  return {
    async shutdown() {
      useTracer(undefined);
      await provider.shutdown();
    },
  };
}

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function exporter(env: Environment): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  if (protocol === 'http/protobuf') return new OTLPProtobufExporter();
  if (protocol === 'http/json') return new OTLPJsonExporter();
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not served), not "${protocol}"`);
}

/** `civicgraph` and its version, under what OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES say. */
function serviceResource() {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'civicgraph', 'service.version': VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
}

/** The collector's address as a log line may show it: no user or password. */
function withoutCredentials(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.origin + url.pathname;
  } catch {
    return 'an address that is not a URL';
  }
}

/** The SDK's own complaints (a collector that does not answer, a bad sampler), at most one line in 30 s. */
const QUIET_MS = 30_000;

function exportProblems(log: Log): DiagLogger {
  let last = -Infinity;
  const note = (message: string) => {
    const now = Date.now();
    if (now - last < QUIET_MS) return;
    last = now;
    log(`traces: ${firstLine(message).slice(0, 300)}`, 'warn');
  };
  const ignore = () => undefined;
  return { error: note, warn: note, info: ignore, debug: ignore, verbose: ignore };
}

/** The SDK reports a failed export as the error's JSON, stack included: its message is what an operator reads. */
function firstLine(message: string): string {
  try {
    const reported = JSON.parse(message) as { message?: unknown };
    if (typeof reported.message === 'string') return `exporting spans failed: ${reported.message}`;
  } catch {
    // not JSON: a sentence of the SDK's own
  }
  return message.split('\n')[0]!;
}
