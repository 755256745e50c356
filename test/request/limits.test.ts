/**
 * The limits a role's requests are held to, over HTTP against the demo on PostgreSQL, as a
 * caller meets them: each static limit and the cost refuse a request before any source is
 * asked, with the limit, the measured value and the role's budget named; the cost is spent
 * from a per-window budget shared through Redis; answers report their cost.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';
import { withKnex } from '../support/servers.js';

let env: Record<string, string>;
const JWT_SECRET = 'limits-test-jwt-secret-0123456789-abcdef';
/** The app token of a caller other than the anonymous one most tests are. */
const OTHER_CALLER = 'limits-test-other-caller-0123456789';
const running: RunningGateway[] = [];

async function start(extra: Record<string, string> = {}, connectorsDir = resolve('connectors')): Promise<string> {
  const gateway = await serve({
    connectorsDir,
    schemasDir: resolve('schemas'),
    port: 0,
    host: '127.0.0.1',
    watch: false,
    env: { ...env, CIVICGRAPH_JWT_SECRET: JWT_SECRET, CIVICGRAPH_APP_TOKENS: OTHER_CALLER, CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000', ...extra },
    audit: () => undefined,
    log: () => undefined,
  });
  running.push(gateway);
  return gateway.url;
}

let url: string;

beforeAll(async () => {
  env = await demoEnvironment('postgres', 'limits');
  url = await start();
});

afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.stop()));
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
  ms: number;
}

async function post(query: string, options: { variables?: Record<string, unknown>; to?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(options.to ?? url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...options.headers },
    body: options.body ?? JSON.stringify({ query, variables: options.variables }),
  });
  const body = await response.json();
  return { status: response.status, body, headers: response.headers, ms: performance.now() - started };
}

/**
 * A refused request: 4xx, no data, no stack, and an error with the code and details that names
 * the role (a document over several limits is told of each).
 */
function expectRefused(answer: Answer, code: string, details: Record<string, unknown>): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.body.errors).toContainEqual(expect.objectContaining({ extensions: expect.objectContaining({ code, ...details }) }));
  for (const error of answer.body.errors) expect(error.message).toContain('role public');
  expect(JSON.stringify(answer.body)).not.toMatch(/stacktrace|\bat .*\.ts:\d+/i);
}

describe('static limits, as the public role', () => {
  it('refuse joins nested deeper than 8 fields', async () => {
    const answer = await post('{ serviceRequests(first: 1) { nodes { workOrders(first: 1) { serviceRequest { workOrders(first: 1) { serviceRequest { workOrders(first: 1) { serviceRequest { id } } } } } } } } }');
    expectRefused(answer, 'QUERY_TOO_COMPLEX', { measure: 'depth', measured: 9, limit: 8 });
    expect(answer.body.errors[0].message).toBe('query depth (fields nested in fields, joins included): 9, over the limit of 8 for role public');
  });

  it('count depth through fragments without counting the fragments themselves', async () => {
    const fragments = 'fragment A on ServiceRequest { workOrders(first: 1) { ...B } } fragment B on WorkOrder { serviceRequest { id } }';
    const answer = await post(`{ serviceRequests(first: 1) { nodes { ...A } } } ${fragments}`);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
  });

  it('refuse a 16th alias, counted through fragments', async () => {
    const aliases = Array.from({ length: 8 }, (_, index) => `a${index}: serviceRequest(id: "SR-24-00000001") { id }`).join(' ');
    const answer = await post(`{ ...F ...G } fragment F on Query { ${aliases} } fragment G on Query { ${aliases.replaceAll('a', 'b')} }`);
    expectRefused(answer, 'QUERY_TOO_COMPLEX', { measure: 'aliases', measured: 16, limit: 15 });
  });

  it('refuse an 11th field at the root', async () => {
    const root = [
      'catalog { conformsTo }',
      'serviceRequests(first: 1) { totalCount }',
      'workOrders(first: 1) { totalCount }',
      'permits(first: 1) { totalCount }',
      'serviceRequest(id: "x") { id }',
      'workOrder(id: "x") { id }',
      'permit(id: "x") { id }',
      'serviceRequestStats { count }',
      'workOrderStats { count }',
      'permitStats { count }',
      'address(line: "1163 W 24TH ST") { line }',
    ];
    expectRefused(await post(`{ ${root.join(' ')} }`), 'QUERY_TOO_COMPLEX', { measure: 'rootFields', measured: 11, limit: 10 });
    expect((await post(`{ ${root.slice(0, 10).join(' ')} }`)).status).toBe(200);
  });

  it('refuse more than 50 directives', async () => {
    const fields = Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ');
    expectRefused(await post(`{ ${fields} }`), 'QUERY_TOO_COMPLEX', { measure: 'directives', measured: 51, limit: 50 });
  });

  it('stop parsing a 40,000-token document at 3,000 tokens', async () => {
    // 40,000 tokens in 80 kB, within the body limit.
    const answer = await post(`{ ${'a '.repeat(40_000)}}`);
    expectRefused(answer, 'QUERY_TOO_COMPLEX', { measure: 'tokens', limit: 3000 });
    expect(answer.body.errors[0].message).toBe('tokens in the document (parsing stopped there): more than 3000, over the limit of 3000 for role public');
    expect(answer.ms).toBeLessThan(2_000);
  });

  it('refuse a fragment bomb at validation, in linear time', async () => {
    // Each fragment spreads the next twice: written out, 2^40 selections.
    const fragments = Array.from({ length: 40 }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`).join(' ');
    const answer = await post(`{ ...F0 } ${fragments} fragment F40 on Query { __typename }`);
    expectRefused(answer, 'QUERY_TOO_COMPLEX', { measure: 'fields', measured: 2 ** 40, limit: 1000 });
    expect(answer.ms).toBeLessThan(2_000);
  });

  it('refuse circular fragments', async () => {
    const answer = await post('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].message).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('refuse filters nested deeper than 12, written in the document or sent as variables', async () => {
    const nested = (depth: number): string => (depth === 0 ? '{ status: { eq: OPEN } }' : `{ and: [${nested(depth - 1)}] }`);
    expectRefused(await post(`{ serviceRequests(first: 1, filter: ${nested(6)}) { totalCount } }`), 'QUERY_TOO_COMPLEX', { measure: 'inputDepth', limit: 12 });
    expect((await post(`{ serviceRequests(first: 1, filter: ${nested(4)}) { totalCount } }`)).status).toBe(200);

    // 5,000 levels of JSON (written out: JSON.stringify itself would recurse): graphql-js would coerce them recursively; they are refused before.
    const query = 'query ($f: ServiceRequestFilter) { serviceRequests(first: 1, filter: $f) { totalCount } }';
    const deep = `${'{"and":['.repeat(5_000)}{"status":{"eq":"OPEN"}}${']}'.repeat(5_000)}`;
    const answer = await post(query, { body: `{"query":${JSON.stringify(query)},"variables":{"f":${deep}}}` });
    expectRefused(answer, 'QUERY_TOO_COMPLEX', { measure: 'inputDepth', limit: 12 });
    expect(answer.ms).toBeLessThan(2_000);
  });

  it('refuse a sixth operation in one document', async () => {
    const operations = Array.from({ length: 6 }, (_, index) => `query Q${index} { __typename }`).join(' ');
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: operations, operationName: 'Q0' }),
    });
    expectRefused({ status: answer.status, body: await answer.json(), headers: answer.headers, ms: 0 }, 'QUERY_TOO_COMPLEX', { measure: 'operations', limit: 5 });
  });

  it('hold staff to looser limits: the same deep query is served', async () => {
    const token = await staffToken();
    const answer = await post('{ serviceRequests(first: 1) { nodes { workOrders(first: 1) { serviceRequest { workOrders(first: 1) { serviceRequest { workOrders(first: 1) { id } } } } } } } }', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
  });
});

describe('the cost of a request', () => {
  it('multiplies nested lists and refuses what is over the role budget before any source is asked', async () => {
    const answer = await post('query ($n: Int) { serviceRequests(first: 1000) { nodes { workOrders(first: $n) { id } } } }', { variables: { n: 1000 } });
    expectRefused(answer, 'QUERY_TOO_COSTLY', { cost: 1000 + 1000 * 1000, limit: 25_000 });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].message).toBe(
      "this request's estimated cost is 1001000, over the limit of 25000 for role public: ask for fewer rows (first), fewer joined levels or fewer counts",
    );
  });

  it('is reported on a served answer, with the role limit', async () => {
    const answer = await post('{ serviceRequests(first: 10) { nodes { id workOrders(first: 5) { id } } } }');
    expect(answer.status).toBe(200);
    expect(answer.body.extensions.cost).toEqual({ estimated: 10 + 10 * 5, limit: 25_000 });
  });

  it('costs a by-id look-up one and a default page 100', async () => {
    expect((await post('{ serviceRequest(id: "SR-24-00000001") { id } }')).body.extensions.cost.estimated).toBe(1);
    expect((await post('{ serviceRequests { nodes { id } } }')).body.extensions.cost.estimated).toBe(100);
  });

  it('costs totalCount and statistics by the rows they scan: one per 100 rows the role may see', async () => {
    const count = (await post('{ serviceRequests(first: 0) { totalCount } }')).body;
    const stats = (await post('{ serviceRequestStats { count } }')).body;
    const rows = count.data.serviceRequests.totalCount;
    expect(stats.extensions.cost.estimated).toBe(Math.ceil(rows / 100));
    expect(count.extensions.cost.estimated).toBe(1 + Math.ceil(rows / 100));
  });

  it('refuses 200 aliased counts before any source is asked, and costs ten counts as ten scans', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, index) => `c${index}: serviceRequests(first: 0) { totalCount }`).join(' ');
    expectRefused(await post(`{ ${aliases(200)} }`), 'QUERY_TOO_COMPLEX', { measure: 'aliases', measured: 200 });
    const ten = await post(`{ ${aliases(10)} }`);
    const single = await post('{ serviceRequests(first: 0) { totalCount } }');
    expect(ten.body.extensions.cost.estimated).toBe(10 * single.body.extensions.cost.estimated);
  });
});

describe('cost per window', () => {
  it('spends each request’s cost from the caller’s budget, shared by two gateways through Redis, and refuses what would overspend', async () => {
    // A fresh app token: a budget no earlier run of this test has touched.
    const appToken = `limits-test-${randomUUID()}`;
    const settings = { CIVICGRAPH_APP_TOKENS: appToken, CIVICGRAPH_REDIS_URL: 'redis://127.0.0.1:6379', CIVICGRAPH_RATE_LIMIT_COST_APP_TOKEN: '2500' };
    const [one, two] = [await start(settings), await start(settings)];
    const headers = { 'x-app-token': appToken };
    const page = '{ serviceRequests(first: 1000) { nodes { id } } }';

    const first = await post(page, { to: one, headers });
    expect(first.status).toBe(200);
    expect(first.body.extensions.cost).toEqual({ estimated: 1000, limit: 25_000 });
    expect(first.headers.get('ratelimit-remaining')).toBe('1500');
    expect(first.headers.get('ratelimit-limit')).toBe('2500');
    expect(first.headers.get('ratelimit-policy')).toBe('2000;w=60;comment="requests", 2500;w=60;comment="cost"');

    const second = await post(page, { to: two, headers });
    expect(second.headers.get('ratelimit-remaining')).toBe('500');

    const refused = await post(page, { to: one, headers });
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 1000, limit: 2500, remaining: 500 });
    expect(refused.body.errors[0].message).toMatch(/^this request's estimated cost is 1000, more than the 500 left of the 2500 per window for app tokens; the window resets in \d+ s$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-remaining')).toBe('500');

    // What was refused was not spent: a cheaper request still fits.
    const cheaper = await post('{ serviceRequests(first: 400) { nodes { id } } }', { to: two, headers });
    expect(cheaper.status).toBe(200);
    expect(cheaper.headers.get('ratelimit-remaining')).toBe('100');
  });
});

describe('the size of an answer', () => {
  it('is bounded by the role’s responseSize', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civicgraph-limits-'));
    await cp(resolve('connectors'), dir, { recursive: true });
    const rolesFile = join(dir, 'roles.yaml');
    await writeFile(rolesFile, (await readFile(rolesFile, 'utf8')).replace('responseSize: 10mb', 'responseSize: 4kb'));
    const small = await start({}, dir);
    const answer = await post('{ serviceRequests(first: 100) { nodes { id serviceName description } } }', { to: small });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeNull();
    expect(answer.body.errors[0].extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 4096, measured: expect.any(Number) });
    expect(answer.body.errors[0].extensions.measured).toBeGreaterThan(4096);
    expect(answer.body.errors[0].message).toContain('role public');
    expect((await post('{ serviceRequests(first: 1) { nodes { id } } }', { to: small })).body.data.serviceRequests.nodes).toHaveLength(1);
  });
});

async function staffToken(): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ role: 'staff' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('limits-test')
    .setAudience('civicgraph')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

describe('runtime budgets, over HTTP', () => {
  let slow: string;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civicgraph-budgets-'));
    await cp(resolve('connectors'), dir, { recursive: true });
    const crm = join(dir, 'crm-311.yaml');
    // An uncorrelated subquery: PostgreSQL sleeps once per query, however many rows it reads.
    const sleeping = `      description:\n        expression: CONCAT("DESCR_TXT", (SELECT '' FROM pg_sleep(3)))`;
    await writeFile(crm, (await readFile(crm, 'utf8')).replace('      description: DESCR_TXT', sleeping));
    const rolesFile = join(dir, 'roles.yaml');
    await writeFile(rolesFile, (await readFile(rolesFile, 'utf8')).replace('deadline: 10s', 'deadline: 500ms').replace('rows: 25000 ', 'rows: 150 '));
    slow = await start({}, dir);
  });

  // In this suite's CRM database only: other suites on the server may be running statements of their own.
  const sleepingStatements = () =>
    withKnex('pg', env.CIVICGRAPH_CRM_URL!, async (db) => {
      const rows = await db.raw("select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep(3)%' and pid <> pg_backend_pid()");
      return rows.rows[0].n as number;
    });

  it('past the deadline, answers what it has with DEADLINE_EXCEEDED and cancels the statement still running', async () => {
    const answer = await post('{ serviceRequests(first: 1) { nodes { id description } } permits(first: 1) { nodes { id } } }', { to: slow });
    expect(answer.ms).toBeLessThan(1_500);
    expect(answer.status).toBe(200);
    expect(answer.body.data.permits.nodes).toHaveLength(1);
    expect(answer.body.data.serviceRequests).toBeNull();
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        message: 'the request ran past its deadline of 0.5 s for role public; the fields answered before it are returned',
        extensions: expect.objectContaining({ code: 'DEADLINE_EXCEEDED', limit: 500 }),
      }),
    ]);
    // Cancelled on the server, not abandoned to sleep on.
    const deadline = Date.now() + 2_000;
    while ((await sleepingStatements()) > 0 && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 100));
    expect(await sleepingStatements()).toBe(0);
  });

  it('stops reading past the role’s rows, all levels together', async () => {
    const answer = await post('{ a: serviceRequests(first: 100) { nodes { id } } b: workOrders(first: 100) { nodes { id } } }', { to: slow });
    expect(answer.status).toBe(200);
    const refused = answer.body.errors.filter((error: any) => error.extensions.code === 'ROW_BUDGET_EXCEEDED');
    expect(refused).toHaveLength(1);
    // Two pages of 101 rows: what the gateway reads to withhold work orders of withheld cases is not counted (it would tell how many there are).
    expect(refused[0].extensions).toMatchObject({ limit: 150, measured: 202 });
    expect([answer.body.data.a, answer.body.data.b].filter((list) => list === null)).toHaveLength(1);
  });

  it('refuses a caller’s fifth request while four are running, and serves another caller meanwhile', async () => {
    const sleeping = '{ serviceRequests(first: 1) { nodes { id description } } }';
    const five = Array.from({ length: 5 }, () => post(sleeping, { to: slow }));
    await new Promise((wait) => setTimeout(wait, 100));
    const other = await post('{ permits(first: 1) { nodes { id } } }', { to: slow, headers: { 'x-app-token': OTHER_CALLER } });
    const answers = await Promise.all(five);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.body.errors[0]).toEqual({
      message: 'you already have 4 requests running, the most role public may run at once: wait for one to finish',
      extensions: { code: 'RATE_LIMITED', measure: 'inFlight', limit: 4 },
    });
    expect(refused[0]!.headers.get('retry-after')).toBe('1');
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(4);
    expect(other.status).toBe(200);
    expect(other.body.data.permits.nodes).toHaveLength(1);
    expect(other.ms).toBeLessThan(400);
  });
});
