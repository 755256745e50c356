/**
 * The connector contract at the gateway: the same two departments' data (./contract/city.ts)
 * stored in every kind of system — PostgreSQL, MariaDB, PGlite, MongoDB, a REST/JSON API, CSV
 * files — served through the same mappings, must give identical answers to the same GraphQL
 * queries: filters of every operator, ordering, cursor paging, by-id look-ups, statistics,
 * privacy transforms and row rules, and joins between two departments on two different kinds.
 *
 * MongoDB runs on the mingo-backed wire-protocol test server unless MONGODB_URL names a real
 * server; PostgreSQL and MariaDB must be running (the suite fails when they are not).
 */
// Naive date-times must never pass through the Node process's zone: run in one that is not UTC.
process.env.TZ = 'America/Los_Angeles';

import { rm } from 'node:fs/promises';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../support/engine.js';
import { SERVICE_REQUESTS, WORK_ORDERS } from './contract/city.js';
import { openContractEngine } from './contract/engine.js';
import { KINDS, type Kind, store, type Stored } from './contract/systems.js';

const SR_FIELDS = 'id status statusDescription serviceCode serviceName description requestedAt closedAt updatedAt address location { latitude longitude }';
const WO_FIELDS = 'id serviceRequestId status workType createdAt completedAt cost laborHours address location { latitude longitude }';

/** Every query runs as `public` and as `staff`, except where a role is named. */
const QUERIES: Record<string, string> = {
  'every row in key order, with totals': `{ serviceRequests(first: 100, orderBy: [ID_ASC]) { totalCount nodes { ${SR_FIELDS} } } }`,
  'eq on a coded field, ordered by a date-time descending': `{ serviceRequests(filter: { status: { eq: OPEN } }, orderBy: [REQUESTED_AT_DESC]) { totalCount nodes { id requestedAt } } }`,
  'ne and in': `{ serviceRequests(filter: { serviceCode: { ne: "GRAFITI", in: ["PTHOLE", "GRAFITI", "STRTLGT"] } }, orderBy: [SERVICE_CODE_ASC, ID_DESC]) { nodes { id serviceCode } } }`,
  'date-time ranges (lt, lte, gt, gte) in the source zone': `{ serviceRequests(filter: { requestedAt: { gte: "2024-02-01T06:00:00Z", lt: "2024-04-01T05:00:00Z" }, closedAt: { lte: "2024-05-01T00:00:00Z", gt: "2024-01-01T00:00:00Z" } }, orderBy: [CLOSED_AT_ASC]) { nodes { id requestedAt closedAt } } }`,
  'isNull, and, or, not': `{ serviceRequests(filter: { or: [{ closedAt: { isNull: true } }, { and: [{ status: { eq: CLOSED } }, { not: { serviceCode: { eq: "PTHOLE" } } }] }] }, orderBy: [ID_ASC]) { nodes { id status closedAt serviceCode } } }`,
  'contains and startsWith, case-insensitive': `{ workOrders(filter: { or: [{ workType: { contains: "REPAIR" } }, { workType: { startsWith: "insp" } }] }, orderBy: [WORK_TYPE_ASC, ID_ASC]) { nodes { id workType } } }`,
  'numbers: ranges, nulls sorted last ascending': `{ workOrders(filter: { laborHours: { gte: 2.5, lt: 8 } }, orderBy: [COST_ASC, ID_ASC]) { nodes { id cost laborHours } } }`,
  'nulls first descending': `{ workOrders(orderBy: [COMPLETED_AT_DESC, ID_ASC], first: 12) { nodes { id completedAt } } }`,
  'ordering by a recoded status': `{ workOrders(orderBy: [STATUS_ASC, ID_ASC]) { nodes { id status } } }`,
  'cursor paging: first page': `{ workOrders(first: 7, orderBy: [CREATED_AT_ASC]) { pageInfo { hasNextPage endCursor } edges { cursor node { id createdAt } } } }`,
  'backward paging: the last rows, every order key reversed in the source': `{ workOrders(last: 7, orderBy: [CREATED_AT_ASC]) { pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { id createdAt } } } }`,
  'every work order by labour hours, forward in one page': `{ workOrders(first: 1000, orderBy: [LABOR_HOURS_DESC]) { nodes { id } } }`,
  'backward paging: nulls, descending, where the reverse puts them last': `{ workOrders(last: 12, orderBy: [COMPLETED_AT_DESC, ID_ASC]) { pageInfo { hasPreviousPage } nodes { id completedAt } } }`,
  'backward paging: a recoded order and a filter': `{ workOrders(last: 9, orderBy: [STATUS_ASC], filter: { cost: { isNull: false } }) { pageInfo { hasPreviousPage } nodes { id status } } serviceRequests(last: 5, orderBy: [SERVICE_CODE_DESC, REQUESTED_AT_ASC]) { nodes { id serviceCode requestedAt } } }`,
  'by id, and a missing id': `{ a: serviceRequest(id: "SR-2024-0007") { ${SR_FIELDS} } b: serviceRequest(id: "SR-2024-9999") { id } c: workOrder(id: "1017") { ${WO_FIELDS} } }`,
  'statistics by status and month': `{ serviceRequestStats(groupBy: [STATUS, REQUESTED_AT_MONTH]) { key { status requestedAtMonth } count suppressed min { requestedAt } max { closedAt } } }`,
  'statistics with sums and averages': `{ workOrderStats(filter: { cost: { isNull: false } }, groupBy: [STATUS]) { key { status } count suppressed sum { cost laborHours } avg { cost laborHours } min { cost } max { cost createdAt } } }`,
  'statistics by week, without groups too': `{ byWeek: workOrderStats(groupBy: [CREATED_AT_WEEK]) { key { createdAtWeek } count suppressed } all: workOrderStats { count sum { cost } } }`,
  'join: each request with its work orders (two systems)': `{ serviceRequests(first: 100, orderBy: [ID_ASC]) { nodes { id workOrders(orderBy: [CREATED_AT_DESC]) { id createdAt status } } } }`,
  'join with a per-parent first and filter': `{ serviceRequests(first: 100, orderBy: [ID_ASC]) { nodes { id workOrders(first: 1, orderBy: [COST_DESC], filter: { status: { ne: CANCELLED } }) { id cost } } } }`,
  'join back: each work order’s request': `{ workOrders(first: 100, orderBy: [ID_ASC]) { nodes { id serviceRequestId serviceRequest { id status address } } } }`,
};

const STAFF_ONLY: Record<string, string> = {
  'one address across both systems': `{ address(line: "1163 west 24th street") { line serviceRequests(orderBy: [ID_ASC]) { totalCount nodes { id address } } workOrders(orderBy: [ID_ASC]) { totalCount nodes { id address } } } }`,
  'one address, paged backward': `{ address(line: "1163 west 24th street") { serviceRequests(last: 2, orderBy: [ID_ASC]) { pageInfo { hasPreviousPage hasNextPage } nodes { id } } workOrders(last: 1, orderBy: [CREATED_AT_DESC]) { pageInfo { hasPreviousPage } nodes { id } } } }`,
  'an instant column': `{ serviceRequests(filter: { updatedAt: { gte: "2024-03-10T00:00:00Z" } }, orderBy: [UPDATED_AT_ASC, ID_ASC], first: 5) { nodes { id updatedAt } } }`,
  'filters on fields the public reads only transformed': `{ serviceRequests(filter: { address: { startsWith: "500 s" }, description: { contains: "CALL ME" } }, orderBy: [ID_ASC]) { nodes { id address description callerPhone } } }`,
  'grouping by a normalised address': `{ workOrderStats(groupBy: [ADDRESS]) { key { address } count } }`,
};

/** Filters, orders and groups on what the public reads through a transform, computed by each kind of system. */
const PUBLIC_ONLY: Record<string, string> = {
  'hundred blocks: in, ordered descending': `{ serviceRequests(filter: { address: { in: ["11XX W 24TH ST", "5XX S HALSTED ST"] } }, orderBy: [ADDRESS_DESC]) { totalCount nodes { id address } } }`,
  'hundred blocks: startsWith, ne, isNull, ordered ascending': `{ workOrders(filter: { or: [{ address: { startsWith: "0xx" } }, { address: { isNull: true } }], address: { ne: "0XX E LAKE DR" } }, orderBy: [ADDRESS_ASC]) { nodes { id address } } }`,
  'hundred blocks: statistics': `{ serviceRequestStats(groupBy: [ADDRESS]) { key { address } count suppressed } workOrderStats(groupBy: [ADDRESS, STATUS]) { key { address status } count suppressed } }`,
  'rounded positions: within, a box, coordinates; ordered by them': `{ near: serviceRequests(filter: { location: { within: { latitude: 41.85, longitude: -87.65, meters: 3000 }, latitude: { gte: 41.82 } } }, orderBy: [LOCATION_LATITUDE_ASC, LOCATION_LONGITUDE_DESC]) { totalCount nodes { id location { latitude longitude } } } box: serviceRequests(filter: { location: { box: { south: 41.81, west: -87.68, north: 41.86, east: -87.62 } } }, orderBy: [LOCATION_LONGITUDE_ASC]) { nodes { id location { latitude longitude } } } }`,
  'rounded positions: statistics per cell': `{ serviceRequestStats(groupBy: [LOCATION]) { key { location { latitude longitude } } count suppressed } }`,
  'places: every row of both departments, with its block and point': `{ serviceRequests(first: 100, orderBy: [ID_ASC]) { nodes { id address location { latitude longitude } } } workOrders(first: 100, orderBy: [ID_ASC]) { nodes { id address location { latitude longitude } } } }`,
  'places: work orders within, in a box, on a coordinate, without a point; ordered by place': `{ near: workOrders(filter: { location: { within: { latitude: 41.84, longitude: -87.66, meters: 2500 } } }, orderBy: [LOCATION_LONGITUDE_DESC]) { nodes { id location { latitude longitude } } } far: workOrders(filter: { not: { location: { within: { latitude: 41.84, longitude: -87.66, meters: 2500 } } } }, orderBy: [LOCATION_LATITUDE_ASC]) { nodes { id location { latitude longitude } } } box: workOrders(filter: { location: { box: { south: 41.8, west: -87.7, north: 41.86, east: -87.6 } } }) { nodes { id } } north: workOrders(filter: { location: { latitude: { gt: 41.84 } } }) { nodes { id } } none: workOrders(filter: { location: { latitude: { isNull: true } } }) { nodes { id } } }`,
  'places: statistics of work orders per block and place': `{ workOrderStats(groupBy: [ADDRESS, LOCATION]) { key { address location { latitude longitude } } count suppressed } }`,
  'truncated instants: ranges, order and statistics': `{ serviceRequests(filter: { updatedAt: { gte: "2024-03-15T00:00:00Z", lte: "2024-06-01T00:00:00Z", ne: "2024-05-01T00:00:00Z" } }, orderBy: [UPDATED_AT_DESC]) { nodes { id updatedAt } } serviceRequestStats(groupBy: [UPDATED_AT]) { key { updatedAt } count suppressed } }`,
};

const PUBLIC_REFUSED: Record<string, string> = {
  'a filter on redacted text is refused': `{ serviceRequests(filter: { description: { contains: "312" } }) { totalCount } }`,
  'a hidden field does not exist': `{ serviceRequests { nodes { callerPhone } } }`,
  'the address entry point does not exist where addresses are read as hundred blocks': `{ address(line: "1163 W 24TH ST") { line } }`,
};

/** The cursor of the first page, replayed on the second: the page must follow on in every system. */
const SECOND_PAGE = `query($after: String) { workOrders(first: 7, after: $after, orderBy: [CREATED_AT_ASC]) { pageInfo { hasNextPage } nodes { id createdAt } } }`;

/** A page backward from a cursor: counted from the end (a backward page's) or from the start (a forward page's). */
const PAGE_BEFORE = `query($before: String!) { workOrders(last: 3, before: $before, orderBy: [CREATED_AT_ASC]) { pageInfo { hasPreviousPage hasNextPage startCursor } nodes { id createdAt } } }`;

type PageAnswer = ExecutionResult<{ workOrders: { pageInfo: { hasPreviousPage: boolean; startCursor: string }; nodes: Array<{ id: string }> } }>;

/** Every work order's id, read backward page by page from the end: must be the forward order, and the same in every system. */
async function everyPageBackward(engine: Engine, role: string): Promise<string[]> {
  const query = `query($before: String) { workOrders(last: 6, before: $before, orderBy: [LABOR_HOURS_DESC]) { pageInfo { hasPreviousPage startCursor } nodes { id } } }`;
  const pages: string[][] = [];
  let before: string | undefined;
  for (let page = 0; page < 100; page++) {
    const { data, errors } = (await engine.run(query, { before }, role)) as PageAnswer;
    if (!data) throw new Error(JSON.stringify(errors));
    pages.unshift(data.workOrders.nodes.map((node) => node.id));
    if (!data.workOrders.pageInfo.hasPreviousPage) return pages.flat();
    before = data.workOrders.pageInfo.startCursor;
  }
  throw new Error('backward paging did not reach the first row');
}

/** The answers `answers` collects by following cursors. */
const PAGED = ['cursor paging: second page', 'backward paging: the page before the last', "backward paging: before a forward page's cursor", 'backward paging: every page'];

type Answers = Record<string, ExecutionResult>;

async function answers(engine: Engine): Promise<Answers> {
  const out: Answers = {};
  const json = (result: ExecutionResult) => JSON.parse(JSON.stringify(result)) as ExecutionResult;
  for (const role of ['public', 'staff']) {
    for (const [name, query] of Object.entries(QUERIES)) out[`${role}: ${name}`] = json(await engine.run(query, undefined, role));
    const first = (await engine.run(QUERIES['cursor paging: first page']!, undefined, role)) as ExecutionResult<{ workOrders: { pageInfo: { endCursor: string } } }>;
    out[`${role}: cursor paging: second page`] = json(await engine.run(SECOND_PAGE, { after: first.data?.workOrders.pageInfo.endCursor }, role));
    const last = (await engine.run(QUERIES['backward paging: the last rows, every order key reversed in the source']!, undefined, role)) as PageAnswer;
    out[`${role}: backward paging: the page before the last`] = json(await engine.run(PAGE_BEFORE, { before: last.data?.workOrders.pageInfo.startCursor }, role));
    out[`${role}: backward paging: before a forward page's cursor`] = json(await engine.run(PAGE_BEFORE, { before: first.data?.workOrders.pageInfo.endCursor }, role));
    out[`${role}: backward paging: every page`] = { data: { ids: await everyPageBackward(engine, role) } };
  }
  for (const [name, query] of Object.entries(STAFF_ONLY)) out[`staff: ${name}`] = json(await engine.run(query, undefined, 'staff'));
  for (const [name, query] of Object.entries(PUBLIC_ONLY)) out[`public: ${name}`] = json(await engine.run(query, undefined, 'public'));
  for (const [name, query] of Object.entries(PUBLIC_REFUSED)) out[`public: ${name}`] = json(await engine.run(query, undefined, 'public'));
  return out;
}

/** Every kind serves each department once, always beside a department on another kind. */
const PAIRS: Array<[Kind, Kind]> = KINDS.map((kind, i) => [kind, KINDS[(i + 1) % KINDS.length]!]);

const stored = new Map<string, Stored>();
const dirs: string[] = [];
let baseline: Answers;

async function engineFor(requests: Kind, works: Kind): Promise<Engine> {
  const { engine, dir } = await openContractEngine(
    { kind: requests, stored: stored.get(`sr:${requests}`)! },
    { kind: works, stored: stored.get(`wo:${works}`)! },
  );
  dirs.push(dir);
  return engine;
}

beforeAll(async () => {
  for (const kind of KINDS) {
    stored.set(`sr:${kind}`, await store(kind, SERVICE_REQUESTS, 'civicgraph_contract_sr'));
    stored.set(`wo:${kind}`, await store(kind, WORK_ORDERS, 'civicgraph_contract_wo'));
  }
  const engine = await engineFor('postgres', 'postgres');
  try {
    baseline = await answers(engine);
  } finally {
    await engine.close();
  }
}, 300_000);

afterAll(async () => {
  await Promise.all([...stored.values()].map((s) => s.close()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the reference answers (both departments on PostgreSQL)', () => {
  it('answer every query without errors, except the refused ones', () => {
    for (const [name, result] of Object.entries(baseline)) {
      if (name.startsWith('public: ') && name.slice(8) in PUBLIC_REFUSED) expect(result.errors?.length, name).toBeGreaterThan(0);
      else expect(result.errors, `${name}: ${JSON.stringify(result.errors)}`).toBeUndefined();
    }
  });

  it('are not trivial: filters select some rows but not all, joins and statistics find rows', () => {
    const count = (name: string) => (baseline[name]!.data as { serviceRequests: { nodes: unknown[] } }).serviceRequests.nodes.length;
    for (const name of ['staff: eq on a coded field, ordered by a date-time descending', 'staff: ne and in', 'staff: isNull, and, or, not', 'staff: date-time ranges (lt, lte, gt, gte) in the source zone']) {
      expect(count(name), name).toBeGreaterThan(0);
      expect(count(name), name).toBeLessThan(SERVICE_REQUESTS.rows.length);
    }
    const joined = (baseline['staff: join: each request with its work orders (two systems)']!.data as { serviceRequests: { nodes: Array<{ workOrders: unknown[] }> } }).serviceRequests.nodes;
    expect(joined.filter((request) => request.workOrders.length > 1).length).toBeGreaterThan(0);
    const groups = (baseline['staff: statistics by status and month']!.data as { serviceRequestStats: unknown[] }).serviceRequestStats;
    expect(groups.length).toBeGreaterThan(3);
  });

  it('page backward like forward: the last rows, the rows before a cursor, and every page back to the first in forward order', () => {
    type Page = { pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean }; edges: Array<{ node: { id: string } }>; nodes: Array<{ id: string }> };
    const page = (name: string) => (baseline[name]!.data as { workOrders: Page }).workOrders;
    const forward = (baseline['staff: every work order by labour hours, forward in one page']!.data as { workOrders: Page }).workOrders.nodes.map((node) => node.id);
    expect(forward).toHaveLength(WORK_ORDERS.rows.length);
    expect((baseline['staff: backward paging: every page']!.data as { ids: string[] }).ids).toEqual(forward);
    const last = page('staff: backward paging: the last rows, every order key reversed in the source');
    expect(last.edges).toHaveLength(7);
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = page('staff: backward paging: the page before the last');
    expect(before.nodes).toHaveLength(3);
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(page("staff: backward paging: before a forward page's cursor").nodes).toEqual(
      (baseline['staff: cursor paging: first page']!.data as { workOrders: Page }).workOrders.edges.slice(3, 6).map((edge) => edge.node).map(({ id }) => ({ id, createdAt: expect.any(String) })),
    );
  });

  it('filter, order and group the public on the values it reads: some rows but not all, every one served alike', () => {
    type Node = { address?: string | null; location?: { latitude: number; longitude: number } | null; updatedAt?: string };
    const nodes = (name: string, root: string): Node[] => (baseline[`public: ${name}`]!.data as Record<string, { nodes: Node[] }>)[root]!.nodes;
    const blocks = nodes('hundred blocks: in, ordered descending', 'serviceRequests');
    expect(blocks.length).toBeGreaterThan(0);
    expect(new Set(blocks.map((node) => node.address))).toEqual(new Set(['11XX W 24TH ST', '5XX S HALSTED ST']));
    expect(blocks.map((node) => node.address)).toEqual([...blocks.map((node) => node.address)].sort().reverse());
    const near = nodes('rounded positions: within, a box, coordinates; ordered by them', 'near');
    expect(near.length).toBeGreaterThan(0);
    expect(near.length).toBeLessThan(SERVICE_REQUESTS.rows.length);
    const updated = nodes('truncated instants: ranges, order and statistics', 'serviceRequests').map((node) => node.updatedAt);
    expect(updated.length).toBeGreaterThan(0);
    expect(updated.every((at) => at === '2024-04-01T00:00:00.000Z' || at === '2024-06-01T00:00:00.000Z')).toBe(true);
    const cells = (baseline['public: rounded positions: statistics per cell']!.data as { serviceRequestStats: Array<{ suppressed: boolean }> }).serviceRequestStats;
    expect(cells.some((cell) => !cell.suppressed)).toBe(true);
  });

  it('serve the public one point per hundred block across both departments, and filter it as the served rows filter in memory', () => {
    type Placed = { id: string; address: string | null; location: { latitude: number; longitude: number } | null };
    const data = baseline['public: places: every row of both departments, with its block and point']!.data as { serviceRequests: { nodes: Placed[] }; workOrders: { nodes: Placed[] } };
    const rows = [...data.serviceRequests.nodes, ...data.workOrders.nodes];
    const perBlock = new Map<string | null, Set<string>>();
    for (const row of rows) perBlock.set(row.address, new Set([...(perBlock.get(row.address) ?? []), JSON.stringify(row.location)]));
    expect(perBlock.get(null) ?? new Set(['null'])).toEqual(new Set(['null']));
    for (const [block, points] of perBlock) if (block !== null) expect([...points], block).toHaveLength(1);
    expect([...perBlock.keys()].filter((block) => block !== null).length).toBeGreaterThan(2);

    const works = data.workOrders.nodes;
    const answer = baseline['public: places: work orders within, in a box, on a coordinate, without a point; ordered by place']!.data as Record<string, { nodes: Placed[] }>;
    const ids = (list: readonly Placed[]) => list.map((row) => row.id).sort();
    const perDegree = (6_371_008.8 * Math.PI) / 180;
    const within = (at: Placed['location']) => {
      if (!at) return false;
      const [north, east] = [(at.latitude - 41.84) * perDegree, (at.longitude + 87.66) * perDegree * Math.cos((41.84 * Math.PI) / 180)];
      return north * north + east * east <= 2500 * 2500;
    };
    expect(ids(answer.near!.nodes)).toEqual(ids(works.filter((row) => within(row.location))));
    expect(ids(answer.far!.nodes)).toEqual(ids(works.filter((row) => !within(row.location))));
    expect(answer.near!.nodes.length).toBeGreaterThan(0);
    expect(answer.far!.nodes.length).toBeGreaterThan(0);
    expect(ids(answer.box!.nodes)).toEqual(ids(works.filter(({ location: at }) => at !== null && at.latitude >= 41.8 && at.latitude <= 41.86 && at.longitude >= -87.7 && at.longitude <= -87.6)));
    expect(ids(answer.north!.nodes)).toEqual(ids(works.filter((row) => row.location !== null && row.location.latitude > 41.84)));
    expect(ids(answer.none!.nodes)).toEqual(ids(works.filter((row) => row.location === null)));
    // Ordered by the place's coordinate, ties by id.
    const longitudes = answer.near!.nodes.map((row) => row.location!.longitude);
    expect(longitudes).toEqual([...longitudes].sort((a, b) => b - a));

    const groups = (baseline['public: places: statistics of work orders per block and place']!.data as { workOrderStats: Array<{ key: { address: string | null; location: unknown } }> }).workOrderStats;
    const keys = new Map<string | null, Set<string>>();
    for (const group of groups) keys.set(group.key.address, new Set([...(keys.get(group.key.address) ?? []), JSON.stringify(group.key.location)]));
    for (const [block, points] of keys) expect([...points], String(block)).toEqual([...(perBlock.get(block) ?? new Set(['null']))]);
  });

  it('apply the privacy rules: withheld rows, hundred blocks, redaction, rounding, truncation', () => {
    type Row = { serviceCode: string; address: string | null; description: string | null; location: { latitude: number } | null; updatedAt: string };
    const rows = (role: string) => (baseline[`${role}: every row in key order, with totals`]!.data as { serviceRequests: { nodes: Row[] } }).serviceRequests.nodes;
    expect(rows('staff').some((row) => row.serviceCode === 'HOMELESS')).toBe(true);
    expect(rows('public').some((row) => row.serviceCode === 'HOMELESS')).toBe(false);
    expect(rows('public').filter((row) => row.address).every((row) => /^\d*XX /.test(row.address!))).toBe(true);
    expect(rows('public').some((row) => row.description?.includes('312-555'))).toBe(false);
    expect(rows('staff').some((row) => row.description?.includes('312-555'))).toBe(true);
    expect(rows('public').every((row) => row.location === null || Math.abs(row.location.latitude * 100 - Math.round(row.location.latitude * 100)) < 1e-9)).toBe(true);
    expect(rows('public').every((row) => /^2024-\d\d-01T/.test(row.updatedAt))).toBe(true);
  });
});

describe.each(PAIRS)('311 on %s, work orders on %s', (requests, works) => {
  let engine: Engine;
  let got: Answers;
  beforeAll(async () => {
    engine = await engineFor(requests, works);
    got = await answers(engine);
  }, 300_000);
  afterAll(async () => {
    await engine?.close();
  });

  it.each(Object.keys({ ...QUERIES }).flatMap((name) => [`public: ${name}`, `staff: ${name}`]).concat(
    PAGED.flatMap((name) => [`public: ${name}`, `staff: ${name}`]),
    Object.keys(STAFF_ONLY).map((name) => `staff: ${name}`),
    Object.keys(PUBLIC_ONLY).map((name) => `public: ${name}`),
    Object.keys(PUBLIC_REFUSED).map((name) => `public: ${name}`),
  ))('%s', (name) => {
    expect(got[name]).toEqual(baseline[name]);
  });
});
