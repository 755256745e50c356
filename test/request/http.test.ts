/**
 * The HTTP surface of a running gateway over the demo (PGlite): the GraphQL over HTTP
 * audit of the `graphql-http` package, the probes, the landing page, and a department
 * whose database is down.
 */
import { auditServer } from 'graphql-http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';

let running: RunningGateway;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  const env = await demoEnvironment('pglite', 'http');
  // Public Works' database is down: the gateway must serve the other departments anyway.
  env.CIVICGRAPH_WORKS_KIND = 'postgres';
  env.CIVICGRAPH_WORKS_URL = 'postgres://civicgraph:s3cret-password@127.0.0.1:1/works';
  running = await serve({
    connectorsDir: resolve('connectors'),
    schemasDir: resolve('schemas'),
    port: 0,
    host: '127.0.0.1',
    watch: false,
    env,
    audit: () => undefined,
    log: (line) => logged.push(line),
  });
  base = running.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await running?.stop();
});

async function post(query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

describe('GraphQL over HTTP', () => {
  it('passes the graphql-http audit: every MUST and every SHOULD, no warning', async () => {
    const results = await auditServer({ url: `${base}/graphql` });
    const notOk = results.filter((result) => result.status !== 'ok');
    expect(results.length).toBeGreaterThan(40);
    expect(notOk.map((result) => `${result.status} ${result.name}: ${'reason' in result ? result.reason : ''}`)).toEqual([]);
  });

  it('answers a query over GET, with no header a CORS preflight would need (a plain link)', async () => {
    const response = await fetch(`${base}/graphql?query=${encodeURIComponent('{ serviceRequests(first: 1) { totalCount } }')}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body: any = await response.json();
    expect(body.data.serviceRequests.totalCount).toBeGreaterThan(0);
  });

  it('refuses a mutation over GET with 405, whatever the media type', async () => {
    const response = await fetch(`${base}/graphql?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers a malformed query with 400 and the position of the mistake', async () => {
    const { status, body } = await post('{ serviceRequests(first: 1) { totalCount }');
    expect(status).toBe(400);
    expect(body.errors[0].message).toMatch(/Syntax Error/);
    expect(body.errors[0].locations).toEqual([{ line: 1, column: 43 }]);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the status of a request error follows the media type of the answer', () => {
  async function send(body: Record<string, unknown>, accept?: string): Promise<{ status: number; type: string | null; body: any }> {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
  }

  const requestErrors: Array<[string, Record<string, unknown>, string]> = [
    ['a document that does not parse', { query: '{ serviceRequests(first: 1) { totalCount }' }, 'GRAPHQL_PARSE_FAILED'],
    ['a document that does not validate', { query: '{ noSuchField }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['variables that do not coerce', { query: 'query ($n: Int) { serviceRequests(first: $n) { totalCount } }', variables: { n: 'ten' } }, 'BAD_USER_INPUT'],
    ['an operation name the document lacks', { query: 'query A { __typename }', operationName: 'B' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['two operations and no name', { query: 'query A { __typename } query B { __typename }' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['a static limit', { query: `{ ${Array.from({ length: 16 }, (_, index) => `a${index}: __typename`).join(' ')} }` }, 'QUERY_TOO_COMPLEX'],
    ['the cost limit', { query: '{ serviceRequests(first: 1000) { nodes { workOrders(first: 1000) { id } } } }' }, 'QUERY_TOO_COSTLY'],
  ];

  it.each(requestErrors)('%s: 200 under application/json (also when the client names no media type), 400 under application/graphql-response+json', async (_what, body, code) => {
    for (const accept of [undefined, 'application/json', '*/*']) {
      const answer = await send(body, accept);
      expect(answer, String(accept)).toMatchObject({ status: 200, type: 'application/json; charset=utf-8' });
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors[0].extensions.code).toBe(code);
    }
    for (const accept of ['application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9']) {
      const answer = await send(body, accept);
      expect(answer, accept).toMatchObject({ status: 400, type: 'application/graphql-response+json; charset=utf-8' });
      expect(answer.body.errors[0].extensions.code).toBe(code);
    }
  });

  it('keeps 400 for a request that is not GraphQL, and 406 for a media type it cannot answer in', async () => {
    expect((await send({ variables: {} }, 'application/json')).status).toBe(400);
    expect((await send({ query: '{ __typename }' }, 'text/html')).status).toBe(406);
  });

  it('names the operation the client asked for: a document whose only operation has another name is not run', async () => {
    const answer = await send({ query: 'query A { serviceRequests(first: 1) { totalCount } }', operationName: 'B' }, 'application/json');
    expect(answer.body.errors[0].message).toBe('Unknown operation named "B".');
    expect(answer.body.data).toBeUndefined();
  });
});

describe('compiled execution', () => {
  it('answers recursive filter variables (run on graphql-js) exactly like the same filter written inline (compiled)', async () => {
    const filter = { or: [{ serviceCode: { eq: 'PTHOLE' } }, { and: [{ status: { eq: 'OPEN' } }, { not: { serviceCode: { eq: 'PTHOLE' } } }] }] };
    const viaVariables = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query ($f: ServiceRequestFilter) { serviceRequests(filter: $f) { totalCount } }', variables: { f: filter } }),
    });
    const inline = await post('{ serviceRequests(filter: { or: [{ serviceCode: { eq: "PTHOLE" } }, { and: [{ status: { eq: OPEN } }, { not: { serviceCode: { eq: "PTHOLE" } } }] }] }) { totalCount } }');
    const variablesBody: any = await viaVariables.json();
    expect(variablesBody.errors).toBeUndefined();
    expect(inline.body.data.serviceRequests.totalCount).toBeGreaterThan(0);
    expect(variablesBody.data.serviceRequests.totalCount).toBe(inline.body.data.serviceRequests.totalCount);
  });

  it('keeps the path, location and code of an error raised while executing', async () => {
    const { body } = await post('{\n  serviceRequests(first: 1001) { totalCount }\n}');
    expect(body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('first: at most 1000'), path: ['serviceRequests'], locations: [{ line: 2, column: 3 }], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
  });
});

describe('a department whose database is down', () => {
  it('does not blank the others: their fields are served beside its error', async () => {
    const { status, body } = await post('{ serviceRequests(first: 1) { nodes { id } } workOrders(first: 1) { nodes { id } } }');
    expect(status).toBe(200);
    expect(body.data.serviceRequests.nodes).toHaveLength(1);
    expect(body.data.workOrders).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].path).toEqual(['workOrders']);
    expect(body.errors[0].extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'public-works' });
    expect(body.errors[0].message).toMatch(/public-works/);
  });

  it('answers null for a join into it, naming it, while the rest of the response is served', async () => {
    const { status, body } = await post('{ serviceRequests(first: 2, orderBy: [ID_ASC]) { nodes { id workOrders { id } } } }');
    expect(status).toBe(200);
    expect(body.data.serviceRequests.nodes.map((node: { id: string }) => node.id)).toHaveLength(2);
    expect(body.data.serviceRequests.nodes.map((node: { workOrders: unknown }) => node.workOrders)).toEqual([null, null]);
    expect(body.errors.map((error: { path: unknown[] }) => error.path)).toEqual([
      ['serviceRequests', 'nodes', 0, 'workOrders'],
      ['serviceRequests', 'nodes', 1, 'workOrders'],
    ]);
    expect(body.errors.every((error: any) => error.extensions.code === 'SOURCE_UNAVAILABLE' && error.extensions.source === 'public-works')).toBe(true);
  });

  it('never shows its connection string or password, in responses or logs', async () => {
    const { body } = await post('{ workOrders(first: 1) { nodes { id } } }');
    const everything = JSON.stringify(body) + logged.join('\n') + JSON.stringify(await (await fetch(`${base}/readyz`)).json());
    expect(everything).not.toContain('s3cret-password');
    expect(everything).not.toContain('postgres://');
  });

  it('is reported by /readyz while the process stays healthy', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    const body: any = await ready.json();
    expect(body.status).toBe('degraded');
    expect(body.sources).toEqual([
      { source: 'crm-311', department: '311 Customer Service', state: 'up' },
      { source: 'permits', department: 'Building and Inspections', state: 'up' },
      expect.objectContaining({ source: 'public-works', department: 'Public Works', state: 'down', error: expect.stringMatching(/public-works/) }),
    ]);
  });
});

describe('/metrics', () => {
  const sample = (text: string, line: string) => Number(text.split('\n').find((row) => row.startsWith(line + ' '))?.slice(line.length + 1) ?? 0);

  it('counts every query sent to a source and every GraphQL request, in Prometheus text format', async () => {
    const findLine = 'civicgraph_source_queries_total{source="crm-311",operation="find"}';
    const requestLine = 'civicgraph_graphql_requests_total{operation="Probe",outcome="ok"}';
    const before = await (await fetch(`${base}/metrics`)).text();
    // Three different pages: the same query again would be answered from the response cache, without a source query.
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query Probe { serviceRequests(first: ${i + 1}) { nodes { id } } }` }),
      });
      expect(response.status).toBe(200);
    }
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const after = await response.text();
    expect(sample(after, findLine) - sample(before, findLine)).toBe(3);
    expect(sample(after, requestLine) - sample(before, requestLine)).toBe(3);
    expect(after).toMatch(/^civicgraph_source_query_duration_seconds_bucket\{le="0.005",source="crm-311",operation="find"\} \d+$/m);
    expect(after).toMatch(/^civicgraph_graphql_request_duration_seconds_count\{operation="Probe"\} \d+$/m);
  });
});

describe('the landing page', () => {
  it('is served without any resource from another host', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>CivicGraph</title>');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toMatch(/import\s.*from\s+["']https?:/);
  });
});
