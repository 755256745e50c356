/**
 * Cross-department joins, the address entry point and statistics over the demo, on PGlite
 * and on the real PostgreSQL server; answers checked against SQL written by hand over the
 * PostgreSQL copy, and the number of source queries checked through a recording source.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS_STEPS, normalizeAddress } from '../../src/source/address.js';
import type { DemoKind } from '../support/demo.js';
import { openDemoEngines, type DemoTruth, type Engine } from '../support/engine.js';

let truth: DemoTruth;
let engines: Map<DemoKind, Engine>;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ truth, engines, close } = await openDemoEngines('joins'));
});

afterAll(async () => {
  await close?.();
});

async function data(engine: Engine, query: string, variables?: Record<string, unknown>): Promise<any> {
  const result = await engine.run(query, variables);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data;
}

/** The SQL spelling of the address normalisation, to check the engine against by hand. */
function normalizedSql(column: string): string {
  let sql = `UPPER(CONCAT(' ', ${column}, ' '))`;
  for (const [from, to] of ADDRESS_STEPS) sql = `REPLACE(${sql}, '${from}', '${to}')`;
  return `TRIM(${sql})`;
}

const shortReference = (caseNumber: string) => {
  const [, year, sequence] = caseNumber.split('-');
  return `${year}-${Number(sequence)}`;
};

describe.each(['pglite', 'postgres'] as const)('joins on %s', (kind) => {
  const engine = () => engines.get(kind)!;

  it('follows ServiceRequest.workOrders across departments, in the work-order system’s own key format', async () => {
    const result = await data(engine(), '{ serviceRequests(first: 200, orderBy: [ID_ASC]) { nodes { id workOrders { id serviceRequestId } } } }');
    const requests: Array<{ id: string; workOrders: Array<{ id: string; serviceRequestId: string }> }> = result.serviceRequests.nodes;
    const rows = (await truth.works.raw('SELECT workorderid, srnumber FROM workorder WHERE srnumber = ANY(?) ORDER BY workorderid', [requests.map((request) => shortReference(request.id))])).rows;
    expect(rows.length).toBeGreaterThan(10);
    for (const request of requests) {
      const expected = rows.filter((row: { srnumber: string }) => row.srnumber === shortReference(request.id)).map((row: { workorderid: number }) => String(row.workorderid));
      expect(request.workOrders.map((order) => order.id)).toEqual(expected);
      expect(request.workOrders.every((order) => order.serviceRequestId === request.id)).toBe(true);
    }
  });

  it('follows WorkOrder.serviceRequest back, and answers null for planned work', async () => {
    const result = await data(engine(), '{ workOrders(first: 100, orderBy: [ID_ASC]) { nodes { id serviceRequestId serviceRequest { id serviceCode } } } }');
    const orders: Array<{ serviceRequestId: string | null; serviceRequest: { id: string } | null }> = result.workOrders.nodes;
    expect(orders.some((order) => order.serviceRequestId === null)).toBe(true);
    for (const order of orders) expect(order.serviceRequest?.id ?? null).toBe(order.serviceRequestId);
  });

  it('applies a per-parent first and order to a joined list', async () => {
    const result = await data(engine(), '{ serviceRequests(first: 1000, orderBy: [ID_ASC]) { nodes { id workOrders(first: 1, orderBy: [CREATED_AT_DESC]) { id } } } }');
    const requests: Array<{ id: string; workOrders: Array<{ id: string }> }> = result.serviceRequests.nodes;
    const latest = (
      await truth.works.raw(
        `SELECT srnumber, workorderid FROM (SELECT srnumber, workorderid, ROW_NUMBER() OVER (PARTITION BY srnumber ORDER BY initiatedate DESC NULLS FIRST, workorderid) AS n
           FROM workorder WHERE srnumber = ANY(?)) x WHERE n = 1`,
        [requests.map((request) => shortReference(request.id))],
      )
    ).rows;
    const several = (await truth.works.raw('SELECT count(*)::int AS n FROM (SELECT srnumber FROM workorder WHERE srnumber = ANY(?) GROUP BY srnumber HAVING count(*) > 1) x', [requests.map((request) => shortReference(request.id))])).rows[0].n;
    expect(several).toBeGreaterThan(0);
    for (const request of requests) {
      const expected = latest.filter((row: { srnumber: string }) => row.srnumber === shortReference(request.id)).map((row: { workorderid: number }) => String(row.workorderid));
      expect(request.workOrders.map((order) => order.id)).toEqual(expected);
    }
  });

  it('matches addresses spelled differently in each system, with a joined order', async () => {
    const result = await data(
      engine(),
      '{ serviceRequests(first: 1000, orderBy: [ID_ASC]) { nodes { address permitsAtAddress(first: 2, orderBy: [APPLIED_DATE_DESC]) { permitNumber appliedDate } } } }',
    );
    const requests: Array<{ address: string; permitsAtAddress: Array<{ permitNumber: string }> }> = result.serviceRequests.nodes;
    const addresses = [...new Set(requests.map((request) => request.address))];
    const rows = (
      await truth.permits.raw(
        `SELECT * FROM (SELECT "B1_ALT_ID", ${normalizedSql(`CONCAT_WS(' ', "B1_HSE_NBR", "B1_STR_DIR", "B1_STR_NAME", "B1_STR_SUFFIX")`)} AS address,
           ROW_NUMBER() OVER (PARTITION BY ${normalizedSql(`CONCAT_WS(' ', "B1_HSE_NBR", "B1_STR_DIR", "B1_STR_NAME", "B1_STR_SUFFIX")`)}
                              ORDER BY "B1_FILE_DD" DESC NULLS FIRST, "B1_ALT_ID") AS n FROM "B1PERMIT") x
         WHERE address = ANY(?) AND n <= 2 ORDER BY address, n`,
        [addresses],
      )
    ).rows;
    expect(requests.filter((request) => request.permitsAtAddress.length > 0).length).toBeGreaterThan(10);
    for (const request of requests) {
      const expected = rows.filter((row: { address: string }) => row.address === request.address).map((row: { B1_ALT_ID: string }) => row.B1_ALT_ID);
      expect(request.permitsAtAddress.map((permit) => permit.permitNumber)).toEqual(expected);
    }
  });

  it('gathers every department’s rows at one address, however each system spells it', async () => {
    const [row] = (await truth.works.raw(`SELECT location FROM workorder WHERE location LIKE '% West %' LIMIT 1`)).rows;
    const canonical = normalizeAddress(row.location);
    const result = await data(
      engine(),
      'query ($line: String!) { address(line: $line) { line serviceRequests { totalCount } workOrders { totalCount nodes { address } } permits { totalCount } } }',
      { line: row.location },
    );
    const count = async (db: Knex, table: string, column: string) =>
      (await db.raw(`SELECT count(*)::int AS n FROM ${table} WHERE ${normalizedSql(column)} = ?`, [canonical])).rows[0].n;
    expect(result.address.line).toBe(canonical);
    expect(result.address.workOrders.totalCount).toBe(await count(truth.works, 'workorder', 'location'));
    expect(result.address.workOrders.totalCount).toBeGreaterThan(0);
    expect(result.address.workOrders.nodes.every((node: { address: string }) => node.address === canonical)).toBe(true);
    expect(result.address.serviceRequests.totalCount).toBe(await count(truth.crm, '"SR_CASE"', '"ADDR_LINE"'));
    expect(result.address.permits.totalCount).toBe(
      await count(truth.permits, '"B1PERMIT"', `CONCAT_WS(' ', "B1_HSE_NBR", "B1_STR_DIR", "B1_STR_NAME", "B1_STR_SUFFIX")`),
    );
  });
});

describe('no N+1', () => {
  const engine = () => engines.get('postgres')!;

  it.each([10, 100, 1000])('sends one query per source per join level for a page of %i', async (first) => {
    engine().sent.length = 0;
    const result = await data(
      engine(),
      `{ serviceRequests(first: ${first}, orderBy: [ID_ASC]) { nodes { id workOrders(first: 10) { id serviceRequest { id } } permitsAtAddress(first: 5) { permitNumber } } } }`,
    );
    expect(result.serviceRequests.nodes).toHaveLength(first);
    expect(engine().sent.map((sent) => `${sent.source}.${sent.method}`).sort()).toEqual([
      'crm-311.find',
      'crm-311.findByKeys',
      'permits.findByKeys',
      'public-works.findByKeys',
    ]);
    const lookUp = engine().sent.find((sent) => sent.source === 'public-works')!;
    expect(lookUp.query).toMatchObject({ key: { column: 'srnumber' }, perKeyLimit: 10 });
    expect(new Set(lookUp.query.keys as string[]).size).toBe((lookUp.query.keys as string[]).length);
  });
});

describe.each(['pglite', 'postgres'] as const)('statistics on %s', (kind) => {
  const engine = () => engines.get(kind)!;

  it('groups by a coded field and a month, merging the codes that share a public value', async () => {
    const result = await data(engine(), '{ serviceRequestStats(groupBy: [STATUS, REQUESTED_AT_YEAR]) { key { status requestedAtYear } count min { requestedAt } } }');
    const rows = (
      await truth.crm.raw(`SELECT CASE WHEN "STATUS_CD" IN ('N','O','IP') THEN 'OPEN' ELSE 'CLOSED' END AS status,
        date_trunc('year', "CREATED_DT")::date::text AS year, count(*)::int AS n, min("CREATED_DT" AT TIME ZONE 'America/Chicago') AS first
        FROM "SR_CASE" GROUP BY 1, 2 ORDER BY 2, 1`)
    ).rows;
    const expected = rows.map((row: { status: string; year: string; n: number; first: Date }) => ({
      key: { status: row.status, requestedAtYear: row.year },
      count: row.n,
      min: { requestedAt: new Date(row.first).toISOString() },
    }));
    const sort = (groups: any[]) => [...groups].sort((a, b) => `${a.key.requestedAtYear}${a.key.status}`.localeCompare(`${b.key.requestedAtYear}${b.key.status}`));
    expect(sort(result.serviceRequestStats)).toEqual(sort(expected));
  });

  it('computes sums and averages in the source, with a filter', async () => {
    const result = await data(engine(), '{ workOrderStats(filter: { status: { eq: COMPLETED } }, groupBy: [ASSIGNED_DEPARTMENT]) { key { assignedDepartment } count sum { cost } avg { laborHours } } }');
    const rows = (
      await truth.works.raw(`SELECT dept, count(*)::int AS n, sum(totalcost)::float AS cost, avg(laborhours)::float AS hours FROM workorder
        WHERE status IN ('COMPLETE', 'CLOSED') GROUP BY dept`)
    ).rows;
    const names: Record<string, string> = { STR: 'Streets', SAN: 'Sanitation', FOR: 'Forestry', WTR: 'Water and Sewer', ELC: 'Electrical', HLT: 'Environmental Health' };
    expect(result.workOrderStats).toHaveLength(rows.length);
    for (const row of rows) {
      const group = result.workOrderStats.find((candidate: any) => candidate.key.assignedDepartment === names[row.dept]);
      expect(group.count).toBe(row.n);
      expect(group.sum.cost).toBeCloseTo(row.cost, 2);
      expect(group.avg.laborHours).toBeCloseTo(row.hours, 6);
    }
  });

  it('counts all rows in one group when groupBy is empty', async () => {
    const result = await data(engine(), '{ permitStats { count max { estProjectCost appliedDate } } }');
    const [row] = (await truth.permits.raw('SELECT count(*)::int AS n, max("VALUATION")::float AS v, max("B1_FILE_DD")::text AS d FROM "B1PERMIT"')).rows;
    expect(result.permitStats).toEqual([{ count: row.n, max: { estProjectCost: row.v, appliedDate: row.d } }]);
  });

  it('sends one grouped query to the source', async () => {
    engine().sent.length = 0;
    await data(engine(), '{ serviceRequestStats(groupBy: [SERVICE_NAME, REQUESTED_AT_MONTH]) { count } }');
    expect(engine().sent.map((sent) => `${sent.source}.${sent.method}`)).toEqual(['crm-311.aggregate']);
  });
});
