/**
 * Rows that hang off withheld rows, attacked as the public over HTTP on the demo (real
 * PostgreSQL, ./probe-support.ts). Public Works clears encampments after homelessness outreach
 * and hauls debris after senior well-being checks, so some work orders belong to 311 cases the
 * public may not see (HOMELESS, ELDERCHK); the probes plant two more. Such a work order would
 * tell the public that the case exists, when, what work it needed and where — and its
 * `serviceRequestId` would name the case. No route may show one: lists on every page, by-id
 * look-ups, joins in either direction, the address entry point, counts, statistics grouped by
 * any field, filters on the case number. Staff, who may see the cases, see them all.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../src/source/address.js';
import { bearer, connectorsWithPublication, openWorld, PLANTED, postTo, shortCase, startGateway, type HttpAnswer, type World } from './probe-support.js';

let w: World;

interface WorkOrderRow {
  workorderid: number;
  srnumber: string | null;
  worktype: string;
  status: string;
  dept: string;
  location: string | null;
}

/** The ground truth, read from the work-order system itself. */
let orders: WorkOrderRow[];
/** Work orders of withheld cases, and the withheld cases that have one. */
let withheld: WorkOrderRow[];
let withheldCases: string[];
let visible: WorkOrderRow[];

/** A case number no system holds and no work order names, and a work order number no system holds. */
const UNKNOWN_CASE = PLANTED.unreferencedCase;
const UNKNOWN_WORK_ORDER = '999999';

beforeAll(async () => {
  w = await openWorld('withheld');
  orders = await w.db.works('workorder').select('workorderid', 'srnumber', 'worktype', 'status', 'dept', 'location').orderBy('workorderid');
  const cases = new Map(w.truth.withheldRequests.map((row) => [shortCase(row.CASE_NO), row.CASE_NO]));
  withheld = orders.filter((row) => row.srnumber !== null && cases.has(row.srnumber));
  withheldCases = [...new Set(withheld.map((row) => cases.get(row.srnumber!)!))];
  visible = orders.filter((row) => !withheld.includes(row));
}, 120_000);

afterAll(async () => {
  await w?.close();
});

/** An anonymous request, kept for the final sweep. */
const pub = (query: string, variables?: Record<string, unknown>): Promise<HttpAnswer> => w.pub(query, variables);

const staff = (query: string) => postTo(w.base, query, undefined, bearer(w.tokens.staff));

function served(answer: HttpAnswer): any {
  expect(answer.body?.errors, answer.text).toBeUndefined();
  expect(answer.status, answer.text).toBe(200);
  return answer.body.data;
}

const ids = (nodes: Array<{ id: string }>) => nodes.map((node) => node.id);
const withheldIds = () => withheld.map((row) => String(row.workorderid));
const visibleIds = () => visible.map((row) => String(row.workorderid));
const STATUS: Record<string, string> = { OPEN: 'OPEN', ASSIGNED: 'ASSIGNED', INPROG: 'IN_PROGRESS', COMPLETE: 'COMPLETED', CLOSED: 'COMPLETED', CANCEL: 'CANCELLED' };

/** Every work order a caller can list, page after page. */
async function listAll(ask: (query: string) => Promise<HttpAnswer>, fields = 'id serviceRequestId workType'): Promise<any[]> {
  const nodes: any[] = [];
  for (let after: string | undefined; ; ) {
    const page = served(await ask(`{ workOrders(first: 100${after ? `, after: "${after}"` : ''}) { pageInfo { hasNextPage endCursor } nodes { ${fields} } } }`)).workOrders;
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

describe('work orders of cases withheld from the public', () => {
  it('exist in the data, the demo’s own among them, and staff see every one', async () => {
    expect(withheld.filter((row) => row.workorderid < PLANTED.workOrderFromHomeless).map((row) => row.worktype)).toEqual(
      expect.arrayContaining(['ENCAMPMENT CLEANUP', 'DEBRIS REMOVAL']),
    );
    expect(withheldIds()).toEqual(expect.arrayContaining([String(PLANTED.workOrderFromHomeless), String(PLANTED.workOrderFromElderCheck)]));
    const all = await listAll(staff);
    expect(ids(all)).toEqual(orders.map((row) => String(row.workorderid)));
    expect(all.filter((node) => withheldCases.includes(node.serviceRequestId)).length).toBe(withheld.length);
  });

  it('are on no page of the public list, which holds every other work order', async () => {
    const nodes = await listAll(pub);
    expect(ids(nodes)).toEqual(visibleIds());
    expect(nodes.filter((node) => withheldCases.includes(node.serviceRequestId))).toEqual([]);
  });

  it('answer a look-up by id exactly as a work order that does not exist does', async () => {
    const query = (id: string) => `{ workOrder(id: "${id}") { id serviceRequestId workType serviceRequest { id } } }`;
    const missing = await pub(query(UNKNOWN_WORK_ORDER));
    expect(served(missing)).toEqual({ workOrder: null });
    for (const id of withheldIds()) {
      const answer = await pub(query(id));
      expect(answer.status).toBe(missing.status);
      expect(answer.text, id).toBe(missing.text);
    }
    // Control: staff find each, with its case behind it.
    const control = served(await staff(query(withheldIds()[0]!)));
    expect(control.workOrder.serviceRequest.id).toBe(withheldCases.find((caseNo) => shortCase(caseNo) === withheld[0]!.srnumber));
  });

  it('cannot be reached by a join: serviceRequest from work orders, workOrders from requests', async () => {
    const joined = await listAll(pub, 'id serviceRequestId serviceRequest { id serviceCode }');
    // A visible work order joins to its case, or to null only where no case has its number.
    const unmatched = joined.filter((node) => node.serviceRequestId !== null && node.serviceRequest === null);
    expect(unmatched.map((node) => node.serviceRequestId)).toEqual([PLANTED.nonexistentCase]);
    expect(joined.map((node) => node.serviceRequest?.serviceCode).filter((code) => code === 'HOMELESS' || code === 'ELDERCHK')).toEqual([]);

    const reached: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = served(await pub(`{ serviceRequests(first: 500${after ? `, after: "${after}"` : ''}) { pageInfo { hasNextPage endCursor } nodes { workOrders(first: 20) { id serviceRequestId } } } }`)).serviceRequests;
      reached.push(...page.nodes.flatMap((node: { workOrders: Array<{ id: string }> }) => ids(node.workOrders)));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(reached.filter((id) => withheldIds().includes(id))).toEqual([]);
    expect(reached.length).toBeGreaterThan(100);
  });

  it('are not counted: totalCount, with and without filters', async () => {
    const data = served(
      await pub(`{
        all: workOrders { totalCount }
        cleanups: workOrders(filter: { workType: { in: ["ENCAMPMENT CLEANUP", "DEBRIS REMOVAL"] } }) { totalCount }
        sidewalks: workOrders(filter: { workType: { eq: "SIDEWALK REPAIR" } }) { totalCount }
        referenced: workOrders(filter: { serviceRequestId: { isNull: false } }) { totalCount }
      }`),
    );
    expect(data.all.totalCount).toBe(visible.length);
    expect(data.cleanups.totalCount).toBe(0);
    // The planted work orders of withheld cases are sidewalk repairs, like some public ones.
    expect(data.sidewalks.totalCount).toBe(visible.filter((row) => row.worktype === 'SIDEWALK REPAIR').length);
    expect(data.referenced.totalCount).toBe(visible.filter((row) => row.srnumber !== null).length);
    const control = served(await staff('{ workOrders(filter: { workType: { in: ["ENCAMPMENT CLEANUP", "DEBRIS REMOVAL"] } }) { totalCount } }'));
    expect(control.workOrders.totalCount).toBeGreaterThan(0);
  });

  it('are in no group of workOrderStats, grouped by every field the public may group by', async () => {
    const schema = served(await pub('{ g: __type(name: "WorkOrderGroupBy") { enumValues { name } } k: __type(name: "WorkOrderStatsKey") { fields { name type { kind } } } }'));
    const groupings: string[] = schema.g.enumValues.map((value: { name: string }) => value.name);
    // A position groups by its rounded cell, keyed as an object.
    const keyFields = schema.k.fields
      .map((field: { name: string; type: { kind: string } }) => (field.type.kind === 'OBJECT' ? `${field.name} { latitude longitude }` : field.name))
      .join(' ');
    expect(groupings).toEqual(expect.arrayContaining(['SERVICE_REQUEST_ID', 'WORK_TYPE', 'ID', 'STATUS', 'CREATED_AT_MONTH']));
    const exact: Record<string, (row: WorkOrderRow) => unknown> = {
      WORK_TYPE: (row) => row.worktype,
      STATUS: (row) => STATUS[row.status],
      SERVICE_REQUEST_ID: (row) => (row.srnumber === null ? null : `SR-${row.srnumber.split('-')[0]}-${row.srnumber.split('-')[1]!.padStart(8, '0')}`),
    };
    const withheldTypes = ['ENCAMPMENT CLEANUP', 'DEBRIS REMOVAL'];
    for (const groupBy of groupings) {
      const answer = await pub(`{ workOrderStats(groupBy: [${groupBy}]) { key { ${keyFields} } count suppressed } all: workOrderStats { count } }`);
      const data = served(answer);
      expect(data.all).toEqual([{ count: visible.length }]);
      for (const value of [...withheldCases, ...withheldTypes]) expect(answer.text, `${groupBy}: ${value}`).not.toContain(`"${value}"`);
      const keys = data.workOrderStats.map((group: { key: Record<string, unknown> }) => JSON.stringify(group.key));
      expect(new Set(keys).size, groupBy).toBe(keys.length);
      const truth = exact[groupBy];
      if (!truth) continue;
      const name = Object.keys(data.workOrderStats[0].key).find((key) => data.workOrderStats.some((group: { key: Record<string, unknown> }) => group.key[key] !== null))!;
      for (const group of data.workOrderStats) {
        if (!group.suppressed) expect(group.count, `${groupBy} ${String(group.key[name])}`).toBe(visible.filter((row) => truth(row) === group.key[name]).length);
      }
    }
    // By id every group is too small to show, but its key is shown: none is a withheld work order.
    const byId = served(await pub('{ workOrderStats(groupBy: [ID]) { key { id } } }')).workOrderStats.map((group: { key: { id: string } }) => group.key.id);
    expect(byId).toEqual(visibleIds());
    // Control: staff see the cleanup work.
    const control = served(await staff('{ workOrderStats(groupBy: [WORK_TYPE]) { key { workType } count } }')).workOrderStats;
    expect(control.map((group: { key: { workType: string } }) => group.key.workType)).toEqual(expect.arrayContaining(withheldTypes));
  });

  it('cannot be found by their case number: a filter on serviceRequestId answers as for a case no work order names', async () => {
    const routes = (caseNo: string) => [
      `{ workOrders(filter: { serviceRequestId: { eq: "${caseNo}" } }) { totalCount nodes { id } pageInfo { hasNextPage startCursor } } }`,
      `{ workOrders(filter: { serviceRequestId: { in: ["${caseNo}"] } }, first: 1) { edges { cursor } } }`,
      `{ workOrderStats(filter: { serviceRequestId: { eq: "${caseNo}" } }) { count suppressed max { createdAt } } }`,
      `{ workOrderStats(filter: { serviceRequestId: { eq: "${caseNo}" } }, groupBy: [WORK_TYPE]) { key { workType } count } }`,
      `{ workOrders(filter: { not: { serviceRequestId: { ne: "${caseNo}" } } }) { totalCount } }`,
    ];
    for (const caseNo of withheldCases) {
      const probes = routes(caseNo);
      const controls = routes(UNKNOWN_CASE);
      for (let index = 0; index < probes.length; index++) {
        const answer = await pub(probes[index]!);
        const control = await pub(controls[index]!);
        expect(answer.status).toBe(control.status);
        expect(answer.text.split(caseNo).join('<CASE>'), probes[index]).toBe(control.text.split(UNKNOWN_CASE).join('<CASE>'));
      }
    }
    const all = served(await pub(`{ in: workOrders(filter: { serviceRequestId: { in: ${JSON.stringify(withheldCases)} } }) { totalCount } notIn: workOrders(filter: { not: { serviceRequestId: { in: ${JSON.stringify(withheldCases)} } } }) { totalCount } }`));
    expect(all).toEqual({ in: { totalCount: 0 }, notIn: { totalCount: visible.length } });
    // Control: staff find them by case number.
    const control = served(await staff(`{ workOrders(filter: { serviceRequestId: { in: ${JSON.stringify(withheldCases)} } }) { totalCount } }`));
    expect(control.workOrders.totalCount).toBe(withheld.length);
  });

  it('are not at any address: refused to the public, and hidden there even where the public may read addresses', async () => {
    const street = withheld.find((row) => row.location !== null && row.workorderid < PLANTED.workOrderFromHomeless)!.location!;
    const query = `{ address(line: ${JSON.stringify(street)}) { workOrders(first: 1000) { totalCount nodes { id } } } }`;
    expect((await pub(query)).body.errors?.length).toBeGreaterThan(0);
    // A second gateway where the public reads work-order addresses raw, so the entry point is offered.
    const copy = await connectorsWithPublication({});
    const file = join(copy.dir, 'public-works.yaml');
    const text = await readFile(file, 'utf8');
    const opened = text.replace(/^(\s+)address: hundredBlock$/m, '$1address: visible');
    expect(opened).not.toBe(text);
    await writeFile(file, opened);
    const { running, base } = await startGateway(copy.dir, w.env, [], []);
    try {
      const answer = await postTo(base, query);
      w.publicAnswers.push({ request: query, text: answer.text });
      const here = served(answer).address.workOrders;
      const truth = visible.filter((row) => row.location !== null && normalizeAddress(row.location) === normalizeAddress(street));
      expect(ids(here.nodes).sort()).toEqual(truth.map((row) => String(row.workorderid)).sort());
      expect(here.totalCount).toBe(truth.length);
      const control = served(await postTo(base, query, undefined, bearer(w.tokens.staff))).address.workOrders;
      expect(ids(control.nodes).filter((id) => withheldIds().includes(id)).length).toBeGreaterThan(0);
    } finally {
      await running.stop();
      await copy.remove();
    }
  });
});

describe('every public answer of this suite', () => {
  it('names no withheld case, in the CRM’s spelling or the work-order system’s, and no work order of one', () => {
    expect(w.publicAnswers.length).toBeGreaterThan(30);
    const leaks: string[] = [];
    for (const { request, text } of w.publicAnswers) {
      for (const caseNo of w.truth.withheldRequests.map((row) => row.CASE_NO)) {
        if (!request.includes(caseNo) && text.includes(caseNo)) leaks.push(`${caseNo} ← ${request.slice(0, 100)}`);
        if (new RegExp(`SR ${shortCase(caseNo)}(?!\\d)`).test(text)) leaks.push(`SR ${shortCase(caseNo)} ← ${request.slice(0, 100)}`);
      }
      for (const id of withheldIds()) if (!request.includes(id) && text.includes(`"${id}"`)) leaks.push(`work order ${id} ← ${request.slice(0, 100)}`);
    }
    expect(leaks).toEqual([]);
  });
});
