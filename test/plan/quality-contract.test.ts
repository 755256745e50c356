/**
 * The quality profile on every kind of source: the contract suite's two departments
 * (test/gateway/contract) with defects planted in this suite's own copy of their data — a
 * status code the mapping does not translate, a request dated in the future, a request closed
 * before the system existed, an address that does not normalise, a case number given twice, a
 * work order referring to a request that does not exist — stored in PostgreSQL, MariaDB,
 * PGlite, MongoDB, a REST API and CSV files. Every kind must find each defect with the same
 * counts, through counts and grouped aggregates alone; a department whose system is down gets an
 * error naming its source, without its secret, while the other's profile still computes.
 */
process.env.TZ = 'America/Los_Angeles';

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRoles } from '../../src/config/load-roles.js';
import type { RolesConfig } from '../../src/config/roles.js';
import { JOIN_PAGE } from '../../src/plan/quality/joins.js';
import { profileDataset, profileDatasets, profileEveryDepartment, QualityAccessError, type DatasetQuality, type QualityProfile } from '../../src/plan/quality/profile.js';
import { RequestAudit } from '../../src/privacy/audit.js';
import { hundredBlock } from '../../src/privacy/hundred-block.js';
import { normalizeAddress } from '../../src/source/address.js';
import { SERVICE_REQUESTS, WORK_ORDERS, type Table, type Value } from '../gateway/contract/city.js';
import { openContractEngine } from '../gateway/contract/engine.js';
import { KINDS, store, type Kind, type Stored } from '../gateway/contract/systems.js';
import { openEngine, type Engine } from '../support/engine.js';

const column = (table: Table, name: string) => table.columns.findIndex((c) => c.name === name);
const copyOf = (table: Table, id: string) => [...table.rows.find((row) => row[0] === id)!];

/** The contract's rows with the defects planted: each must be found, and counted exactly. */
const REQUESTS: Table = {
  ...SERVICE_REQUESTS,
  rows: [
    ...SERVICE_REQUESTS.rows,
    // An untranslated status code.
    ['SR-2024-0041', 'Q', 'PTHOLE', null, '2024-03-03 10:00:00', null, '2024-03-03T10:00:00Z', '1163 W 24TH ST', 41.85, -87.65, null],
    // Requested in the future, closed before the system existed.
    ['SR-2024-0042', 'C', 'GRAFITI', null, '2099-01-01 08:00:00', '2019-05-05 12:00:00', '2024-03-04T10:00:00Z', '500 S HALSTED ST', 41.86, -87.64, null],
    // An address that is no house number and street.
    ['SR-2024-0043', 'O', 'STRTLGT', null, '2024-04-04 10:00:00', null, '2024-04-04T10:00:00Z', 'Behind the library', 41.87, -87.63, null],
    // A case number given twice.
    copyOf(SERVICE_REQUESTS, 'SR-2024-0001'),
  ],
};
const WORKS: Table = {
  ...WORK_ORDERS,
  // A work order whose request does not exist.
  rows: [...WORK_ORDERS.rows, [1061, 'SR-2024-9999', 'OPEN', 'Inspection', '2024-05-05 10:00:00', null, null, 1, null, null, null, null]],
};

/** What the rows say, worked out here in JavaScript, for the figures the planted defects do not fix alone. */
const truth = (() => {
  const values = (table: Table, name: string): Value[] => table.rows.map((row) => row[column(table, name)] ?? null);
  const requestIds = new Set(values(REQUESTS, 'case_no'));
  const refs = values(WORKS, 'sr_ref').filter((ref): ref is string => ref !== null);
  const referenced = new Set<Value>(refs);
  const addresses = values(REQUESTS, 'addr').filter((a): a is string => a !== null);
  return {
    requests: REQUESTS.rows.length,
    descriptionNulls: values(REQUESTS, 'descr').filter((v) => v === null).length,
    distinctDescriptions: new Set(values(REQUESTS, 'descr').filter((v) => v !== null)).size,
    distinctAddresses: new Set(addresses.map(normalizeAddress)).size,
    notNormalised: addresses.filter((a) => hundredBlock(normalizeAddress(a)) === null).length,
    workOrderRefs: refs.length,
    workOrderRefsMatched: refs.filter((ref) => requestIds.has(ref)).length,
    requestsWithWork: values(REQUESTS, 'case_no').filter((id) => referenced.has(id)).length,
  };
})();

const NOW = new Date('2025-06-01T05:00:00Z');
const stored = new Map<string, Stored>();
const engines: Engine[] = [];
const dirs: string[] = [];
let roles: RolesConfig;
/** Both departments on PostgreSQL: every other kind must give exactly this. */
let reference: DatasetQuality[];

async function engineFor(requests: Kind, works: Kind): Promise<Engine> {
  const { engine, dir } = await openContractEngine({ kind: requests, stored: stored.get(`sr:${requests}`)! }, { kind: works, stored: stored.get(`wo:${works}`)! });
  engines.push(engine);
  dirs.push(dir);
  return engine;
}

const byDataset = (results: DatasetQuality[], name: string): QualityProfile => {
  const result = results.find((r) => r.dataset === name)!;
  if (!result.profile) throw new Error(JSON.stringify(result.error));
  return result.profile;
};

beforeAll(async () => {
  const loaded = await loadRoles('connectors/roles.yaml', {});
  roles = loaded.roles!;
  for (const kind of KINDS) {
    stored.set(`sr:${kind}`, await store(kind, REQUESTS, 'h_quality_sr'));
    stored.set(`wo:${kind}`, await store(kind, WORKS, 'h_quality_wo'));
  }
  reference = await profileEveryDepartment((await engineFor('postgres', 'postgres')).state.views, roles, { now: NOW });
}, 300_000);

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
  await Promise.all([...stored.values()].map((s) => s.close()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each(KINDS)('both departments on %s', (kind) => {
  let engine: Engine;
  let results: DatasetQuality[];
  let requests: QualityProfile;
  let works: QualityProfile;
  beforeAll(async () => {
    engine = await engineFor(kind, kind);
    engine.sent.length = 0;
    results = await profileEveryDepartment(engine.state.views, roles, { now: NOW });
    requests = byDataset(results, 'ServiceRequest');
    works = byDataset(results, 'WorkOrder');
  }, 120_000);

  it('profiles each dataset as its own department’s liaison', () => {
    expect(results.map((r) => [r.dataset, r.profile?.role])).toEqual([
      ['ServiceRequest', 'liaison:311-customer-service'],
      ['WorkOrder', 'liaison:public-works'],
    ]);
    expect(requests.rows).toBe(truth.requests);
    expect(works.rows).toBe(WORKS.rows.length);
  });

  it('counts nulls and distinct values, and gives extremes, per field; a masked field gets no figures', () => {
    const field = (name: string) => requests.fields.find((f) => f.field === name)!;
    expect(field('description')).toMatchObject({ read: 'raw', nulls: truth.descriptionNulls, distinct: truth.distinctDescriptions });
    expect(field('description').nullShare).toBeCloseTo(truth.descriptionNulls / truth.requests, 12);
    expect(field('address')).toMatchObject({ distinct: truth.distinctAddresses, min: '1163 W 24TH ST', max: 'BEHIND THE LIBRARY' });
    expect(field('requestedAt')).toMatchObject({ type: 'DateTime', max: '2099-01-01T14:00:00.000Z' });
    expect(field('closedAt').min).toBe('2019-05-05T17:00:00.000Z');
    expect(field('location.latitude')).toMatchObject({ read: 'raw', nulls: 0 });
    // The department's liaison reads the caller's phone only masked, as staff do: no figure may tell more.
    expect(field('callerPhone')).toMatchObject({ read: 'withheld', nulls: null, distinct: null, min: null, max: null });
    // Coded fields: distinct raw codes, no extremes (the codes are listed instead).
    expect(field('status')).toMatchObject({ distinct: 4, min: null, max: null });
  });

  it('finds the untranslated status code, with its rows, and gives the top codes with their labels', () => {
    const status = requests.codes.find((c) => c.field === 'status')!;
    expect(status).toMatchObject({ untranslatedRows: 1, untranslatedCodes: 1, untranslated: [{ code: 'Q', label: null, rows: 1 }] });
    expect(status.top.reduce((sum, code) => sum + code.rows, 0)).toBe(truth.requests);
    expect(status.top.find((code) => code.code === 'O')?.label).toBe('OPEN');
    expect(status.top.map((code) => code.rows)).toEqual([...status.top.map((code) => code.rows)].sort((a, b) => b - a));
    expect(requests.codes.find((c) => c.field === 'serviceName')).toMatchObject({ untranslatedRows: 0, untranslated: [] });
    expect(works.codes.every((c) => c.untranslatedRows === 0)).toBe(true);
  });

  it('finds the date in the future and the date before the system existed (the earliest request)', () => {
    expect(requests.existedSince).toMatchObject({ from: 'data', field: 'requestedAt' });
    const date = (name: string) => requests.dates.find((d) => d.field === name)!;
    expect(date('requestedAt')).toEqual({ field: 'requestedAt', future: 1, beforeExisted: 0 });
    expect(date('closedAt')).toEqual({ field: 'closedAt', future: 0, beforeExisted: 1 });
  });

  it('finds the address that does not normalise, spelled as stored', () => {
    expect(truth.notNormalised).toBe(1);
    expect(requests.addresses).toEqual([{ field: 'address', values: expect.any(Number), notNormalised: 1, examples: [{ address: 'Behind the library', rows: 1 }] }]);
  });

  it('finds the repeated key', () => {
    expect(requests.key).toEqual({ field: 'id', nulls: 0, duplicateRows: 1, repeated: [{ key: 'SR-2024-0001', rows: 2 }] });
    expect(works.key).toEqual({ field: 'id', nulls: 0, duplicateRows: 0, repeated: [] });
  });

  it('measures how many references find their row, across the two systems, and names the orphan', () => {
    const toRequest = works.joins.find((j) => j.join === 'serviceRequest')!;
    expect(toRequest).toMatchObject({ target: 'ServiceRequest', references: truth.workOrderRefs, matched: truth.workOrderRefsMatched, complete: true });
    expect(toRequest.matched).toBe(toRequest.references - 1);
    expect(toRequest.orphans).toEqual([{ value: 'SR-2024-9999', rows: 1 }]);
    const toWork = requests.joins.find((j) => j.join === 'workOrders')!;
    expect(toWork).toMatchObject({ references: truth.requests, matched: truth.requestsWithWork, complete: true });
  });

  it('counts records per month of the first date field, oldest first', () => {
    const { field, months, complete } = requests.recordsPerMonth;
    expect(field).toBe('requestedAt');
    expect(complete).toBe(true);
    expect(months.reduce((sum, month) => sum + month.rows, 0)).toBe(truth.requests);
    expect(months.at(-1)).toEqual({ month: '2099-01', rows: 1 });
    expect(months.map((m) => m.month)).toEqual([...months.map((m) => m.month)].sort());
  });

  it('sends the sources only counts and grouped aggregates, none answering more than a page of groups', () => {
    expect(engine.sent.length).toBeGreaterThan(0);
    expect(new Set(engine.sent.map((query) => query.method))).toEqual(new Set(['aggregate', 'count']));
    expect(Math.max(...engine.sent.map((query) => query.rows))).toBeLessThanOrEqual(JOIN_PAGE);
    expect(requests.queries.largestResult).toBeLessThan(truth.requests);
  });

  it('gives the same profile as PostgreSQL', () => {
    expect(results).toEqual(reference);
  });
});

describe('who gets a profile', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor('pglite', 'csv');
  });

  it('only the owning department’s liaison: not the public, staff, or another department’s liaison', async () => {
    for (const role of ['public', 'staff', 'department:311-customer-service', 'liaison:public-works']) {
      const datasets = (await profileDatasets(engine.state.views, roles, role, { now: NOW })).map((r) => r.dataset);
      expect(datasets, role).not.toContain('ServiceRequest');
    }
    const own = await profileDatasets(engine.state.views, roles, 'liaison:311-customer-service', { now: NOW });
    expect(own.map((r) => r.dataset)).toEqual(['ServiceRequest']);
  });

  it('is refused on a view whose statistics are suppressed, even when asked for directly', async () => {
    const publicView = engine.state.views.find((view) => view.role === 'public')!.datasets.find((dataset) => dataset.type.name === 'ServiceRequest')!;
    await expect(profileDataset(publicView, { role: 'public', now: NOW })).rejects.toThrow(QualityAccessError);
  });

  it('records the fields it measured raw that the public cannot read raw in the request’s audit, never a value', async () => {
    const audit = new RequestAudit();
    await profileDatasets(engine.state.views, roles, 'liaison:311-customer-service', { now: NOW, audit });
    const line = JSON.parse(audit.line('liaison:311-customer-service', 'dana@example.org', NOW)!) as { datasets: Array<{ type: string; fields: string[] }> };
    expect(line.datasets).toEqual([{ type: 'ServiceRequest', fields: ['address', 'description', 'location', 'updatedAt'], rows: 1 }]);
  });
});

describe.each(['postgres', 'csv'] as const)('joins with more distinct values than a page, on %s', (kind) => {
  const pad = (n: number) => String(n).padStart(4, '0');
  const many: Table = {
    ...SERVICE_REQUESTS,
    rows: Array.from({ length: 1200 }, (_, i) => [`SR-2024-${pad(i + 1)}`, 'O', 'PTHOLE', null, '2024-03-03 10:00:00', null, '2024-03-03T10:00:00Z', null, 41.8, -87.6, null]),
  };
  // Every tenth order has no request; some refer to requests past the last one (1201–1400).
  const orders: Table = {
    ...WORK_ORDERS,
    rows: Array.from({ length: 1300 }, (_, i) => [2000 + i, i % 10 === 0 ? null : `SR-2024-${pad(((i * 3) % 1400) + 1)}`, 'OPEN', 'Inspection', '2024-05-05 10:00:00', null, null, 1, null, null, null, null]),
  };
  const refs = orders.rows.map((row) => row[1]).filter((ref): ref is string => ref !== null);
  const ids = new Set(many.rows.map((row) => row[0]));
  let engine: Engine;
  let profiles: DatasetQuality[];
  beforeAll(async () => {
    const requests = await store(kind, many, 'h_quality_many_sr');
    const works = await store(kind, orders, 'h_quality_many_wo');
    stored.set(`many-sr:${kind}`, requests);
    stored.set(`many-wo:${kind}`, works);
    const opened = await openContractEngine({ kind, stored: requests }, { kind, stored: works });
    engine = opened.engine;
    engines.push(engine);
    dirs.push(opened.dir);
    engine.sent.length = 0;
    profiles = await profileEveryDepartment(engine.state.views, roles, { now: NOW });
  }, 120_000);

  it('reads them a page at a time and counts the matches exactly', () => {
    const works = byDataset(profiles, 'WorkOrder').joins.find((j) => j.join === 'serviceRequest')!;
    expect(works).toMatchObject({ references: refs.length, matched: refs.filter((ref) => ids.has(ref)).length, complete: true });
    expect(works.orphans).toHaveLength(10);
    const requests = byDataset(profiles, 'ServiceRequest').joins.find((j) => j.join === 'workOrders')!;
    expect(requests).toMatchObject({ references: 1200, matched: [...ids].filter((id) => refs.includes(id as string)).length, complete: true });
    const pages = engine.sent.filter((query) => query.method === 'aggregate' && query.query.limit === JOIN_PAGE);
    expect(pages.some((query) => Number(query.query.offset) >= 2 * JOIN_PAGE)).toBe(true);
    expect(Math.max(...engine.sent.map((query) => query.rows))).toBeLessThanOrEqual(JOIN_PAGE);
  });
});

describe('a mapping that says since when its system holds records', () => {
  /** The contract mappings, with `since:` added to the 311 dataset; both departments on PGlite. */
  async function withSince(since: string): Promise<Engine> {
    const { engine, dir } = await openContractEngine({ kind: 'pglite', stored: stored.get('sr:pglite')! }, { kind: 'pglite', stored: stored.get('wo:pglite')! });
    engines.push(engine);
    dirs.push(dir);
    const file = join(dir, 'contract-311.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('    table: sr\n', `    table: sr\n    since: ${since}\n`));
    const env = { CONTRACT_311_URL: stored.get('sr:pglite')!.connection, CONTRACT_WORKS_URL: stored.get('wo:pglite')!.connection };
    const reopened = await openEngine(env, dir);
    engines.push(reopened);
    return reopened;
  }

  it('counts every date field before that day, midnight in the source’s zone, the first date field too', async () => {
    const engine = await withSince('2024-02-01');
    const [result] = await profileDatasets(engine.state.views, roles, 'liaison:311-customer-service', { now: NOW });
    const requested = REQUESTS.rows.map((row) => row[column(REQUESTS, 'requested')] as string);
    const closed = REQUESTS.rows.map((row) => row[column(REQUESTS, 'closed')] as string | null);
    expect(result!.profile!.existedSince).toEqual({ at: '2024-02-01T06:00:00.000Z', from: 'mapping' });
    expect(result!.profile!.dates.find((d) => d.field === 'requestedAt')!.beforeExisted).toBe(requested.filter((at) => at < '2024-02-01').length);
    expect(result!.profile!.dates.find((d) => d.field === 'closedAt')!.beforeExisted).toBe(closed.filter((at) => at !== null && at < '2024-02-01').length);
    expect(requested.filter((at) => at < '2024-02-01').length).toBeGreaterThan(0);
  });

  it('refuses a day that is no calendar day, naming the key', async () => {
    await expect(withSince('2024-13-01')).rejects.toThrow(/since/);
  });
});

describe('a department whose system is down', () => {
  const SECRET = 's3cretPW-h-quality';
  let results: DatasetQuality[];
  beforeAll(async () => {
    stored.set('wo:down', {
      connection: `postgres://civic:${SECRET}@127.0.0.1:1/h_quality_down`,
      sourceSettings: '',
      nested: false,
      queryTimeoutMs: 2000,
      close: async () => {},
    });
    const { engine, dir } = await openContractEngine({ kind: 'pglite', stored: stored.get('sr:pglite')! }, { kind: 'postgres', stored: stored.get('wo:down')! });
    engines.push(engine);
    dirs.push(dir);
    results = await profileEveryDepartment(engine.state.views, roles, { now: NOW });
  }, 60_000);

  it('gets an error naming its source, without the secret, and the other department’s profile still computes', () => {
    const down = results.find((r) => r.dataset === 'WorkOrder')!;
    expect(down.profile).toBeUndefined();
    expect(down.error).toMatchObject({ source: 'contract-works', reason: 'unreachable' });
    expect(down.error!.message).toContain('contract-works');
    expect(JSON.stringify(results)).not.toContain(SECRET);
    const requests = byDataset(results, 'ServiceRequest');
    expect(requests.key?.duplicateRows).toBe(1);
    const join = requests.joins.find((j) => j.join === 'workOrders')!;
    expect(join.error).toMatchObject({ source: 'contract-works', reason: 'unreachable' });
  });
});
