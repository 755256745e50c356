/**
 * Bad input from a department's system, at the gateway: an unreachable source, refused
 * credentials, a collection that no longer exists, a column whose type changed, an API that
 * answers HTML, a CSV row with the wrong number of fields. Each yields an error naming the
 * source and the problem — never a connection string — and the other department keeps serving.
 */
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ExecutionResult } from 'graphql';
import knex from 'knex';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../support/engine.js';
import { SERVICE_REQUESTS, WORK_ORDERS } from './contract/city.js';
import { type Department, openContractEngine } from './contract/engine.js';
import { store, type Stored } from './contract/systems.js';

const BOTH = '{ serviceRequests(first: 3, orderBy: [ID_ASC]) { nodes { id } } workOrders(first: 3, orderBy: [ID_ASC]) { nodes { id cost } } }';

let requests: Department;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const stored = await store('postgres', SERVICE_REQUESTS, 'civicgraph_failing_sr');
  requests = { kind: 'postgres', stored };
  cleanup.push(() => stored.close());
});

afterEach(async () => {
  await Promise.all(cleanup.splice(1).map((close) => close()));
});

afterAll(async () => {
  await Promise.all(cleanup.map((close) => close()));
});

async function serve(works: Department): Promise<Engine> {
  const { engine, dir } = await openContractEngine(requests, works);
  cleanup.push(() => engine.close(), () => rm(dir, { recursive: true, force: true }));
  return engine;
}

/** A JSON API on 127.0.0.1 that answers every request as `respond` says. */
async function api(respond: (request: IncomingMessage, response: ServerResponse) => void): Promise<Stored> {
  const server = createServer(respond);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  cleanup.push(close);
  return {
    connection: `http://127.0.0.1:${(server.address() as AddressInfo).port}/?token=s3cret-T0KEN`,
    sourceSettings: ['  rest:', '    records: data', '    pagination: { style: offset, size: 7 }', '    retries: 0'].join('\n'),
    nested: true,
    close,
  };
}

/** The 311 department answers; work orders are null with one error naming their source and the problem. */
function expectOnlyWorksFailed(result: ExecutionResult, problem: RegExp, reason: string, secrets: string[] = []): void {
  const data = result.data as { serviceRequests: { nodes: unknown[] } | null; workOrders: unknown } | undefined;
  expect(data?.serviceRequests?.nodes).toHaveLength(3);
  expect(data?.workOrders).toBeNull();
  expect(result.errors).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.message).toMatch(/^source "contract-works": /);
  expect(error.message).toMatch(problem);
  expect(error.path).toEqual(['workOrders']);
  expect((error.originalError as { reason?: string } | undefined)?.reason).toBe(reason);
  for (const secret of ['127.0.0.1', 's3cret-T0KEN', ...secrets]) expect(error.message).not.toContain(secret);
}

describe('a REST API', () => {
  it('that answers an HTML page instead of JSON', async () => {
    const works = await api((_, response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Scheduled maintenance</html>'));
    const engine = await serve({ kind: 'rest', stored: works });
    expectOnlyWorksFailed(await engine.run(BOTH), /endpoint "wo": the API answered text\/html instead of JSON/, 'bad-data');
  });

  it('that refuses the credentials', async () => {
    const works = await api((_, response) => void response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad token"}'));
    const engine = await serve({ kind: 'rest', stored: works });
    expectOnlyWorksFailed(await engine.run(BOTH), /the API refused the credentials \(401\)/, 'unreachable');
  });

  it('that cannot be reached', async () => {
    const works = await api(() => undefined);
    await works.close();
    const engine = await serve({ kind: 'rest', stored: works });
    expectOnlyWorksFailed(await engine.run(BOTH), /cannot reach the API \(ECONNREFUSED\)/, 'unreachable');
  });
});

describe('CSV files', () => {
  it('with a row of the wrong number of fields: the file and line are named, not the row', async () => {
    const works = await store('csv', WORK_ORDERS, 'unused');
    cleanup.push(() => works.close());
    await appendFile(join(works.connection, 'wo.csv'), '1999,SR-2024-0001,OPEN,Private phone 312-555-0000\r\n');
    const engine = await serve({ kind: 'csv', stored: works });
    expectOnlyWorksFailed(await engine.run(BOTH), new RegExp(`wo.csv line ${WORK_ORDERS.rows.length + 2}: 4 fields where the header has ${WORK_ORDERS.columns.length}`), 'bad-data', ['312-555-0000']);
  });

  it('edited into a broken state while serving: the last good version keeps serving, and the source says why it is not ready', async () => {
    const works = await store('csv', WORK_ORDERS, 'unused');
    cleanup.push(() => works.close());
    const engine = await serve({ kind: 'csv', stored: works });
    const before = await engine.run(BOTH);
    expect(before.errors).toBeUndefined();
    const header = WORK_ORDERS.columns.map((column) => column.name).join(',');
    await writeFile(join(works.connection, 'wo.csv'), `${header}\r\n1,2,3\r\n`);
    const source = engine.state.sources.get('contract-works')!;
    await expect.poll(() => source.ping().then(() => 'ready', (error: Error) => error.message), { timeout: 10_000 }).toMatch(new RegExp(`wo.csv line 2: 3 fields where the header has ${WORK_ORDERS.columns.length}`));
    expect(await engine.run(BOTH)).toEqual(before);
  });
});

describe('MongoDB', () => {
  it('whose collection was dropped after the gateway started', async () => {
    const works = await store('mongodb', WORK_ORDERS, 'civicgraph_failing_wo');
    cleanup.push(() => works.close());
    const engine = await serve({ kind: 'mongodb', stored: works });
    expect((await engine.run(BOTH)).errors).toBeUndefined();
    const client = new MongoClient(works.connection);
    try {
      await client.db().collection('wo').drop();
    } finally {
      await client.close();
    }
    expectOnlyWorksFailed(await engine.run(BOTH), /collection "wo" does not exist/, 'missing-table');
  });

  it('that cannot be reached', async () => {
    const engine = await serve({ kind: 'mongodb', stored: { connection: 'mongodb://reader:s3cretPW@127.0.0.1:1/works', sourceSettings: '', nested: true, queryTimeoutMs: 1_500, close: async () => {} } });
    expectOnlyWorksFailed(await engine.run(BOTH), /cannot reach the MongoDB server/, 'unreachable', ['s3cretPW']);
  });
});

describe('positions served per place (src/privacy/place-points.ts)', () => {
  it('while a department is down at load: the other places its rows alone, and a warning names the file and field, not the connection', async () => {
    const engine = await serve({ kind: 'mongodb', stored: { connection: 'mongodb://reader:s3cretPW@127.0.0.1:1/works', sourceSettings: '', nested: true, queryTimeoutMs: 1_500, close: async () => {} } });
    const warning = engine.state.problems.find((problem) => problem.path === 'datasets.WorkOrder.fields.location');
    expect(warning?.severity).toBe('warning');
    expect(warning?.file).toMatch(/contract-works|works/);
    expect(warning?.line).toBeGreaterThan(0);
    expect(warning?.message).toMatch(/could not compute the places of public's positions: .*cannot reach the MongoDB server.*until the places are computed again/);
    expect(warning?.message).not.toContain('s3cretPW');
    const result = await engine.run('{ serviceRequests(first: 100) { nodes { address location { latitude longitude } } } }', undefined, 'public');
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as { serviceRequests: { nodes: Array<{ address: string | null; location: unknown }> } }).serviceRequests.nodes;
    expect(nodes.filter((node) => node.address !== null).length).toBeGreaterThan(10);
    for (const node of nodes) expect(node.location === null, String(node.address)).toBe(node.address === null);
  });
});

describe('a SQL database', () => {
  it('whose column changed type under a running gateway: the field and source are named, not the value', async () => {
    const works = await store('postgres', WORK_ORDERS, 'civicgraph_failing_wo');
    const engine = await serve({ kind: 'postgres', stored: works });
    expect((await engine.run(BOTH)).errors).toBeUndefined();
    const db = knex({ client: 'pg', connection: works.connection, pool: { min: 0, max: 1 } });
    try {
      await db.raw(`alter table wo alter column cost type text using 'see invoice ' || cost::text`);
    } finally {
      await db.destroy();
    }
    const result = await engine.run(BOTH);
    expect(result.errors?.[0]?.message).toBe('source "contract-works": cost holds a value that is not a valid Float');
    expect((result.data as { serviceRequests: { nodes: unknown[] } }).serviceRequests.nodes).toHaveLength(3);
  });
});
