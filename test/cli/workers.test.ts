/**
 * `civicgraph serve --workers N`: several processes on one port, each answering /readyz for
 * itself; a worker killed outright is replaced while the others keep answering; and two
 * instances on different ports against one Redis enforce one rate limit and serve one cache.
 * Over the demo on the real PostgreSQL (an embedded PGlite database cannot be opened by two
 * processes, and a gateway with workers refuses one).
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEnvironment } from '../support/demo.js';
import { startCliGateway, type CliGateway } from '../support/cli-gateway.js';

const REDIS_URL = process.env.CIVICGRAPH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_TOKEN = `h-scale-workers-${randomBytes(6).toString('hex')}`;
const APP_TOKEN_LIMIT = 6;

/** One request on a connection of its own, so that the primary hands it to the next worker. */
function request(url: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((done, failed) => {
    const call = httpRequest(url, { agent: false, method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode!, body }));
    });
    call.on('error', failed);
    call.end(options.body);
  });
}

function graphql(base: string, query: string, headers: Record<string, string> = {}) {
  return request(`${base}/graphql`, { method: 'POST', body: JSON.stringify({ query }), headers: { 'content-type': 'application/json', ...headers } });
}

async function workerPids(base: string, tries = 30): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let index = 0; index < tries; index++) {
    const answer = await request(`${base}/readyz`);
    expect(answer.status).toBe(200);
    pids.add(JSON.parse(answer.body).worker.pid);
  }
  return pids;
}

describe('serve --workers', () => {
  let env: Record<string, string>;
  let two: CliGateway;
  let base: string;

  beforeAll(async () => {
    env = {
      ...(await demoEnvironment('postgres', 'h_scale_workers')),
      CIVICGRAPH_REDIS_URL: REDIS_URL,
      CIVICGRAPH_APP_TOKENS: APP_TOKEN,
      CIVICGRAPH_RATE_LIMIT_APP_TOKEN: String(APP_TOKEN_LIMIT),
      CIVICGRAPH_JWT_SECRET: 'h-scale-workers-secret-0123456789abcdef',
    };
    two = await startCliGateway(resolve('connectors'), env, { workers: 2 });
    base = two.url.replace(/\/graphql$/, '');
  }, 180_000);
  afterAll(async () => {
    await two?.stop();
  });

  it('serves one port from two processes, each answering /readyz for itself', async () => {
    expect(two.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    await expect.poll(async () => (await workerPids(base, 10)).size, { timeout: 60_000, interval: 500 }).toBe(2);
    const pids = await workerPids(base);
    expect(pids.has(two.process.pid!)).toBe(false);
    // Each worker runs with the gateway's V8 settings (src/gateway/worker-flags.ts).
    for (const pid of pids) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=32');
  });

  it('replaces a worker killed with SIGKILL, and the other keeps answering meanwhile', async () => {
    const before = await workerPids(base);
    const [victim] = [...before];
    process.kill(victim!, 'SIGKILL');
    await expect.poll(() => two.stderr(), { timeout: 10_000, interval: 50 }).toMatch(new RegExp(`worker ${victim} exited \\(SIGKILL\\): starting another`));
    for (let index = 0; index < 10; index++) {
      const answer = await graphql(base, '{ workOrders(first: 1) { totalCount } }');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).data.workOrders.totalCount).toBeGreaterThan(0);
    }
    // The new worker takes its share of connections once it serves.
    await expect
      .poll(async () => [...(await workerPids(base, 10))].filter((pid) => !before.has(pid)).length, { timeout: 90_000, interval: 500 })
      .toBe(1);
    expect(two.stderr()).toMatch(/worker \d+ is serving/);
  }, 120_000);

  it('shares one rate limit and one cache with another instance on another port, through Redis', async () => {
    const other = await startCliGateway(resolve('connectors'), env, { workers: 1 });
    try {
      const otherBase = other.url.replace(/\/graphql$/, '');
      expect(otherBase).not.toBe(base);
      const query = `{ serviceRequests(first: 2, filter: { zipcode: { eq: "${randomBytes(3).toString('hex')}" } }) { totalCount } }`;
      const statuses: number[] = [];
      for (let index = 0; index < APP_TOKEN_LIMIT + 2; index++) {
        statuses.push((await graphql(index % 2 === 0 ? base : otherBase, query, { 'x-app-token': APP_TOKEN })).status);
      }
      // Counted together: the budget runs out after six requests, whichever instance took them.
      expect(statuses).toEqual([...Array<number>(APP_TOKEN_LIMIT).fill(200), 429, 429]);
      // The first answer, made by the first instance, served the second from Redis.
      const metrics = (await request(`${otherBase}/metrics`)).body;
      expect(Number(/^civicgraph_response_cache_lookups_total\{result="hit"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect(/^civicgraph_response_cache_lookups_total\{result="miss"\} (\d+)/m.exec(metrics)).toBeNull();
    } finally {
      await other.stop();
    }
  }, 120_000);

  it('reloads an edited mapping in every worker', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'h-scale-workers-csv-'));
    await cp(resolve('connectors/examples/data'), join(folder, 'data'), { recursive: true });
    await cp(resolve('connectors/roles.yaml'), join(folder, 'roles.yaml'));
    await cp(resolve('connectors/examples/work-orders-csv.yaml'), join(folder, 'parks.yaml'));
    const parks = await startCliGateway(folder, {}, { workers: 2, watch: true });
    try {
      const parksBase = parks.url.replace(/\/graphql$/, '');
      // The primary reports the port once the first worker serves; the second follows.
      await expect.poll(async () => (await workerPids(parksBase, 10)).size, { timeout: 60_000, interval: 500 }).toBe(2);
      const query = '{ workOrders(first: 50) { nodes { id address } } }';
      const whole = async () => {
        const answer = JSON.parse((await graphql(parksBase, query)).body);
        return answer.data.workOrders.nodes.some((node: { address: string | null }) => node.address && !/XX /.test(node.address));
      };
      expect(await whole()).toBe(false);
      const mapping = await readFile(join(folder, 'parks.yaml'), 'utf8');
      await writeFile(join(folder, 'parks.yaml'), mapping.replace('          address: hundredBlock', '          address: visible'));
      // Ten requests on fresh connections, taken in turn by both workers, all answer by the edited rule.
      await expect
        .poll(async () => (await Promise.all(Array.from({ length: 10 }, () => whole()))).every(Boolean), { timeout: 30_000, interval: 300 })
        .toBe(true);
      expect(parks.stderr().match(/connector mappings changed: reloading/g)?.length).toBeGreaterThanOrEqual(2);
    } finally {
      await parks.stop();
    }
  }, 120_000);

  it('refuses an embedded database it would open in every worker, naming the file', async () => {
    const pglite = await demoEnvironment('pglite', 'h-scale-workers-pglite');
    await expect(startCliGateway(resolve('connectors'), pglite, { workers: 2, startLimitMs: 60_000 })).rejects.toThrow(/pglite source is an embedded database only one process may open: serve it with --workers 1/);
    await sleep(0);
  }, 120_000);
});
