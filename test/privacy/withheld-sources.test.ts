/**
 * Rows that hang off withheld rows, wherever the two datasets live. The contract city's work
 * orders (./gateway/contract) link to 311 requests, some of them HOMELESS cases the public may
 * not see. Served from one SQL database by one mapping, the rule runs inside the work-order
 * query (a sub-query on the requests' table); served by two mappings, from two databases or
 * from a database and a CSV file, the requests' withheld keys are looked up once per request
 * and sent with the work-order query. The answers must be the same, and the public must never
 * meet a work order of a withheld case, nor its case number.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine, type SentQuery } from '../support/engine.js';
import { SERVICE_REQUESTS, WORK_ORDERS } from '../gateway/contract/city.js';
import { openContractEngine } from '../gateway/contract/engine.js';
import { serviceRequestMapping, workOrderMapping } from '../gateway/contract/mappings.js';
import { store, storeTogether, type Kind, type Stored } from '../gateway/contract/systems.js';

/** The work orders' public rules, varied: as written, with a rule on the linked request, with withheldWith: []. */
const VARIANTS: Record<string, (mapping: string) => string> = {
  'the default (withheldWith left out)': (mapping) => mapping,
  'an exclude on the linked request': (mapping) => withPublicRows(mapping, 'exclude: { serviceRequest: { serviceCode: { eq: GRAFITI } } }'),
  'withheldWith: []': (mapping) => withPublicRows(mapping, 'withheldWith: []'),
};

function withPublicRows(mapping: string, rows: string): string {
  const anchor = '    access:\n      public:\n        minimumCellCount: 2\n';
  if (!mapping.includes(anchor)) throw new Error('the work-order mapping has no public access block to add rows to');
  return mapping.replace(anchor, `${anchor}        rows: { ${rows} }\n`);
}

const column = (table: typeof SERVICE_REQUESTS, name: string) => table.columns.findIndex((c) => c.name === name);
const caseOf = (row: readonly unknown[]) => row[column(WORK_ORDERS, 'sr_ref')] as string | null;
const codeOf = new Map(SERVICE_REQUESTS.rows.map((row) => [row[column(SERVICE_REQUESTS, 'case_no')] as string, row[column(SERVICE_REQUESTS, 'svc')] as string]));
const HOMELESS_CASES = [...codeOf].filter(([, code]) => code === 'HOMELESS').map(([id]) => id);
const ordersOf = (code: string) => WORK_ORDERS.rows.filter((row) => codeOf.get(caseOf(row) ?? '') === code).map((row) => String(row[column(WORK_ORDERS, 'wo_id')]));
const HOMELESS_ORDERS = ordersOf('HOMELESS');
const GRAFFITI_ORDERS = ordersOf('GRAFITI');

const QUERIES: Record<string, string> = {
  'every work order, with its case and the count': '{ workOrders(first: 100, orderBy: [ID_ASC]) { totalCount nodes { id serviceRequestId status } } }',
  'one work order of a withheld case, by id': `{ workOrder(id: "${HOMELESS_ORDERS[0]}") { id serviceRequestId } }`,
  'statistics by status, and in all': '{ byStatus: workOrderStats(groupBy: [STATUS]) { key { status } count suppressed sum { cost } } all: workOrderStats { count max { createdAt } } }',
  'work orders filtered by status': '{ workOrders(filter: { status: { in: [OPEN, COMPLETED] } }) { totalCount } }',
};

/** Only where the key is served as stored: with withheldWith: [] nothing compares it, joins on it in either direction included. */
const RAW_KEY_QUERIES: Record<string, string> = {
  'each visible request with its work orders': '{ serviceRequests(first: 100, orderBy: [ID_ASC]) { nodes { id workOrders(orderBy: [ID_ASC]) { id } } } }',
  'work orders of the withheld cases, by case number': `{ workOrders(filter: { serviceRequestId: { in: ${JSON.stringify(HOMELESS_CASES)} } }) { totalCount nodes { id } } }`,
  'statistics by case number': '{ workOrderStats(groupBy: [SERVICE_REQUEST_ID]) { key { serviceRequestId } count suppressed } }',
  'each work order with its request': '{ workOrders(first: 100, orderBy: [ID_ASC]) { nodes { id serviceRequest { id serviceCode } } } }',
};

type Setup = 'one SQL source (PostgreSQL)' | 'one SQL source (MariaDB)' | 'two PostgreSQL sources' | 'MariaDB and a CSV file';
const SETUPS: Setup[] = ['one SQL source (PostgreSQL)', 'one SQL source (MariaDB)', 'two PostgreSQL sources', 'MariaDB and a CSV file'];

const stores: Stored[] = [];
const dirs: string[] = [];
const engines = new Map<string, Engine>();

/** One mapping file with both datasets, on one database holding both tables. */
async function oneSource(kind: 'postgres' | 'mysql', variant: (mapping: string) => string): Promise<Engine> {
  const stored = await storeTogether(kind, [SERVICE_REQUESTS, WORK_ORDERS], `civicgraph_withheld_${kind}_${stores.length}`);
  stores.push(stored);
  const requests = serviceRequestMapping(kind, stored);
  const works = variant(workOrderMapping(kind, stored));
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-withheld-'));
  dirs.push(dir);
  await copyFile('connectors/roles.yaml', join(dir, 'roles.yaml'));
  await writeFile(join(dir, 'contract-city.yaml'), `${requests}${works.slice(works.indexOf('datasets:\n') + 'datasets:\n'.length)}`);
  return openEngine({ CONTRACT_311_URL: stored.connection }, dir);
}

async function twoSources(requestsKind: Kind, worksKind: Kind, variant: (mapping: string) => string): Promise<Engine> {
  const requests = await store(requestsKind, SERVICE_REQUESTS, `civicgraph_withheld_sr_${stores.length}`);
  const works = await store(worksKind, WORK_ORDERS, `civicgraph_withheld_wo_${stores.length}`);
  stores.push(requests, works);
  const { engine, dir } = await openContractEngine({ kind: requestsKind, stored: requests }, { kind: worksKind, stored: works });
  dirs.push(dir);
  // The variant changes the work-order mapping; write it over the one the contract engine wrote, and reload.
  const changed = variant(workOrderMapping(worksKind, works));
  if (changed === workOrderMapping(worksKind, works)) return engine;
  await engine.close();
  await writeFile(join(dir, 'contract-works.yaml'), changed);
  return openEngine({ CONTRACT_311_URL: requests.connection, CONTRACT_WORKS_URL: works.connection }, dir);
}

function open(setup: Setup, variant: (mapping: string) => string): Promise<Engine> {
  switch (setup) {
    case 'one SQL source (PostgreSQL)':
      return oneSource('postgres', variant);
    case 'one SQL source (MariaDB)':
      return oneSource('mysql', variant);
    case 'two PostgreSQL sources':
      return twoSources('postgres', 'postgres', variant);
    case 'MariaDB and a CSV file':
      return twoSources('mysql', 'csv', variant);
  }
}

async function run(engine: Engine, query: string, role = 'public'): Promise<ExecutionResult> {
  return JSON.parse(JSON.stringify(await engine.run(query, undefined, role))) as ExecutionResult;
}

beforeAll(async () => {
  for (const [variant, change] of Object.entries(VARIANTS)) {
    for (const setup of SETUPS) engines.set(`${variant}|${setup}`, await open(setup, change));
  }
}, 300_000);

afterAll(async () => {
  await Promise.all([...engines.values()].map((engine) => engine.close()));
  await Promise.all(stores.map((stored) => stored.close()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

it('the city has work orders of HOMELESS cases, which staff see', async () => {
  expect(HOMELESS_ORDERS.length).toBeGreaterThan(1);
  expect(GRAFFITI_ORDERS.length).toBeGreaterThan(1);
  const staff = await run(engines.get(`the default (withheldWith left out)|two PostgreSQL sources`)!, QUERIES['every work order, with its case and the count']!, 'staff');
  const ids = (staff.data as { workOrders: { nodes: Array<{ id: string }> } }).workOrders.nodes.map((node) => node.id);
  expect(ids).toEqual(expect.arrayContaining(HOMELESS_ORDERS));
});

describe.each(Object.keys(VARIANTS))('%s', (variant) => {
  const engineFor = (setup: Setup) => engines.get(`${variant}|${setup}`)!;
  const queries = variant === 'withheldWith: []' ? QUERIES : { ...QUERIES, ...RAW_KEY_QUERIES };

  it.each(Object.keys(queries))('gives the same public answer from one source and from two: %s', async (name) => {
    const answers = await Promise.all(SETUPS.map(async (setup) => [setup, await run(engineFor(setup), queries[name]!)] as const));
    const [, reference] = answers[0]!;
    expect(reference.errors, JSON.stringify(reference.errors)).toBeUndefined();
    for (const [setup, answer] of answers.slice(1)) expect(answer, setup).toEqual(reference);
  });

  it('never shows the public a withheld case number', async () => {
    for (const name of Object.keys(queries)) {
      const text = JSON.stringify(await run(engineFor('two PostgreSQL sources'), queries[name]!));
      for (const caseNo of HOMELESS_CASES) expect(text, name).not.toContain(`"${caseNo}"`);
    }
  });
});

describe('what each variant serves the public', () => {
  const listed = async (variant: string) => {
    const answer = await run(engines.get(`${variant}|two PostgreSQL sources`)!, QUERIES['every work order, with its case and the count']!);
    return (answer.data as { workOrders: { totalCount: number; nodes: Array<{ id: string; serviceRequestId: string | null }> } }).workOrders;
  };

  it('by default, withholds the work orders of withheld cases, from lists and counts alike', async () => {
    const { totalCount, nodes } = await listed('the default (withheldWith left out)');
    expect(nodes.map((node) => node.id)).not.toEqual(expect.arrayContaining([HOMELESS_ORDERS[0]]));
    expect(nodes.filter((node) => HOMELESS_ORDERS.includes(node.id))).toEqual([]);
    expect(totalCount).toBe(WORK_ORDERS.rows.length - HOMELESS_ORDERS.length);
  });

  it('with an exclude on the linked request, withholds those work orders too', async () => {
    const { totalCount, nodes } = await listed('an exclude on the linked request');
    expect(nodes.filter((node) => HOMELESS_ORDERS.includes(node.id) || GRAFFITI_ORDERS.includes(node.id))).toEqual([]);
    expect(totalCount).toBe(WORK_ORDERS.rows.length - HOMELESS_ORDERS.length - GRAFFITI_ORDERS.length);
  });

  it('with withheldWith: [], serves them with a null key, offered to no filter, grouping or join', async () => {
    const { totalCount, nodes } = await listed('withheldWith: []');
    expect(totalCount).toBe(WORK_ORDERS.rows.length);
    const homeless = nodes.filter((node) => HOMELESS_ORDERS.includes(node.id));
    expect(homeless.length).toBe(HOMELESS_ORDERS.length);
    expect(homeless.every((node) => node.serviceRequestId === null)).toBe(true);
    expect(nodes.filter((node) => node.serviceRequestId !== null).length).toBeGreaterThan(10);
    const engine = engines.get('withheldWith: []|one SQL source (PostgreSQL)')!;
    for (const query of Object.values(RAW_KEY_QUERIES)) expect((await run(engine, query)).errors?.length, query).toBeGreaterThan(0);
  });
});

describe('where the rule runs', () => {
  const workOrderQueries = (sent: SentQuery[]) => sent.filter((query) => query.query.table === 'wo' || query.query.table === 'wo.csv');
  const lookups = (sent: SentQuery[]) => sent.filter((query) => query.query.table === 'sr' && query.method === 'find');

  it('inside the work-order query where both datasets share one SQL source', async () => {
    for (const setup of ['one SQL source (PostgreSQL)', 'one SQL source (MariaDB)'] as const) {
      const engine = engines.get(`the default (withheldWith left out)|${setup}`)!;
      engine.sent.length = 0;
      await run(engine, QUERIES['statistics by status, and in all']!);
      expect(lookups(engine.sent), setup).toEqual([]);
      expect(workOrderQueries(engine.sent).length).toBe(2);
      for (const query of workOrderQueries(engine.sent)) expect(JSON.stringify(query.query.where)).toContain('"kind":"related"');
    }
  });

  it('as one look-up of the withheld keys per request where they live apart', async () => {
    for (const setup of ['two PostgreSQL sources', 'MariaDB and a CSV file'] as const) {
      const engine = engines.get(`the default (withheldWith left out)|${setup}`)!;
      engine.sent.length = 0;
      await run(engine, '{ byStatus: workOrderStats(groupBy: [STATUS]) { count } all: workOrderStats { count } workOrders(first: 3) { totalCount nodes { id } } }');
      expect(lookups(engine.sent), setup).toHaveLength(1);
      expect(workOrderQueries(engine.sent).length).toBe(4);
      for (const query of workOrderQueries(engine.sent)) expect(JSON.stringify(query.query.where)).not.toContain('"kind":"related"');
    }
  });
});
