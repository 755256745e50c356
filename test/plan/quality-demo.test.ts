/**
 * The quality profile of the demo's three departments on the real PostgreSQL server, with
 * defects planted in this suite's own copy of the data: a status code the CRM mapping does not
 * translate, a request closed in the future, an address that is no house number and street, a
 * case number given twice (its primary key dropped), a work order referring to a request that
 * does not exist. Each figure is checked against hand-written SQL over the same database; every
 * statement the profile sends is a count or a grouped aggregate answering at most a page of
 * groups, far fewer rows than the tables hold. And `civicgraph quality` prints it, as a table
 * and as JSON, and refuses a name that is no mapping or dataset.
 */
process.env.TZ = 'America/Los_Angeles';

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyConverter } from '../../src/config/key-format.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { loadRoles } from '../../src/config/load-roles.js';
import { RequestBudget } from '../../src/plan/budget.js';
import { JOIN_PAGE } from '../../src/plan/quality/joins.js';
import { RequestMemo } from '../../src/plan/request-memo.js';
import { profileEveryDepartment, type DatasetQuality, type QualityProfile } from '../../src/plan/quality/profile.js';
import { hundredBlock } from '../../src/privacy/hundred-block.js';
import { normalizeAddress } from '../../src/source/address.js';
import { demoEnvironment } from '../support/demo.js';
import { openEngine, type Engine } from '../support/engine.js';

const NOW = new Date('2025-06-01T05:00:00Z');
/** NOW as the CRM's wall clock (America/Chicago), for hand-written SQL over its naive date-times. */
const NOW_IN_CHICAGO = '2025-06-01 00:00:00';
const ORPHAN = '24-99999999';

let env: Record<string, string>;
let crm: Knex;
let works: Knex;
let engine: Engine;
let results: DatasetQuality[];
const planted = { untranslated: '', future: '', unreadable: '', repeated: '' };

const profile = (name: string): QualityProfile => {
  const result = results.find((r) => r.dataset === name)!;
  if (!result.profile) throw new Error(JSON.stringify(result.error));
  return result.profile;
};
const one = async (db: Knex, sql: string, bindings: readonly unknown[] = []) => Number(((await db.raw(sql, bindings as Knex.RawBinding[])) as { rows: Array<{ n: unknown }> }).rows[0]!.n);

beforeAll(async () => {
  env = await demoEnvironment('postgres', 'h_quality_demo');
  crm = knex({ client: 'pg', connection: env.CIVICGRAPH_CRM_URL });
  works = knex({ client: 'pg', connection: env.CIVICGRAPH_WORKS_URL });
  const cases = ((await crm.raw('select "CASE_NO" from "SR_CASE" order by "CASE_NO" limit 4')) as { rows: Array<{ CASE_NO: string }> }).rows.map((row) => row.CASE_NO);
  [planted.untranslated, planted.future, planted.unreadable, planted.repeated] = cases as [string, string, string, string];
  await crm.raw(`update "SR_CASE" set "STATUS_CD" = 'ZZ' where "CASE_NO" = ?`, [planted.untranslated]);
  await crm.raw(`update "SR_CASE" set "STATUS_CD" = 'C', "CLOSED_DT" = '2099-02-03 10:00:00' where "CASE_NO" = ?`, [planted.future]);
  await crm.raw(`update "SR_CASE" set "ADDR_LINE" = 'Behind City Hall' where "CASE_NO" = ?`, [planted.unreadable]);
  const { rows: [key] } = (await crm.raw(`select conname from pg_constraint where conrelid = '"SR_CASE"'::regclass and contype = 'p'`)) as { rows: Array<{ conname: string }> };
  await crm.raw('alter table "SR_CASE" drop constraint ?? cascade', [key!.conname]);
  await crm.raw('insert into "SR_CASE" select * from "SR_CASE" where "CASE_NO" = ?', [planted.repeated]);
  await works.raw('update workorder set srnumber = ? where workorderid = (select min(workorderid) from workorder where srnumber is not null)', [ORPHAN]);

  engine = await openEngine(env);
  const roles = (await loadRoles('connectors/roles.yaml', env)).roles!;
  engine.sent.length = 0;
  results = await profileEveryDepartment(engine.state.views, roles, { now: NOW });
}, 300_000);

afterAll(async () => {
  await engine?.close();
  await crm?.destroy();
  await works?.destroy();
});

describe('the demo on PostgreSQL, with planted defects', () => {
  it('profiles every department’s datasets, each as its liaison, in the departments’ order', () => {
    expect(results.map((r) => [r.dataset, r.profile?.role ?? r.error])).toEqual([
      ['ServiceRequest', 'liaison:311-customer-service'],
      ['Permit', 'liaison:building-and-inspections'],
      ['WorkOrder', 'liaison:public-works'],
    ]);
  });

  it('counts rows, nulls and distinct values as hand-written SQL does', async () => {
    const requests = profile('ServiceRequest');
    expect(requests.rows).toBe(await one(crm, 'select count(*) as n from "SR_CASE"'));
    const field = (name: string) => requests.fields.find((f) => f.field === name)!;
    expect(field('closedAt').nulls).toBe(await one(crm, 'select count(*) as n from "SR_CASE" where "CLOSED_DT" is null'));
    expect(field('serviceCode').distinct).toBe(await one(crm, 'select count(distinct "SR_TYPE_CD") as n from "SR_CASE"'));
    expect(field('zipcode').distinct).toBe(await one(crm, 'select count(distinct "ZIP_CD") as n from "SR_CASE"'));
    expect(field('closedAt').max).toBe('2099-02-03T16:00:00.000Z');
    // The 311 liaison reads the callers' details: they are the department's own.
    expect(field('callerPhone').read).toBe('raw');
  });

  it('finds the untranslated status code, and only it', () => {
    const status = profile('ServiceRequest').codes.find((c) => c.field === 'status')!;
    expect(status).toMatchObject({ untranslatedRows: 1, untranslatedCodes: 1, untranslated: [{ code: 'ZZ', label: null, rows: 1 }] });
    expect(profile('ServiceRequest').codes.filter((c) => c.untranslatedRows > 0).map((c) => c.field).sort()).toEqual(['status', 'statusDescription']);
  });

  it('counts future dates as SQL does, the planted one among them', async () => {
    const dates = profile('ServiceRequest').dates;
    const closed = dates.find((d) => d.field === 'closedAt')!;
    expect(closed.future).toBe(await one(crm, 'select count(*) as n from "SR_CASE" where "CLOSED_DT" > ?', [NOW_IN_CHICAGO]));
    expect(closed.future).toBeGreaterThanOrEqual(1);
    expect(dates.find((d) => d.field === 'expectedAt')!.future).toBe(await one(crm, 'select count(*) as n from "SR_CASE" where "DUE_DT" > ?', [NOW_IN_CHICAGO]));
    const earliest = (await crm.raw('select min("CREATED_DT") as n from "SR_CASE"')) as { rows: Array<{ n: string }> };
    expect(profile('ServiceRequest').existedSince).toMatchObject({ from: 'data', field: 'requestedAt' });
    expect(closed.beforeExisted).toBe(await one(crm, 'select count(*) as n from "SR_CASE" where "CLOSED_DT" < ?', [earliest.rows[0]!.n]));
  });

  it('finds the addresses that do not normalise, the planted one among them', async () => {
    const stored = ((await crm.raw('select "ADDR_LINE" as a from "SR_CASE" where "ADDR_LINE" is not null')) as { rows: Array<{ a: string }> }).rows.map((row) => row.a);
    const unreadable = stored.filter((a) => hundredBlock(normalizeAddress(a)) === null);
    const [address] = profile('ServiceRequest').addresses;
    expect(address).toMatchObject({ field: 'address', values: stored.length, notNormalised: unreadable.length });
    expect(address!.examples).toContainEqual({ address: 'Behind City Hall', rows: 1 });
  });

  it('finds the case number given twice', () => {
    expect(profile('ServiceRequest').key).toEqual({ field: 'id', nulls: 0, duplicateRows: 1, repeated: [{ key: planted.repeated, rows: 2 }] });
  });

  it('measures how many work orders’ 311 references find their request, and names the orphan', async () => {
    const refs = ((await works.raw('select srnumber as r from workorder where srnumber is not null')) as { rows: Array<{ r: string }> }).rows.map((row) => row.r);
    const cases = new Set(((await crm.raw('select "CASE_NO" as c from "SR_CASE"')) as { rows: Array<{ c: string }> }).rows.map((row) => row.c));
    const format = keyConverter({ raw: '{year}-{seq:d}', public: 'SR-{year}-{seq:8}' });
    const matched = refs.filter((ref) => cases.has(format.toPublic(ref)!)).length;
    const join = profile('WorkOrder').joins.find((j) => j.join === 'serviceRequest')!;
    expect(join).toMatchObject({ target: 'ServiceRequest', references: refs.length, matched, complete: true });
    expect(join.matched).toBeLessThan(join.references);
    expect(join.orphans).toContainEqual({ value: 'SR-24-99999999', rows: 1 });
    for (const other of [...profile('ServiceRequest').joins, ...profile('Permit').joins]) expect(other.error).toBeUndefined();
  });

  it('gives records per month for the histogram and the top codes for the bar chart', async () => {
    const { months } = profile('ServiceRequest').recordsPerMonth;
    expect(months.reduce((sum, m) => sum + m.rows, 0)).toBe(profile('ServiceRequest').rows);
    expect(months.length).toBeGreaterThan(6);
    const top = profile('ServiceRequest').codes.find((c) => c.field === 'serviceName')!.top;
    expect(top).toHaveLength(10);
    expect(top[0]!.rows).toBe(await one(crm, 'select count(*) as n from "SR_CASE" group by "SR_TYPE_CD" order by n desc limit 1'));
  });

  it('sends only counts and grouped aggregates, none answering more than a page of groups: never every row', () => {
    expect(new Set(engine.sent.map((query) => query.method))).toEqual(new Set(['aggregate', 'count']));
    const largest = Math.max(...engine.sent.map((query) => query.rows));
    expect(largest).toBeLessThanOrEqual(JOIN_PAGE);
    expect(largest).toBeLessThan(profile('ServiceRequest').rows / 2);
    expect(profile('ServiceRequest').queries.largestResult).toBeLessThanOrEqual(largest);
  });
});

describe('Gateway.quality, the entry point for the console', () => {
  it('gives a liaison its department’s profiles, and any other role none', async () => {
    const gateway = await Gateway.open({ connectorsDir: 'connectors', schemasDir: 'schemas', log: () => {}, env });
    try {
      const own = await gateway.quality('liaison:public-works', { now: NOW });
      expect(own.map((r) => [r.dataset, r.profile?.joins[0]?.orphans[0]])).toEqual([['WorkOrder', { value: 'SR-24-99999999', rows: 1 }]]);
      for (const role of ['public', 'staff', 'department:public-works', 'liaison:no-such-department']) expect(await gateway.quality(role), role).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  it("holds the profile's source queries to the request's budget, through the request's memo", async () => {
    const gateway = await Gateway.open({ connectorsDir: 'connectors', schemasDir: 'schemas', log: () => {}, env });
    const budget = new RequestBudget({ deadlineMs: 1, maxRows: 1_000_000, role: 'liaison:public-works' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const [late] = await gateway.quality('liaison:public-works', { now: NOW, memo: new RequestMemo(budget) });
      expect(late?.profile).toBeUndefined();
      expect(late?.error?.message).toMatch(/deadline/);
    } finally {
      budget.end();
      await gateway.close();
    }
  });
});

describe('civicgraph quality', () => {
  const run = promisify(execFile);
  const civicgraph = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', 'quality', ...args], { env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
  };

  it('prints a mapping’s profile as tables a liaison can read', async () => {
    const { code, stdout } = await civicgraph(['connectors/public-works.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^WorkOrder — Public Works Work Orders \(public-works, Public Works\), as liaison:public-works$/m);
    expect(stdout).toMatch(/^Field +Type +Read +Nulls +Distinct +Min +Max$/m);
    expect(stdout).toMatch(/^serviceRequest → ServiceRequest\.id +\d[\d,]* of \d[\d,]* +\d+\.\d% +.*SR-24-99999999 \(1\)/m);
    expect(stdout).not.toContain('ServiceRequest — ');
  }, 60_000);

  it('prints one dataset as JSON', async () => {
    const { code, stdout } = await civicgraph(['ServiceRequest', '--json']);
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout) as DatasetQuality[];
    expect(result!.profile!.key!.repeated).toEqual([{ key: planted.repeated, rows: 2 }]);
  }, 60_000);

  it('refuses a name that is neither a mapping nor a dataset, suggesting the nearest', async () => {
    const { code, stderr } = await civicgraph(['ServiceRequests']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/"ServiceRequests" is neither a mapping file, a mapping name nor a dataset.*did you mean "ServiceRequest"/);
  }, 60_000);
});
