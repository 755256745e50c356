/**
 * Runtime budgets through the gateway as it serves (Gateway → SourcePool, every source
 * wrapped once): a request past its deadline answers with what was ready and a
 * DEADLINE_EXCEEDED error, and the statement it left is cancelled on the server, not left
 * running; a request that reads more rows than it may, across all its levels, gets
 * ROW_BUDGET_EXCEEDED. Requests are run with a budget in their context the way the HTTP endpoint runs them.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphql, parse, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/gateway/gateway.js';
import type { Caller } from '../../src/request/authenticate.js';
import { RequestBudget, type BudgetLimits } from '../../src/plan/budget.js';
import { newRequestContext } from '../../src/request/context.js';
import { formatError } from '../../src/request/errors.js';
import { jitGateway } from '../../src/request/jit-executor.js';
import { MYSQL_URL, withDatabase, withKnex } from '../support/servers.js';
import { SERVICE_REQUESTS, WORK_ORDERS, type Table } from './contract/city.js';
import type { Department } from './contract/engine.js';
import { serviceRequestMapping, workOrderMapping } from './contract/mappings.js';
import { store, type Stored } from './contract/systems.js';

const STAFF: Caller = { role: 'staff', baseRole: 'staff', kind: 'jwt', subject: 'test' };

interface Served {
  gateway: Gateway;
  /** Runs a query as staff, inside a budget when limits are given (as the endpoint does), else with none. */
  run(query: string, limits?: BudgetLimits): Promise<ExecutionResult>;
}

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of cleanup.reverse()) await close();
});

async function serve(requests: Department, works: Department): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-budget-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await copyFile('connectors/roles.yaml', join(dir, 'roles.yaml'));
  await writeFile(join(dir, 'contract-311.yaml'), serviceRequestMapping(requests.kind, requests.stored));
  await writeFile(join(dir, 'contract-works.yaml'), workOrderMapping(works.kind, works.stored));
  const gateway = await Gateway.open({
    connectorsDir: dir,
    schemasDir: 'schemas',
    log: () => undefined,
    env: { CONTRACT_311_URL: requests.stored.connection, CONTRACT_WORKS_URL: works.stored.connection },
  });
  cleanup.push(() => gateway.close());
  const schema = gateway.schemas.get('staff')!;
  return {
    gateway,
    run: (query, limits) => {
      const budget = limits && new RequestBudget({ ...limits, role: 'staff' });
      return graphql({ schema, source: query, contextValue: newRequestContext(STAFF, { budget }) }).finally(() => budget?.end());
    },
  };
}

async function stored(kind: Department['kind'], table: Table, database: string): Promise<Department> {
  const copy = await store(kind, table, database);
  cleanup.push(() => copy.close());
  return { kind, stored: copy };
}

const pad = (n: number) => String(n).padStart(4, '0');

/** The contract's service requests, copied round to `count` rows with ids SR-2024-0001 … */
function manyRequests(count: number): Table {
  const rows = Array.from({ length: count }, (_, i) => [`SR-2024-${pad(i + 1)}`, ...SERVICE_REQUESTS.rows[i % SERVICE_REQUESTS.rows.length]!.slice(1)]);
  return { ...SERVICE_REQUESTS, rows };
}

/** The contract's work orders, copied round to `count` rows, each for one of the first 40 requests. */
function manyWorkOrders(count: number): Table {
  const rows = Array.from({ length: count }, (_, i) => [1001 + i, `SR-2024-${pad(1 + (i % 40))}`, ...WORK_ORDERS.rows[i % WORK_ORDERS.rows.length]!.slice(2)]);
  return { ...WORK_ORDERS, rows };
}

const BOTH = '{ serviceRequests(first: 3, orderBy: [ID_ASC]) { nodes { id } } workOrders(first: 3, orderBy: [ID_ASC]) { nodes { id } } }';
const HALF_SECOND = { deadlineMs: 500, maxRows: 100_000 };

let requests: Department;
beforeAll(async () => {
  requests = await stored('postgres', manyRequests(700), 'civicgraph_budget_sr');
});

/** The 311 department answered; work orders are null with one DEADLINE_EXCEEDED error and nothing of the source's own failure. */
function expectWorksPastDeadline(result: ExecutionResult): void {
  const data = result.data as { serviceRequests: { nodes: unknown[] } | null; workOrders: unknown };
  expect(data.serviceRequests?.nodes).toHaveLength(3);
  expect(data.workOrders).toBeNull();
  expect(result.errors).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.message).toBe('the request ran past its deadline of 0.5 s for role staff; the fields answered before it are returned');
  expect(error.path).toEqual(['workOrders']);
  expect(error.extensions).toMatchObject({ code: 'DEADLINE_EXCEEDED', limit: 500 });
  expect(error.extensions.measured).toBeGreaterThanOrEqual(500);
}

describe('a request past its deadline', () => {
  it('on PostgreSQL: answers in time with what was ready, and cancels the statement it left', async () => {
    const works = await stored('postgres', WORK_ORDERS, 'civicgraph_budget_slow_wo');
    // The mapped table becomes a view that takes five seconds to read.
    await withKnex('pg', works.stored.connection, async (db) => {
      await db.raw('alter table wo rename to wo_data');
      await db.raw('create view wo as select wo_data.* from wo_data cross join pg_sleep(5)');
    });
    const running = () =>
      withKnex('pg', works.stored.connection, async (db) => {
        const { rows } = await db.raw<{ rows: Array<{ n: number }> }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()",
        );
        return rows[0]!.n;
      });
    const { run, gateway } = await serve(requests, works);

    const started = Date.now();
    const answer = run(BOTH, HALF_SECOND);
    await expect.poll(running, { timeout: 450, interval: 50 }).toBe(1);
    expectWorksPastDeadline(await answer);
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect.poll(running, { timeout: 2_000, interval: 100 }).toBe(0);
    // The source's metrics tell a stopped query from a slow source.
    await expect
      .poll(() => gateway.metrics.registry.getSingleMetricAsString('civicgraph_source_errors_total'), { timeout: 2_000 })
      .toContain('civicgraph_source_errors_total{source="contract-works",reason="deadline"} 1');
  });

  it('on MariaDB: answers in time with what was ready, and kills the statement it left', async () => {
    const works = await stored('mysql', WORK_ORDERS, 'civicgraph_budget_slow_wo');
    await withKnex('mysql2', works.stored.connection, async (db) => {
      await db.raw('rename table wo to wo_data');
      await db.raw('create view wo as select wo_data.* from wo_data cross join (select sleep(5) as z) as slow');
    });
    const running = () =>
      withKnex('mysql2', withDatabase(MYSQL_URL, 'information_schema'), async (db) => {
        const [rows] = await db.raw<[Array<{ n: number }>, unknown]>(
          "select count(*) as n from PROCESSLIST where DB = 'civicgraph_budget_slow_wo' and COMMAND = 'Query' and ID <> connection_id()",
        );
        return Number(rows[0]!.n);
      });
    const { run } = await serve(requests, works);

    const started = Date.now();
    const answer = run(BOTH, HALF_SECOND);
    await expect.poll(running, { timeout: 450, interval: 50 }).toBe(1);
    expectWorksPastDeadline(await answer);
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect.poll(running, { timeout: 2_000, interval: 100 }).toBe(0);
  });

  it('on a REST API that stops answering: hangs up at the deadline', async () => {
    let hanging = false;
    const abandoned: number[] = [];
    const server = createServer((_, response: ServerResponse) => {
      // Startup describes the endpoint from its first page; queries after that get no answer.
      if (!hanging) return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
      response.on('close', () => abandoned.push(Date.now()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const api: Stored = {
      connection: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      sourceSettings: ['  rest:', '    records: data', '    pagination: { style: offset, size: 7 }', '    retries: 0'].join('\n'),
      nested: true,
      close: async () => {},
    };
    const { run } = await serve(requests, { kind: 'rest', stored: api });
    hanging = true;

    const started = Date.now();
    expectWorksPastDeadline(await run(BOTH, HALF_SECOND));
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect.poll(() => abandoned.length, { timeout: 1_000 }).toBe(1);
    expect(abandoned[0]!).toBeLessThan(started + 1_500);
  });
});

describe('a request that reads more rows than it may', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(requests, await stored('postgres', manyWorkOrders(1_200), 'civicgraph_budget_wo'));
  });

  const TWO_LISTS = '{ serviceRequests(first: 600, orderBy: [ID_ASC]) { nodes { id } } workOrders(first: 600, orderBy: [ID_ASC]) { nodes { id } } }';
  const JOINED = '{ serviceRequests(first: 40, orderBy: [ID_ASC]) { nodes { id workOrders(first: 100) { id } } } }';

  it('answers the lists read within the budget and fails the one that went over with ROW_BUDGET_EXCEEDED', async () => {
    const result = await served.run(TWO_LISTS, { deadlineMs: 60_000, maxRows: 1_000 });
    const data = result.data as Record<'serviceRequests' | 'workOrders', { nodes: unknown[] } | null>;
    const answered = Object.values(data).filter((list) => list !== null);
    expect(answered).toHaveLength(1);
    expect(answered[0]!.nodes).toHaveLength(600);
    expect(result.errors).toHaveLength(1);
    const error = result.errors![0]!;
    // Each list reads one row more than it shows, to tell whether another page follows.
    expect(error.message).toBe('this request read 1,202 rows, more than the 1,000 its role may read; ask for fewer rows (first) or fewer joined levels');
    expect(error.extensions).toEqual({ code: 'ROW_BUDGET_EXCEEDED', limit: 1_000, measured: 1_202 });
  });

  it('counts the rows of joined levels too', async () => {
    const within = await served.run(JOINED, { deadlineMs: 60_000, maxRows: 1_241 });
    expect(within.errors).toBeUndefined();
    const nodes = (within.data as { serviceRequests: { nodes: Array<{ workOrders: unknown[] }> } }).serviceRequests.nodes;
    expect(nodes.flatMap((node) => node.workOrders)).toHaveLength(1_200);

    const over = await served.run(JOINED, { deadlineMs: 60_000, maxRows: 1_000 });
    expect(over.errors?.length).toBeGreaterThan(0);
    for (const error of over.errors!) {
      expect(error.extensions).toEqual({ code: 'ROW_BUDGET_EXCEEDED', limit: 1_000, measured: 1_241 });
      expect(error.path).toContain('workOrders');
    }
  });

  it('keeps the error code and figures through compiled execution and error formatting, as the endpoint serves it', async () => {
    const { executor } = await jitGateway(served.gateway.schemas.get('staff')!).load({ apollo: { graphRef: 'unused' } } as never);
    const budget = new RequestBudget({ deadlineMs: 60_000, maxRows: 1_000 });
    const request = { document: parse(TWO_LISTS), operationName: null, queryHash: 'budget-two-lists', context: newRequestContext(STAFF, { budget }), request: { variables: {} } };
    const result = await executor!(request as never).finally(() => budget.end());
    const formatted = ((result as ExecutionResult).errors ?? []).map((error): GraphQLFormattedError => formatError(error.toJSON(), error, 'staff', () => undefined));
    expect(formatted).toHaveLength(1);
    expect(formatted[0]!.extensions).toEqual({ code: 'ROW_BUDGET_EXCEEDED', limit: 1_000, measured: 1_202 });
  });

  it('without a budget, reads as much as it asks for', async () => {
    const result = await served.run(TWO_LISTS);
    expect(result.errors).toBeUndefined();
    const data = result.data as Record<'serviceRequests' | 'workOrders', { nodes: unknown[] }>;
    expect(data.serviceRequests.nodes).toHaveLength(600);
    expect(data.workOrders.nodes).toHaveLength(600);
  });
});
