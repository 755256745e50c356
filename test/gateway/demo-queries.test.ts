/**
 * The demo's three departmental systems queried through the engine, on embedded PGlite
 * and on the real PostgreSQL server. Every answer is checked against SQL written by hand
 * over the PostgreSQL copy of the (deterministic) demo data.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoKind } from '../support/demo.js';
import { openDemoEngines, type DemoTruth, type Engine } from '../support/engine.js';

let truth: DemoTruth;
let engines: Map<DemoKind, Engine>;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ truth, engines, close } = await openDemoEngines('e2e'));
});

afterAll(async () => {
  await close?.();
});

async function count(db: Knex, sql: string, bindings: unknown[] = []): Promise<number> {
  const result = await db.raw(`SELECT count(*)::int AS n FROM ${sql}`, bindings as Knex.RawBinding[]);
  return result.rows[0].n;
}

async function data(engine: Engine, query: string, variables?: Record<string, unknown>): Promise<any> {
  const result = await engine.run(query, variables);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data;
}

describe.each(['pglite', 'postgres'] as const)('the demo on %s', (kind) => {
  const engine = () => engines.get(kind)!;

  it('serves every dataset of the three systems', () => {
    expect(engine().state.datasets.map((dataset) => dataset.type.name)).toEqual(['Permit', 'ServiceRequest', 'WorkOrder']);
    expect(engine().state.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  });

  it('counts rows through a code map: status OPEN is the CRM codes N, O and IP', async () => {
    const result = await data(engine(), '{ serviceRequests(filter: { status: { eq: OPEN } }) { totalCount } }');
    const expected = await count(truth.crm, `"SR_CASE" WHERE "STATUS_CD" IN ('N', 'O', 'IP')`);
    expect(expected).toBeGreaterThan(0);
    expect(result.serviceRequests.totalCount).toBe(expected);
  });

  it('matches text inside code maps case-insensitively', async () => {
    // "TREE " and not "TREE": "Street Light Out" contains "tree" too.
    const result = await data(engine(), '{ serviceRequests(filter: { serviceName: { contains: "TREE " } }) { totalCount nodes { serviceName } } }');
    expect(result.serviceRequests.totalCount).toBe(await count(truth.crm, `"SR_CASE" WHERE "SR_TYPE_CD" IN ('TREETRIM', 'TREEDEB')`));
    expect(new Set(result.serviceRequests.nodes.map((node: { serviceName: string }) => node.serviceName))).toEqual(new Set(['Tree Trim Request', 'Tree Debris']));
  });

  it('filters instants in the source’s own time zone', async () => {
    const result = await data(
      engine(),
      '{ serviceRequests(filter: { requestedAt: { gte: "2023-01-01T00:00:00-06:00", lt: "2023-02-01T06:00:00Z" } }) { totalCount } }',
    );
    const expected = await count(truth.crm, `"SR_CASE" WHERE "CREATED_DT" >= '2023-01-01 00:00:00' AND "CREATED_DT" < '2023-02-01 00:00:00'`);
    expect(expected).toBeGreaterThan(0);
    expect(result.serviceRequests.totalCount).toBe(expected);
  });

  it('publishes local date-times as instants with an offset', async () => {
    const [row] = (await truth.crm.raw(`SELECT "CASE_NO", ("CREATED_DT" AT TIME ZONE 'America/Chicago') AS at FROM "SR_CASE" ORDER BY "CASE_NO" LIMIT 1`)).rows;
    const result = await data(engine(), 'query ($id: ID!) { serviceRequest(id: $id) { id requestedAt } }', { id: row.CASE_NO });
    expect(result.serviceRequest).toEqual({ id: row.CASE_NO, requestedAt: new Date(row.at).toISOString() });
  });

  it('combines and, or and not', async () => {
    const result = await data(
      engine(),
      `{ serviceRequests(filter: {
          or: [{ serviceCode: { eq: "PTHOLE" } }, { serviceCode: { eq: "GRAFITI" } }]
          not: { status: { eq: CLOSED } }
          zipcode: { isNull: false }
        }) { totalCount } }`,
    );
    const expected = await count(
      truth.crm,
      `"SR_CASE" WHERE "SR_TYPE_CD" IN ('PTHOLE', 'GRAFITI') AND "STATUS_CD" NOT IN ('C', 'X', 'D') AND "ZIP_CD" IS NOT NULL`,
    );
    expect(expected).toBeGreaterThan(0);
    expect(result.serviceRequests.totalCount).toBe(expected);
  });

  it('pages through a sorted list with cursors, without skipping or repeating a row', async () => {
    const filter = '{ serviceCode: { eq: "PTHOLE" } }';
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: any = await data(
        engine(),
        `query ($after: String) { serviceRequests(filter: ${filter}, orderBy: [REQUESTED_AT_DESC], first: 25, after: $after) {
           edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
        { after },
      );
      const page = result.serviceRequests;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      ids.push(...page.edges.map((edge: { node: { id: string } }) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const expected = (await truth.crm.raw(`SELECT "CASE_NO" FROM "SR_CASE" WHERE "SR_TYPE_CD" = 'PTHOLE' ORDER BY "CREATED_DT" DESC, "CASE_NO"`)).rows.map(
      (row: { CASE_NO: string }) => row.CASE_NO,
    );
    expect(expected.length).toBeGreaterThan(25);
    expect(ids).toEqual(expected);
  });

  it('sorts a coded field by its public value, with several keys', async () => {
    const result = await data(engine(), '{ serviceRequests(orderBy: [STATUS_DESCRIPTION_ASC, ID_DESC], first: 1000) { nodes { id statusDescription } } }');
    const expected = (
      await truth.crm.raw(`SELECT "CASE_NO" FROM "SR_CASE" ORDER BY CASE "STATUS_CD" WHEN 'N' THEN 'New' WHEN 'O' THEN 'Open' WHEN 'IP' THEN 'In progress'
        WHEN 'C' THEN 'Completed' WHEN 'X' THEN 'Cancelled' WHEN 'D' THEN 'Duplicate' END, "CASE_NO" DESC LIMIT 1000`)
    ).rows.map((row: { CASE_NO: string }) => row.CASE_NO);
    expect(result.serviceRequests.nodes.map((node: { id: string }) => node.id)).toEqual(expected);
  });

  it('finds by id, including keys the source stores as numbers, and answers null for none', async () => {
    const [order] = (await truth.works.raw('SELECT workorderid, worktype FROM workorder ORDER BY workorderid LIMIT 1')).rows;
    const result = await data(
      engine(),
      `query ($id: ID!) { found: workOrder(id: $id) { id workType } missing: workOrder(id: "no-such-order") { id } none: serviceRequest(id: "SR-00-00000000") { id } }`,
      { id: String(order.workorderid) },
    );
    expect(result).toEqual({ found: { id: String(order.workorderid), workType: order.worktype }, missing: null, none: null });
  });

  it('filters on an expression: the work orders of one 311 case', async () => {
    const [ref] = (await truth.works.raw(`SELECT srnumber FROM workorder WHERE srnumber IS NOT NULL ORDER BY workorderid LIMIT 1`)).rows;
    const [year, sequence] = String(ref.srnumber).split('-');
    const caseNumber = `SR-${year}-${sequence!.padStart(8, '0')}`;
    const result = await data(engine(), 'query ($id: ID!) { workOrders(filter: { serviceRequestId: { eq: $id } }) { totalCount nodes { serviceRequestId } } }', { id: caseNumber });
    expect(result.workOrders.totalCount).toBe(await count(truth.works, 'workorder WHERE srnumber = ?', [ref.srnumber]));
    expect(result.workOrders.nodes.every((node: { serviceRequestId: string }) => node.serviceRequestId === caseNumber)).toBe(true);
  });

  it('filters permits on dates, amounts and an address built from parts', async () => {
    const result = await data(
      engine(),
      `{ permits(filter: { appliedDate: { gte: "2022-01-01" }, estProjectCost: { gte: 50000 }, originalAddress1: { contains: " n " } }) {
          totalCount nodes { appliedDate estProjectCost originalAddress1 } } }`,
    );
    const expected = await count(
      truth.permits,
      `"B1PERMIT" WHERE "B1_FILE_DD" >= '2022-01-01' AND "VALUATION" >= 50000 AND CONCAT_WS(' ', "B1_HSE_NBR", "B1_STR_DIR", "B1_STR_NAME", "B1_STR_SUFFIX") ILIKE '% N %'`,
    );
    expect(expected).toBeGreaterThan(0);
    expect(result.permits.totalCount).toBe(expected);
    for (const node of result.permits.nodes) {
      expect(node.appliedDate >= '2022-01-01').toBe(true);
      expect(node.estProjectCost).toBeGreaterThanOrEqual(50000);
      expect(node.originalAddress1).toMatch(/ N /);
    }
  });

  it('filters an enum with `in`', async () => {
    const result = await data(engine(), '{ permits(filter: { permitTypeMapped: { in: [ROOF, FENCE] } }) { totalCount } }');
    expect(result.permits.totalCount).toBe(await count(truth.permits, `"B1PERMIT" WHERE "B1_PER_SUB_TYPE" IN ('Roofing', 'Fence')`));
  });

  it('publishes a legacy integer ZIP code as text and a position as a Location', async () => {
    const [row] = (await truth.crm.raw(`SELECT "CASE_NO", "ZIP_CD", "LAT_NUM", "LON_NUM" FROM "SR_CASE" WHERE "ZIP_CD" IS NOT NULL AND "LAT_NUM" IS NOT NULL LIMIT 1`)).rows;
    const result = await data(engine(), 'query ($id: ID!) { serviceRequest(id: $id) { zipcode location { latitude longitude } } }', { id: row.CASE_NO });
    expect(result.serviceRequest).toEqual({ zipcode: String(row.ZIP_CD), location: { latitude: Number(row.LAT_NUM), longitude: Number(row.LON_NUM) } });
  });
});

describe('what the engine sends to the sources', () => {
  const engine = () => engines.get('postgres')!;

  it('pushes filter, order and page into one query and reads one row beyond the page', async () => {
    engine().sent.length = 0;
    await data(engine(), '{ serviceRequests(filter: { serviceName: { contains: "tree " } }, orderBy: [REQUESTED_AT_DESC], first: 10) { nodes { id serviceName } } }');
    expect(engine().sent).toHaveLength(1);
    const [sent] = engine().sent;
    expect(sent).toMatchObject({ source: 'crm-311', method: 'find', rows: 11, query: { limit: 11, offset: 0 } });
    expect(sent!.query.where).toEqual({ kind: 'compare', ref: { column: 'SR_TYPE_CD' }, op: 'in', value: ['TREETRIM', 'TREEDEB'] });
    expect(sent!.query.orderBy).toEqual([
      { ref: { column: 'CREATED_DT' }, direction: 'desc' },
      { ref: { column: 'CASE_NO' }, direction: 'asc' },
    ]);
  });

  it('reads only the columns the query selects, plus the key', async () => {
    engine().sent.length = 0;
    await data(engine(), '{ serviceRequests(first: 3) { edges { node { ...f } } } } fragment f on ServiceRequest { alias: address location { latitude } }');
    type Ref = { column: string } | { normalize: string; of: Ref };
    const column = (ref: Ref): string => ('column' in ref ? ref.column : column(ref.of));
    const columns = Object.values(engine().sent[0]!.query.select as Record<string, Ref>).map(column);
    expect(columns.sort()).toEqual(['ADDR_LINE', 'CASE_NO', 'LAT_NUM', 'LON_NUM']);
  });

  it('counts only when totalCount is selected', async () => {
    engine().sent.length = 0;
    await data(engine(), '{ serviceRequests(first: 1) { nodes { id } } }');
    expect(engine().sent.map((sent) => sent.method)).toEqual(['find']);
    engine().sent.length = 0;
    await data(engine(), '{ serviceRequests(first: 0) { totalCount } }');
    expect(engine().sent.map((sent) => sent.method)).toEqual(['count']);
  });

  it('batches by-id look-ups of one request into one query per source', async () => {
    const ids = (await truth.crm.raw(`SELECT "CASE_NO" FROM "SR_CASE" ORDER BY "CASE_NO" LIMIT 5`)).rows.map((row: { CASE_NO: string }) => row.CASE_NO);
    engine().sent.length = 0;
    const query = `{ ${ids.map((id: string, index: number) => `r${index}: serviceRequest(id: "${id}") { id status }`).join(' ')} w: workOrder(id: "1") { id } }`;
    const result = await data(engine(), query);
    expect(Object.values(result).filter(Boolean).map((row: any) => row.id).slice(0, 5)).toEqual(ids);
    expect(engine().sent.map((sent) => `${sent.source}:${sent.method}`).sort()).toEqual(['crm-311:findByKeys', 'public-works:findByKeys']);
  });
});

describe('bad input', () => {
  const engine = () => engines.get('pglite')!;

  it.each([
    ['{ serviceRequests(first: 1001) { totalCount } }', 'first: at most 1000 rows per page'],
    ['{ serviceRequests(after: "bm90LWEtY3Vyc29y") { totalCount } }', 'after: not a cursor this API issued'],
    ['{ serviceRequests(filter: { zipcode: { contains: "46" } }) { totalCount } }', 'filter.zipcode.contains: text matching is not available on zipcode'],
    ['{ serviceRequests(filter: { requestedAt: { gt: "2024-01-01" } }) { totalCount } }', 'DateTime must be an ISO 8601 string with a time-zone offset'],
    ['{ permits(filter: { appliedDate: { gt: "2024-02-30" } }) { totalCount } }', 'Date must be a calendar date'],
    ['{ serviceRequests(filter: { status: { eq: PENDING } }) { totalCount } }', 'Value "PENDING" does not exist in "ServiceRequestStatus" enum'],
  ])('%s is refused: %s', async (query, message) => {
    const result = await engine().run(query);
    expect(result.errors?.map((error) => error.message).join('\n')).toContain(message);
    expect(result.data?.serviceRequests ?? result.data?.permits ?? null).toBeNull();
  });

  it('refuses a cursor replayed against another filter', async () => {
    const first = await data(engine(), '{ serviceRequests(filter: { status: { eq: OPEN } }, first: 1) { pageInfo { endCursor } } }');
    const result = await engine().run(`{ serviceRequests(filter: { status: { eq: CLOSED } }, after: "${first.serviceRequests.pageInfo.endCursor}") { totalCount } }`);
    expect(result.errors?.[0]?.message).toBe('after: this cursor belongs to a query with another filter or order');
  });
});
