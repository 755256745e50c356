/**
 * The shared response cache: an answer is served again only to callers of the same role view
 * (never staff's to the public, never one department's to another), still audited and still
 * counted against the caller's budgets; it is dropped when the data or the mapping changes; it
 * lives in Redis when CIVICGRAPH_REDIS_URL names one, and a Redis that cannot be reached costs
 * no request anything but the cache.
 */
import { get } from 'node:http';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { REDIS_CACHE_PREFIX } from '../../src/response/cache/answer-store.js';
import { demoEnvironment } from '../support/demo.js';
import { withDatabase } from '../support/servers.js';

/** A Redis database of this suite's own: other suites cache answers on the same server, and this one counts the keys its gateway adds. */
const REDIS_URL = withDatabase(process.env.CIVICGRAPH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', '9');
const JWT_SECRET = 'response-cache-test-secret-0123456789abcdef';
const COUNT = '{ serviceRequests { totalCount } }';
const ADDRESSES = '{ serviceRequests(first: 20) { edges { node { id address } } } }';

interface Started {
  running: RunningGateway;
  base: string;
  logged: string[];
  audits: string[];
}

async function start(env: Record<string, string>, connectorsDir = resolve('connectors'), watch = false): Promise<Started> {
  const logged: string[] = [];
  const audits: string[] = [];
  const running = await serve({ connectorsDir, schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch, env: { CIVICGRAPH_JWT_SECRET: JWT_SECRET, ...env }, audit: (line) => audits.push(line), log: (line) => logged.push(line) });
  return { running, base: running.url.replace(/\/graphql$/, ''), logged, audits };
}

function token(role: string, department?: string, subject = `${role}-tester`): Promise<string> {
  return new SignJWT({ role, ...(department ? { department } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setAudience('civicgraph')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

async function post(base: string, query: string, bearer?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** The response cache's look-ups so far, by result, from /metrics. */
async function lookups(base: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const counts: Record<string, number> = { hit: 0, miss: 0, bypassed: 0 };
  for (const match of text.matchAll(/^civicgraph_response_cache_lookups_total\{result="(\w+)"\} (\d+)/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

/** A GET with If-None-Match, as a browser revalidates what it keeps. */
function conditionalGet(url: string, etag: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; cacheControl: string | undefined }> {
  return new Promise((done, failed) => {
    get(url, { headers: { 'if-none-match': etag, ...headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode!, body, cacheControl: response.headers['cache-control'] }));
    }).on('error', failed);
  });
}

async function metric(base: string, name: string): Promise<number | undefined> {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${base}/metrics`)).text());
  return match ? Number(match[1]) : undefined;
}

describe('the response cache in the process, over the demo', () => {
  let gateway: Started;
  let staff: string;

  beforeAll(async () => {
    const env = await demoEnvironment('pglite', 'h-scale-cache');
    gateway = await start({ ...env, CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '1000' });
    staff = await token('staff');
  });
  afterAll(async () => {
    await gateway?.running.stop();
  });

  it('never serves the public an answer it warmed as staff: rows withheld and addresses coarsened stay so', async () => {
    const before = await lookups(gateway.base);
    const staffCount = await post(gateway.base, COUNT, staff);
    const staffAgain = await post(gateway.base, COUNT, staff);
    expect(staffAgain.body).toEqual(staffCount.body);
    const publicCount = await post(gateway.base, COUNT);
    // The public role does not see the requests about vulnerable people that staff does.
    expect(publicCount.body.data.serviceRequests.totalCount).toBeLessThan(staffCount.body.data.serviceRequests.totalCount);

    const staffAddresses = await post(gateway.base, ADDRESSES, staff);
    await post(gateway.base, ADDRESSES, staff);
    const publicAddresses = await post(gateway.base, ADDRESSES);
    const addresses = (answer: any): string[] => answer.body.data.serviceRequests.edges.map((edge: any) => edge.node.address).filter(Boolean);
    expect(addresses(staffAddresses).some((address) => /^\d+ /.test(address) && !/^\d*XX /.test(address))).toBe(true);
    expect(addresses(publicAddresses).length).toBeGreaterThan(0);
    for (const address of addresses(publicAddresses)) expect(address).toMatch(/^\d*XX /);
    expect(addresses(publicAddresses)).not.toEqual(addresses(staffAddresses));

    // Each role's second request was served from its own entry; the public's first was a miss.
    const after = await lookups(gateway.base);
    expect(after.hit! - before.hit!).toBe(2);
    expect(after.miss! - before.miss!).toBe(4);
    const publicAgain = await post(gateway.base, ADDRESSES);
    expect(publicAgain.body).toEqual(publicAddresses.body);
    expect((await lookups(gateway.base)).hit! - after.hit!).toBe(1);
  });

  it('keeps the departments of a per-department role apart, and roles with the same rows too', async () => {
    const before = await lookups(gateway.base);
    const query = '{ serviceRequests(first: 3) { edges { node { id } } } }';
    const crm = await post(gateway.base, query, await token('department', '311 Customer Service'));
    const works = await post(gateway.base, query, await token('department', 'Public Works'));
    const other = await post(gateway.base, query, await token('staff', undefined, 'another-staff-member'));
    expect(crm.status).toBe(200);
    expect(works.status).toBe(200);
    expect(other.status).toBe(200);
    // Three views (department:311-customer-service, department:public-works, staff): three entries, though the ids agree.
    const after = await lookups(gateway.base);
    expect(after.miss! - before.miss!).toBe(3);
    expect(after.hit! - before.hit!).toBe(0);
    // Two staff members share staff's view, so they share its answer.
    await post(gateway.base, query, staff);
    expect((await lookups(gateway.base)).hit! - after.hit!).toBe(1);
  });

  it('gives every role view an identity of its own', () => {
    const views = [...gateway.running.gateway.serving().roles.values()].map((role) => role.view);
    expect(views.length).toBeGreaterThan(4);
    expect(new Set(views).size).toBe(views.length);
  });

  it('still audits a cached answer and still spends the caller\'s budget for it', async () => {
    const query = '{ serviceRequests(first: 2) { edges { node { id callerName } } } }';
    const crm = await token('department', '311 Customer Service', 'audited-case-worker');
    const first = await post(gateway.base, query, crm);
    const audited = gateway.audits.length;
    const second = await post(gateway.base, query, crm);
    expect(second.body).toEqual(first.body);
    expect(gateway.audits.length).toBe(audited + 1);
    expect(JSON.parse(gateway.audits.at(-1)!)).toMatchObject({ role: 'department:311-customer-service', subject: 'audited-case-worker', datasets: [{ type: 'ServiceRequest', fields: ['callerName'], rows: 2 }] });

    const once = await post(gateway.base, '{ permits(first: 1) { totalCount } }');
    const twice = await post(gateway.base, '{ permits(first: 1) { totalCount } }');
    expect(Number(twice.headers.get('ratelimit-remaining'))).toBe(Number(once.headers.get('ratelimit-remaining')) - 1);
  });

  it('serves the entry points beside /graphql from the same cache, through their role servers', async () => {
    const before = await lookups(gateway.base);
    const first = await fetch(`${gateway.base}/data.json`);
    const second = await fetch(`${gateway.base}/data.json`);
    expect(first.status).toBe(200);
    expect(await second.json()).toEqual(await first.json());
    const after = await lookups(gateway.base);
    expect(after.hit! - before.hit!).toBeGreaterThan(0);
  });

  it('lets browsers and CDNs keep public answers over GET, with an ETag, and no one keep a role\'s', async () => {
    const url = `${gateway.base}/graphql?query=${encodeURIComponent('{ workOrders(first: 2) { totalCount } }')}`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(Number(/max-age=(\d+)/.exec(first.headers.get('cache-control')!)![1])).toBeGreaterThan(0);
    expect(first.headers.get('vary')).toMatch(/Authorization/);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    // Not fetch: it adds Cache-Control: no-cache to a conditional request, as a reload button would.
    const again = await conditionalGet(url, etag!);
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const staffAnswer = await fetch(url, { headers: { authorization: `Bearer ${staff}` } });
    expect(staffAnswer.status).toBe(200);
    expect(staffAnswer.headers.get('cache-control')).toBe('no-store');
    // A staff request is never answered 304 from the public's ETag: its own answer is not keyed for it.
    const staffConditional = await conditionalGet(url, etag!, { authorization: `Bearer ${staff}` });
    expect(staffConditional.status).toBe(200);
    expect(staffConditional.cacheControl).toBe('no-store');
  });
});

describe('the response cache over a CSV file', () => {
  let gateway: Started;
  let folder: string;
  const query = '{ workOrders(first: 50) { totalCount edges { node { id status } } } }';

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'h-scale-cache-csv-'));
    await cp(resolve('connectors/examples/data'), join(folder, 'data'), { recursive: true });
    await cp(resolve('connectors/roles.yaml'), join(folder, 'roles.yaml'));
    const mapping = await readFile(resolve('connectors/examples/work-orders-csv.yaml'), 'utf8');
    await writeFile(join(folder, 'parks.yaml'), mapping.replace('    table: parks-work-orders.csv', '    cache: { maxAge: 10m }\n    table: parks-work-orders.csv'));
    gateway = await start({}, folder, true);
  });
  afterAll(async () => {
    await gateway?.running.stop();
  });

  it('is kept for the mapping\'s maxAge, and dropped as soon as the file changes', async () => {
    const first = await post(gateway.base, query);
    const url = `${gateway.base}/graphql?query=${encodeURIComponent(query)}`;
    const maxAge = Number(/max-age=(\d+)/.exec((await fetch(url)).headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(500);
    expect(maxAge).toBeLessThanOrEqual(600);
    const before = await lookups(gateway.base);
    expect((await post(gateway.base, query)).body).toEqual(first.body);
    expect((await lookups(gateway.base)).hit! - before.hit!).toBe(1);

    const file = join(folder, 'data', 'parks-work-orders.csv');
    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    await writeFile(file, lines.slice(0, -1).join('\n') + '\n');
    await expect.poll(async () => (await post(gateway.base, query)).body.data.workOrders.totalCount, { timeout: 10_000, interval: 200 }).toBe(first.body.data.workOrders.totalCount - 1);
  });

  it('is dropped when the mapping reloads with other rules', async () => {
    const addresses = '{ workOrders(first: 50) { edges { node { id address } } } }';
    const coarse = (await post(gateway.base, addresses)).body.data.workOrders.edges.map((edge: any) => edge.node.address).filter(Boolean);
    expect(coarse.length).toBeGreaterThan(0);
    for (const address of coarse) expect(address).toMatch(/XX /);
    const mapping = await readFile(join(folder, 'parks.yaml'), 'utf8');
    // The liaison lets the public read whole addresses: the same query, which the cache holds, now answers them.
    await writeFile(join(folder, 'parks.yaml'), mapping.replace('          address: hundredBlock', '          address: visible'));
    await expect
      .poll(async () => (await post(gateway.base, addresses)).body.data.workOrders.edges.some((edge: any) => edge.node.address && !/XX /.test(edge.node.address)), { timeout: 10_000, interval: 200 })
      .toBe(true);
  });
});

describe('the response cache under a scopeField row rule', () => {
  let gateway: Started;
  const query = '{ workOrders(first: 50) { nodes { id assignedCrew } } }';
  const crews = (answer: { body: any }): string[] => answer.body.data.workOrders.nodes.map((node: { assignedCrew: string | null }) => node.assignedCrew);

  beforeAll(async () => {
    // Parks' work log names which department did each job; Parks' own department role sees only its rows (scopeField),
    // while another department (Forestry, whose permits the gateway also serves) reads the log with staff's rules: every row.
    const folder = await mkdtemp(join(tmpdir(), 'h-scale-cache-scope-'));
    await cp(resolve('connectors/examples/data'), join(folder, 'data'), { recursive: true });
    const log = join(folder, 'data', 'parks-work-orders.csv');
    await writeFile(log, (await readFile(log, 'utf8')).replaceAll('Crew A', 'Parks and Recreation').replaceAll('Crew B', 'Forestry'));
    await writeFile(join(folder, 'data', 'tree-permits.csv'), 'PermitNum,Addr,City,State,Zip\nFP-1,1 Elm Street,Riverton,IL,60601\n');
    await cp(resolve('connectors/roles.yaml'), join(folder, 'roles.yaml'));
    const parks = await readFile(resolve('connectors/examples/work-orders-csv.yaml'), 'utf8');
    await writeFile(
      join(folder, 'parks.yaml'),
      parks.replace('    table: parks-work-orders.csv', '    cache: { maxAge: 10m }\n    table: parks-work-orders.csv') +
        '      department:\n        rows: { scopeField: assignedCrew }\n',
    );
    await writeFile(
      join(folder, 'forestry.yaml'),
      `name: forestry-permits
system: Forestry tree permits (spreadsheet export)
department: Forestry
liaison: { name: Rowan Ash, email: forestry@riverton.example }
source: { kind: csv, connection: ./data, timezone: America/Chicago }
datasets:
  Permit:
    title: Tree Permits
    description: Permits to remove or prune street trees.
    keywords: [trees]
    accessLevel: public
    publication: public
    table: tree-permits.csv
    fields: { id: PermitNum, permitNumber: PermitNum, originalAddress1: Addr, originalCity: City, originalState: State, originalZip: Zip }
    access:
      public:
        fields: { id: visible, permitNumber: visible, originalAddress1: visible, originalCity: visible, originalState: visible, originalZip: visible }
`,
    );
    gateway = await start({}, folder);
    expect(gateway.logged.filter((line) => /error/.test(line))).toEqual([]);
  });
  afterAll(async () => {
    await gateway?.running.stop();
  });

  it("never serves one department the rows another department's view holds", async () => {
    const forestry = await token('department', 'Forestry');
    const parks = await token('department', 'Parks and Recreation');
    const before = await lookups(gateway.base);
    const everyRow = await post(gateway.base, query, forestry);
    expect((await post(gateway.base, query, forestry)).body).toEqual(everyRow.body);
    expect(crews(everyRow)).toContain('Forestry');
    const own = await post(gateway.base, query, parks);
    expect(crews(own).length).toBeGreaterThan(0);
    expect(new Set(crews(own))).toEqual(new Set(['Parks and Recreation']));
    expect((await post(gateway.base, query, parks)).body).toEqual(own.body);
    const after = await lookups(gateway.base);
    expect([after.hit! - before.hit!, after.miss! - before.miss!]).toEqual([2, 2]);
  });
});

describe('the response cache in Redis', () => {
  let env: Record<string, string>;
  let admin: ReturnType<typeof createClient>;

  beforeAll(async () => {
    admin = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(`Redis is not reachable at ${REDIS_URL} (${(error as Error).message}): the cache tests need a real Redis server (redis-server on 127.0.0.1:6379, or CIVICGRAPH_TEST_REDIS_URL)`);
    }
    env = await demoEnvironment('pglite', 'h-scale-cache-redis');
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('keeps answers in Redis, under civicgraph:rc:, for their time', async () => {
    const gateway = await start({ ...env, CIVICGRAPH_REDIS_URL: REDIS_URL });
    try {
      const query = `{ serviceRequests(first: 4, filter: { zipcode: { eq: "${process.pid}" } }) { totalCount } }`;
      const before = new Set(await admin.keys(`${REDIS_CACHE_PREFIX}*`));
      await post(gateway.base, query);
      const added = (await admin.keys(`${REDIS_CACHE_PREFIX}*`)).filter((key) => !before.has(key));
      expect(added).toHaveLength(1);
      const ttl = await admin.pTTL(added[0]!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300_000);
      await post(gateway.base, query);
      expect((await lookups(gateway.base)).hit).toBe(1);
      expect(await metric(gateway.base, 'civicgraph_redis_reachable')).toBe(1);

      // Redis goes away under the gateway (its connection is cut): requests go on, uncached.
      const name = `civicgraph-${process.pid}`;
      for (const client of await admin.clientList()) if (client.name === name) await admin.clientKill({ filter: 'ID', id: Number(client.id) });
      for (let index = 0; index < 3; index++) expect((await post(gateway.base, query)).status).toBe(200);
      expect(gateway.logged.filter((line) => /Redis is unreachable/.test(line))).toHaveLength(1);
      expect(await metric(gateway.base, 'civicgraph_redis_reachable')).toBe(0);
      expect((await lookups(gateway.base)).bypassed).toBeGreaterThan(0);
    } finally {
      await gateway.running.stop();
    }
  });

  it('answers every request when Redis cannot be reached at all, with one warning line and a metric', async () => {
    const gateway = await start({ ...env, CIVICGRAPH_REDIS_URL: 'redis://:hunter2@127.0.0.1:1', CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '5' });
    try {
      const statuses = [];
      for (let index = 0; index < 7; index++) statuses.push((await post(gateway.base, COUNT)).status);
      // Rate limits still hold, counted in this process.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const warnings = gateway.logged.filter((line) => /Redis/.test(line));
      expect(warnings).toEqual([expect.stringMatching(/Redis is unreachable .*rate limits count in this process and the response cache is bypassed/)]);
      expect(gateway.logged.join('\n')).not.toMatch(/hunter2|redis:\/\//);
      expect(await metric(gateway.base, 'civicgraph_redis_reachable')).toBe(0);
      expect(await metric(gateway.base, 'civicgraph_redis_outages_total')).toBe(1);
      expect((await lookups(gateway.base)).bypassed).toBe(5);
    } finally {
      await gateway.running.stop();
    }
  });
});
