/**
 * Denial of service, tried as an anonymous outsider would: every vector family of the OWASP
 * GraphQL cheat sheet, over HTTP, against `civicgraph serve` in its own process over the demo
 * (a fifth of the full demo, on PostgreSQL). Each attack is refused, or answered, within 2 s,
 * while another caller's simple query answers within 1 s; afterwards the process is alive and
 * its memory bounded. The bounds are generous for a shared CI machine: what they catch is an
 * attack that runs for tens of seconds or grows the heap by gigabytes, as these did before the
 * limits.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, type CliGateway } from '../support/cli-gateway.js';
import { demoEnvironment } from '../support/demo.js';

const SCALE = 0.2;
const APP_TOKEN = 'dos-suite-bystander-token-0123456789';
const ATTACK_LIMIT_MS = 2_000;
const BYSTANDER_LIMIT_MS = 1_000;

let gateway: CliGateway;
let rssAtStart: number;

beforeAll(async () => {
  const env = await demoEnvironment('postgres', 'dos', SCALE);
  gateway = await startCliGateway(resolve('connectors'), {
    ...env,
    CIVICGRAPH_APP_TOKENS: APP_TOKEN,
    // Every attack comes from one address: the per-window budgets are tested elsewhere; here each request must defend itself.
    CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '1000000',
    CIVICGRAPH_RATE_LIMIT_COST_ANONYMOUS: '1000000000',
  });
  // Warm up: the first request compiles what later ones reuse.
  await send({ query: '{ serviceRequests(first: 1) { nodes { id } } }' });
  rssAtStart = await gateway.rss();
});

afterAll(async () => {
  await gateway?.stop();
});

interface Answer {
  status: number;
  text: string;
  body: any;
  ms: number;
}

async function send(payload: unknown, options: { headers?: Record<string, string>; raw?: string } = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...options.headers },
    body: options.raw ?? JSON.stringify(payload),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body, ms: performance.now() - started };
}

/** Runs the attack and, once it is under way, another caller's one-row query. */
async function attack(payload: unknown, options: { raw?: string } = {}): Promise<{ attack: Answer; bystander: Answer }> {
  const attacking = send(payload, options);
  await new Promise((wait) => setTimeout(wait, 20));
  const bystander = await send({ query: '{ serviceRequest(id: "SR-24-00000563") { id status } }' }, { headers: { 'x-app-token': APP_TOKEN } });
  return { attack: await attacking, bystander };
}

/** The attack was refused (4xx, with a code, no stack) or answered, in time; the bystander was served in time. */
function expectDefended({ attack: answer, bystander }: { attack: Answer; bystander: Answer }, refusedWith?: string): void {
  expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
  expect(answer.ms).toBeLessThan(ATTACK_LIMIT_MS);
  expect(answer.text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|stacktrace/i);
  if (refusedWith) {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.body?.errors?.map((error: any) => error.extensions?.code)).toContain(refusedWith);
  }
  expect(bystander.status, bystander.text.slice(0, 300)).toBe(200);
  expect(bystander.body.data.serviceRequest.id).toBe('SR-24-00000563');
  expect(bystander.ms).toBeLessThan(BYSTANDER_LIMIT_MS);
}

const repeat = (count: number, make: (index: number) => string): string => Array.from({ length: count }, (_, index) => make(index)).join(' ');

describe('as the public role, each attack is refused or answered within 2 s while another caller is served', () => {
  it('aliases: 200 counts of the largest dataset in one request', async () => {
    expectDefended(await attack({ query: `{ ${repeat(200, (index) => `c${index}: serviceRequests(first: 1000) { totalCount }`)} }` }), 'QUERY_TOO_COMPLEX');
  });

  it('field duplication: one field asked 2,500 times', async () => {
    expectDefended(await attack({ query: `{ serviceRequests(first: 1000) { nodes { ${'id '.repeat(2_500)}} } }` }), 'QUERY_TOO_COMPLEX');
  });

  it('deep nesting through joins: twelve levels of request → work order → request', async () => {
    let selection = 'id';
    for (let level = 0; level < 6; level++) selection = `workOrders(first: 1000) { serviceRequest { ${selection} } }`;
    expectDefended(await attack({ query: `{ serviceRequests(first: 1000) { nodes { ${selection} } } }` }), 'QUERY_TOO_COMPLEX');
  });

  it('wide joins with the largest first at every level', async () => {
    const query = '{ serviceRequests(first: 1000) { nodes { workOrders(first: 1000) { serviceRequest { workOrders(first: 1000) { id } } } } } }';
    expectDefended(await attack({ query }), 'QUERY_TOO_COSTLY');
  });

  it('the widest join the public budget allows is answered', async () => {
    const query = '{ serviceRequests(first: 1000) { nodes { id workOrders(first: 10) { id serviceRequest { id } } } } }';
    const defended = await attack({ query });
    expectDefended(defended);
    expect(defended.attack.body.data.serviceRequests.nodes).toHaveLength(1000);
  });

  it('the costliest counts and statistics the public budget allows are answered', async () => {
    const stats = repeat(8, (index) => `s${index}: serviceRequestStats(groupBy: [REQUESTED_AT_MONTH, SERVICE_CODE]) { count }`);
    const defended = await attack({ query: `{ ${stats} c: serviceRequests(first: 0) { totalCount } }` });
    expectDefended(defended);
    expect(defended.attack.body.errors).toBeUndefined();
  });

  it('circular fragments', async () => {
    expectDefended(await attack({ query: '{ ...A } fragment A on Query { serviceRequests { nodes { id } } ...B } fragment B on Query { ...A }' }));
  });

  it('a fragment bomb: 2^50 selections written out', async () => {
    const fragments = repeat(50, (index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`);
    expectDefended(await attack({ query: `{ ...F0 } ${fragments} fragment F50 on Query { serviceRequests(first: 1000) { totalCount } }` }), 'QUERY_TOO_COMPLEX');
  });

  it('directive overloading: 1,000 directives on one field, known and unknown', async () => {
    expectDefended(await attack({ query: `{ __typename ${'@include(if: true) '.repeat(200)} }` }), 'QUERY_TOO_COMPLEX');
    expectDefended(await attack({ query: `{ __typename ${'@a '.repeat(1_000)} }` }), 'QUERY_TOO_COMPLEX');
  });

  it('deeply nested filter inputs, in the document and in variables', async () => {
    const literal = `${'{ or: ['.repeat(300)}{ status: { eq: OPEN } }${'] }'.repeat(300)}`;
    expectDefended(await attack({ query: `{ serviceRequests(filter: ${literal}) { totalCount } }` }), 'QUERY_TOO_COMPLEX');
    const query = 'query ($f: ServiceRequestFilter) { serviceRequests(filter: $f) { totalCount } }';
    const raw = `{"query":${JSON.stringify(query)},"variables":{"f":${'{"not":'.repeat(10_000)}{"status":{"eq":"OPEN"}}${'}'.repeat(10_000)}}}`;
    expectDefended(await attack(undefined, { raw }), 'QUERY_TOO_COMPLEX');
  });

  it('huge in lists: 2,000 ids in the document, 6,000 in variables', async () => {
    const ids = (count: number) => Array.from({ length: count }, (_, index) => `"SR-24-${String(index).padStart(8, '0')}"`);
    expectDefended(await attack({ query: `{ serviceRequests(filter: { id: { in: [${ids(2_000).join(',')}] } }) { totalCount } }` }));
    const query = 'query ($ids: [ID!]) { serviceRequests(first: 1000, filter: { id: { in: $ids } }) { totalCount nodes { id } } }';
    const defended = await attack({ query, variables: { ids: ids(6_000).map((id) => JSON.parse(id)) } });
    expectDefended(defended);
    expect(defended.attack.status).toBe(200);
  });

  it('huge token counts: 45,000 tokens', async () => {
    expectDefended(await attack({ query: `{ ${'a '.repeat(45_000)}}` }), 'QUERY_TOO_COMPLEX');
  });

  it('large bodies: 1 MB and 20 MB', async () => {
    const oneMegabyte = JSON.stringify({ query: `{ __typename } # ${'x'.repeat(1024 * 1024)}` });
    expectDefended(await attack(undefined, { raw: oneMegabyte }), 'REQUEST_TOO_LARGE');
    const twenty = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(20 * 1024 * 1024) } });
    expectDefended(await attack(undefined, { raw: twenty }), 'REQUEST_TOO_LARGE');
  });

  it('batched arrays: 1,000 operations in one body', async () => {
    const defended = await attack(Array.from({ length: 1_000 }, () => ({ query: '{ serviceRequests(first: 1000) { totalCount } }' })));
    expectDefended(defended);
    expect(defended.attack.status).toBe(400);
  });
});

describe('afterwards', () => {
  it('the process is alive, answers, and its memory stayed bounded', async () => {
    const health = await fetch(gateway.url.replace(/\/graphql$/, '/healthz'));
    expect(health.status).toBe(200);
    expect(gateway.process.exitCode).toBeNull();
    const rss = await gateway.rss();
    // Before the limits, one of these requests grew the heap past 4 GB.
    expect(rss - rssAtStart).toBeLessThan(400 * 1024 * 1024);
    expect(gateway.stderr()).not.toMatch(/heap out of memory|RangeError/);
  });
});
