/**
 * `civicgraph serve` as an operator runs it, watched the way a city's IT department would: its
 * spans received by a local OTLP collector, its log lines read from its standard error. Secrets
 * (the JWT secret, a database password in a connection URL, an OTLP header), a value planted in a
 * filter and the values of the rows it answers with must appear in neither.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, type CliGateway } from '../support/cli-gateway.js';
import { demoEnvironment } from '../support/demo.js';
import { startOtlpCollector, type OtlpCollector, type ReceivedSpan } from '../support/otlp-collector.js';

const JWT_SECRET = 'hobs-jwt-secret-Vq83Lm02Xz7Rt4-Kw61Ns95Bd';
const DB_PASSWORD = 'hobsDbPw9Kf2Jq7Wn';
const OTLP_HEADER = 'hobs-otlp-api-key-Pc52Hd18';
/** Planted in a filter's literal and in a variable: neither may leave the gateway but in its answer. */
const PLANTED_LITERAL = 'ZQX-PLANTED-LITERAL-8841';
const PLANTED_VARIABLE = 'ZQX-PLANTED-VARIABLE-5527';

const QUERY = `query Planted($planted: String) {
  none: serviceRequests(filter: { address: { contains: "${PLANTED_LITERAL}" } }, first: 5) { totalCount }
  alsoNone: serviceRequests(filter: { address: { startsWith: $planted } }, first: 5) { nodes { id } }
  sample: serviceRequests(first: 3) { nodes { id address description status workOrders { id assignedCrew } } }
}`;

/** Trace context as a caller's proxy sends it: the gateway's spans must join this trace. */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

let collector: OtlpCollector;
let env: Record<string, string>;
let token: string;

beforeAll(async () => {
  collector = await startOtlpCollector();
  env = await demoEnvironment('postgres', 'hobs_observe');
  // PostgreSQL here trusts every local connection, so the password is checked by nobody and leaks nowhere, which is what is asserted.
  const crm = new URL(env.CIVICGRAPH_CRM_URL!);
  crm.password = DB_PASSWORD;
  env.CIVICGRAPH_CRM_URL = crm.toString();
  env.CIVICGRAPH_JWT_SECRET = JWT_SECRET;
  token = await new SignJWT({ role: 'staff' }).setProtectedHeader({ alg: 'HS256' }).setSubject('hobs-observer').setAudience('civicgraph').setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));
});

afterAll(async () => {
  await collector?.close();
});

async function ask(gateway: CliGateway, headers: Record<string, string> = {}): Promise<{ response: Response; body: { data: Record<string, unknown>; errors?: unknown[]; extensions?: { cost?: { estimated: number } } } }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query: QUERY, variables: { planted: PLANTED_VARIABLE } }),
  });
  return { response, body: (await response.json()) as never };
}

/** Every string the rows answered carry, long enough not to occur by chance in a span or a line. */
function rowValues(data: unknown): string[] {
  if (typeof data === 'string') return data.length >= 6 ? [data] : [];
  if (Array.isArray(data)) return data.flatMap(rowValues);
  if (data && typeof data === 'object') return Object.values(data).flatMap(rowValues);
  return [];
}

async function eventually<T>(find: () => T | undefined, what: string, limitMs = 20_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`not received within ${limitMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface LogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

const logLines = (gateway: CliGateway): LogLine[] =>
  gateway
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

const forbidden = (answered: readonly string[]) => [JWT_SECRET, DB_PASSWORD, OTLP_HEADER, PLANTED_LITERAL, PLANTED_VARIABLE, token, ...answered];

describe('traces, exported by OTLP/HTTP JSON to a local collector', () => {
  let gateway: CliGateway;
  let answered: string[];
  let workOrders: number;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    gateway = await startCliGateway('connectors', {
      ...env,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${OTLP_HEADER}`,
      OTEL_SERVICE_NAME: 'riverton-civicgraph',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const { response, body } = await ask(gateway, { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, 'x-request-id': 'hobs-traced-1' });
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    answered = rowValues(body.data.sample);
    expect(answered.length).toBeGreaterThan(5);
    workOrders = (body.data.sample as { nodes: Array<{ workOrders: unknown[] }> }).nodes.reduce((sum, node) => sum + node.workOrders.length, 0);
    await eventually(() => (collector.spans().filter((span) => span.traceId === CALLER_TRACE).length >= 6 ? true : undefined), 'the request, its operation and its source queries');
    spans = collector.spans().filter((span) => span.traceId === CALLER_TRACE);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('continues the caller\'s trace: HTTP request → GraphQL operation → each source query', () => {
    const http = spans.find((span) => span.kind === 2)!;
    expect(http).toMatchObject({ name: 'POST /graphql', parentSpanId: CALLER_SPAN });
    expect(http.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200, 'civicgraph.request_id': 'hobs-traced-1', 'civicgraph.role': 'staff' });

    const operation = spans.find((span) => span.parentSpanId === http.spanId)!;
    expect(operation.name).toBe('query Planted');
    expect(operation.attributes).toMatchObject({ 'graphql.operation.name': 'Planted', 'graphql.operation.type': 'query', 'civicgraph.role': 'staff', 'civicgraph.cost.limit': 1_000_000 });
    expect(operation.attributes['civicgraph.cost.estimated']).toBeGreaterThan(0);

    const queries = spans.filter((span) => span.parentSpanId === operation.spanId);
    const kinds = new Set(queries.map((span) => `${span.attributes['civicgraph.source.operation']} ${span.attributes['civicgraph.source']}`));
    // The CRM's count and pages; the work orders of the sample's requests in one batched look-up.
    expect(kinds).toEqual(new Set(['count crm-311', 'find crm-311', 'findByKeys public-works']));
    for (const span of queries) {
      expect(span.kind).toBe(3);
      expect(span.name).toBe(`${span.attributes['civicgraph.source.operation']} ${span.attributes['civicgraph.source']}`);
      expect(typeof span.attributes['db.collection.name']).toBe('string');
    }
    const rowsOf = (operation: string) => queries.filter((span) => span.attributes['civicgraph.source.operation'] === operation).map((span) => span.attributes['civicgraph.source.rows']);
    // The rows read, not the rows answered: a page of 3 reads a fourth, to tell whether another page follows.
    expect(rowsOf('find')).toContain(4);
    expect(rowsOf('findByKeys')).toEqual([workOrders]);
    expect(queries.find((span) => span.attributes['civicgraph.source.operation'] === 'count')!.attributes).not.toHaveProperty('civicgraph.source.rows');
  });

  it('names the service and its resource as the OTEL_* variables say, and sends their headers', () => {
    expect(spans[0]!.resource).toMatchObject({ 'service.name': 'riverton-civicgraph', 'service.version': expect.any(String), 'deployment.environment.name': 'test' });
    expect(collector.exports.every((received) => received.headers['x-api-key'] === OTLP_HEADER)).toBe(true);
  });

  it('marks a failed operation with its error codes, never its messages', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${CALLER_TRACE.replace(/^4/, '5')}-${CALLER_SPAN}-01` },
      body: JSON.stringify({ query: `query TooCostly { serviceRequests(first: 1000) { nodes { workOrders(first: 1000) { id } } } }` }),
    });
    expect(response.status).toBe(200);
    const failed = await eventually(() => collector.spans().find((span) => span.name === 'query TooCostly'), 'the refused operation');
    expect(failed.status).toBe(2);
    expect(failed.attributes['civicgraph.error_codes']).toEqual(['QUERY_TOO_COSTLY']);
    expect(failed.attributes['civicgraph.role']).toBe('public');
  });

  it('exports no secret, no filter literal and no row value, anywhere in the payload', () => {
    const payload = collector.exports.map((received) => received.raw.toString('utf8')).join('\n');
    expect(payload).toContain('query Planted');
    for (const value of forbidden(answered)) expect(payload, value).not.toContain(value);
  });

  it('writes the trace id into the request\'s log line', () => {
    const line = logLines(gateway).find((entry) => entry.requestId === 'hobs-traced-1')!;
    expect(line.traceId).toBe(CALLER_TRACE);
  });
});

describe('traces over OTLP/HTTP protobuf, the default', () => {
  it('exports the same spans, and no secret, literal or row value', async () => {
    const gateway = await startCliGateway('connectors', { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
    try {
      const { body } = await ask(gateway, { 'x-request-id': 'hobs-protobuf-1' });
      const answered = rowValues(body.data.sample);
      const received = await eventually(() => collector.exports.find((entry) => entry.contentType === 'application/x-protobuf' && entry.raw.includes('query Planted')), 'a protobuf export');
      // Protobuf keeps strings as their UTF-8 bytes, so a search of the raw body finds any leaked one.
      for (const text of ['POST /graphql', 'find crm-311', 'findByKeys public-works', 'hobs-protobuf-1']) expect(received.raw.includes(text), text).toBe(true);
      const payload = collector.exports.filter((entry) => entry.contentType === 'application/x-protobuf').map((entry) => entry.raw.toString('latin1')).join('\n');
      for (const value of forbidden(answered)) expect(payload, value).not.toContain(value);
    } finally {
      await gateway.stop();
    }
  });
});

describe('logs as JSON lines on standard error, tracing off', () => {
  let gateway: CliGateway;
  let answered: string[];

  beforeAll(async () => {
    const exportsBefore = collector.exports.length;
    gateway = await startCliGateway('connectors', { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    const { response, body } = await ask(gateway, { 'x-request-id': 'hobs-log-1' });
    expect(response.headers.get('x-request-id')).toBe('hobs-log-1');
    answered = rowValues(body.data.sample);
    expect(collector.exports.length).toBe(exportsBefore);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('logs each request with its id, role, operation, status and duration', async () => {
    const line = await eventually(() => logLines(gateway).find((entry) => entry.requestId === 'hobs-log-1'), 'the request\'s log line');
    expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'POST', endpoint: '/graphql', status: 200, role: 'staff', operation: 'Planted' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
    expect(line.durationMs).toBeGreaterThan(0);
    expect(line).not.toHaveProperty('traceId');
  });

  it('makes an id of its own for a request with none, or with one it will not echo', async () => {
    for (const sent of [undefined, '', 'has spaces and; semicolons', 'x'.repeat(129), 'latin\u00e9', '{"injected":true}']) {
      const response = await fetch(gateway.url.replace(/graphql$/, 'healthz'), { headers: sent === undefined ? {} : { 'x-request-id': sent } });
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await eventually(() => logLines(gateway).find((entry) => entry.requestId === id && entry.endpoint === '/healthz'), `the line of ${id}`);
    }
  });

  it('names the endpoint, never the path or the query string', async () => {
    await fetch(`${gateway.url.replace(/\/graphql$/, '')}/open311/v2/requests.json?api_key=${OTLP_HEADER}&service_code=${PLANTED_LITERAL}`, { headers: { 'x-request-id': 'hobs-open311' } });
    await fetch(`${gateway.url.replace(/\/graphql$/, '')}/${PLANTED_VARIABLE}`, { headers: { 'x-request-id': 'hobs-scanner' } });
    // An unknown app token is refused (403) before a role is chosen.
    expect(await eventually(() => logLines(gateway).find((entry) => entry.requestId === 'hobs-open311'), 'the Open311 line')).toMatchObject({ endpoint: '/open311', status: 403 });
    expect(await eventually(() => logLines(gateway).find((entry) => entry.requestId === 'hobs-scanner'), 'the unknown path\'s line')).toMatchObject({ endpoint: 'other', status: 404 });
  });

  it('starts with no exporter and no warning or error', () => {
    const lines = logLines(gateway);
    expect(lines.some((entry) => entry.msg.startsWith('traces:'))).toBe(false);
    expect(lines.filter((entry) => entry.level === 'warn' || entry.level === 'error')).toEqual([]);
    expect(lines.some((entry) => /^serving \d+ datasets/.test(entry.msg))).toBe(true);
  });

  it('logs no secret, no filter literal and no row value', () => {
    const text = gateway.stderr();
    for (const value of forbidden(answered)) expect(text, value).not.toContain(value);
  });
});
