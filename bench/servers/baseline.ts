/**
 * The hand-written baseline: one plain `node:http` handler per query that runs the minimal
 * SQL through `pg` pools and serialises JSON — no GraphQL, no framework. It is the floor
 * CivicGraph's overhead is measured against.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { sourceUrlFromEnv } from '../config.js';
import { q1, q2, q3, type Pools } from './baseline-answers.js';
import { listen, runChild } from './child.js';
import { POOL_SIZE } from './pool-size.js';

// Date-times without offset and dates stay text: the answers convert them like the gateway does.
const TIMESTAMP_OID = 1114;
const DATE_OID = 1082;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID || oid === DATE_OID ? (text: string) => text : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const pool = (system: 'crm-311' | 'public-works' | 'permits'): pg.Pool =>
  new pg.Pool({ connectionString: sourceUrlFromEnv(system), max: POOL_SIZE, types });

const MAX_BODY = 100_000;

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > MAX_BODY) throw new Error('request body too large');
  }
  return body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
}

function send(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

runChild(async () => {
  const pools: Pools = { crm: pool('crm-311'), works: pool('public-works'), permits: pool('permits') };
  const routes: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    '/q1': () => q1(pools),
    '/q2': (body) => q2(pools, Math.min(1000, Math.max(1, Number(body.first ?? 100) || 100))),
    '/q3': () => q3(pools),
  };
  const server = createServer((request, response) => {
    const route = request.method === 'POST' ? routes[request.url ?? ''] : undefined;
    if (!route) return send(response, 404, { errors: [{ message: 'not found' }] });
    readJson(request)
      .then(route)
      .then(
        (answer) => send(response, 200, answer),
        (error: unknown) => send(response, 500, { errors: [{ message: error instanceof Error ? error.message : String(error) }] }),
      );
  });
  return listen(server, () => Promise.all(Object.values(pools).map((p) => p.end())));
});
