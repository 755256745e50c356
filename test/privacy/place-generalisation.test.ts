/**
 * Generalisation that survives comparison. The public reads a 311 case's position and its work
 * orders' positions, each "rounded to 3 decimals" (about 110 m); a work order lies a few metres
 * from its case, so where the two were rounded separately and landed in different cells, the
 * true point lay on the boundary between them — pinned to metres. Positions are now served per
 * place: every record at one hundred block, in every dataset, serves that block's one point.
 *
 * The probes attack the demo (PostgreSQL) over HTTP as `public`, with the raw data read straight
 * from the departments' databases as ground truth: the boundary reconstruction across cases,
 * work orders and neighbours; filters, circles and boxes against filtering the served rows in
 * memory; a grid of circles that tries to triangulate a raw position; and the same through
 * joins, pages, statistics and other roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundTo } from '../../src/privacy/coordinates.js';
import { APP_TOKEN, bearer, exactLocationsIn, openWorld, postTo, secretsIn, shortCase, type HttpAnswer, type World } from './probe-support.js';

let w: World;

beforeAll(async () => {
  w = await openWorld('general_place');
}, 180_000);

afterAll(async () => {
  await w?.close();
});

type Position = { latitude: number; longitude: number };
interface Served {
  id: string;
  address: string | null;
  location: Position | null;
  serviceRequestId?: string | null;
}

function served(answer: HttpAnswer): any {
  expect(answer.body?.errors, answer.text).toBeUndefined();
  expect(answer.status, answer.text).toBe(200);
  return answer.body.data;
}

const pub = (query: string, variables?: Record<string, unknown>) => w.pub(query, variables);

/** Every row of a dataset the public reads, matching `filter`, page after page. */
async function readAll(many: 'serviceRequests' | 'workOrders', options: { filter?: string; orderBy?: string } = {}): Promise<Served[]> {
  const extra = many === 'workOrders' ? ' serviceRequestId' : '';
  const rows: Served[] = [];
  let after: string | null = null;
  for (;;) {
    const args = [`first: 1000`, 'after: $after', options.filter ? `filter: ${options.filter}` : '', `orderBy: [${options.orderBy ?? 'ID_ASC'}]`].filter(Boolean).join(', ');
    const page: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Served[] } = served(
      await pub(`query($after: String) { ${many}(${args}) { pageInfo { hasNextPage endCursor } nodes { id address location { latitude longitude }${extra} } } }`, { after }),
    )[many];
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

const M_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;
function metres(a: Position, b: Position): number {
  return Math.hypot((a.latitude - b.latitude) * M_PER_DEGREE, (a.longitude - b.longitude) * M_PER_DEGREE * Math.cos((a.latitude * Math.PI) / 180));
}
const offset = (origin: Position, north: number, east: number): Position => ({
  latitude: origin.latitude + north / M_PER_DEGREE,
  longitude: origin.longitude + east / (M_PER_DEGREE * Math.cos((origin.latitude * Math.PI) / 180)),
});
const sorted = (rows: readonly { id: string }[]) => rows.map((row) => row.id).sort();
const key = (position: Position | null) => JSON.stringify(position);

/**
 * The attack of the issue: for each case and each of its work orders, on each axis where the two
 * served coordinates fall in neighbouring cells, the true coordinate is taken to be the boundary
 * between them. Returns, per case pinned on some axis, the error of that guess in metres.
 */
function boundaryAttack(pairs: ReadonlyArray<{ caseAt: Position; workAt: Position; raw: Position }>, cell: number): number[] {
  const errors: number[] = [];
  for (const { caseAt, workAt, raw } of pairs) {
    for (const axis of ['latitude', 'longitude'] as const) {
      const gap = Math.abs(caseAt[axis] - workAt[axis]);
      if (Math.abs(gap - cell) > cell / 100) continue;
      const boundary = (caseAt[axis] + workAt[axis]) / 2;
      const scale = axis === 'latitude' ? M_PER_DEGREE : M_PER_DEGREE * Math.cos((raw.latitude * Math.PI) / 180);
      errors.push(Math.abs(boundary - raw[axis]) * scale);
    }
  }
  return errors;
}

interface Scene {
  requests: Served[];
  workOrders: Served[];
  /** The raw position of each row the public reads, by dataset and id, from the databases. */
  rawRequest: Map<string, Position>;
  rawWork: Map<string, Position>;
}
let scene: Scene | undefined;

async function theScene(): Promise<Scene> {
  if (scene) return scene;
  const [requests, workOrders] = [await readAll('serviceRequests'), await readAll('workOrders')];
  const position = (latitude: unknown, longitude: unknown): Position | undefined =>
    latitude === null || longitude === null ? undefined : { latitude: Number(latitude), longitude: Number(longitude) };
  const rawRequest = new Map(w.truth.requests.flatMap((row) => {
    const at = position(row.LAT_NUM, row.LON_NUM);
    return at ? [[row.CASE_NO, at] as const] : [];
  }));
  const rawWork = new Map(w.truth.workOrders.flatMap((row) => {
    const at = position(row.woycoord, row.woxcoord);
    return at ? [[String(row.workorderid), at] as const] : [];
  }));
  scene = { requests, workOrders, rawRequest, rawWork };
  return scene;
}

describe('comparing a case with its work orders and its neighbours', () => {
  it('the attack bites on positions rounded per record: it pins hundreds of cases to metres (the control)', async () => {
    const { workOrders, rawRequest, rawWork } = await theScene();
    const pairs = workOrders.flatMap((order) => {
      const raw = order.serviceRequestId ? rawRequest.get(order.serviceRequestId) : undefined;
      const work = rawWork.get(order.id);
      if (!raw || !work) return [];
      const round = (at: Position) => ({ latitude: roundTo(at.latitude, 3), longitude: roundTo(at.longitude, 3) });
      return [{ caseAt: round(raw), workAt: round(work), raw }];
    });
    expect(pairs.length).toBeGreaterThan(100);
    const errors = boundaryAttack(pairs, 0.001).sort((a, b) => a - b);
    expect(errors.length).toBeGreaterThan(10);
    // Most guesses land within metres of the truth: what the public could do before.
    expect(errors[Math.floor(errors.length / 2)]!).toBeLessThan(10);
  });

  it('finds nothing in what the public is served: a case and its work orders read one point, and no case is pinned', async () => {
    const { requests, workOrders, rawRequest } = await theScene();
    const caseById = new Map(requests.map((row) => [row.id, row]));
    const pairs = workOrders.flatMap((order) => {
      const request = order.serviceRequestId ? caseById.get(order.serviceRequestId) : undefined;
      const raw = order.serviceRequestId ? rawRequest.get(order.serviceRequestId) : undefined;
      if (!request?.location || !order.location || !raw) return [];
      return [{ caseAt: request.location, workAt: order.location, raw, sameBlock: request.address === order.address }];
    });
    expect(pairs.length).toBeGreaterThan(100);
    // On one block, a case and its work order serve the very same point.
    for (const pair of pairs.filter((pair) => pair.sameBlock)) expect(pair.workAt).toEqual(pair.caseAt);
    expect(pairs.filter((pair) => pair.sameBlock).length).toBeGreaterThan(pairs.length * 0.9);
    expect(boundaryAttack(pairs, 0.001)).toEqual([]);
  });

  it('serves one point per hundred block, in both datasets: the rounded mean of the raw positions of the rows the public reads there', async () => {
    const { requests, workOrders, rawRequest, rawWork } = await theScene();
    const byBlock = new Map<string, { points: Set<string>; sum: Position; count: number }>();
    for (const [rows, raw] of [[requests, rawRequest], [workOrders, rawWork]] as const) {
      for (const row of rows) {
        if (row.address === null) {
          expect(row.location, `${row.id} has no block`).toBeNull();
          continue;
        }
        const block = byBlock.get(row.address) ?? { points: new Set(), sum: { latitude: 0, longitude: 0 }, count: 0 };
        byBlock.set(row.address, block);
        block.points.add(key(row.location));
        const at = raw.get(row.id);
        if (at) block.sum = { latitude: block.sum.latitude + at.latitude, longitude: block.sum.longitude + at.longitude };
        if (at) block.count++;
      }
    }
    expect(byBlock.size).toBeGreaterThan(50);
    let checked = 0;
    for (const [address, block] of byBlock) {
      expect([...block.points], address).toHaveLength(1);
      const point = JSON.parse([...block.points][0]!) as Position | null;
      if (block.count === 0) continue;
      expect(point, address).not.toBeNull();
      for (const axis of ['latitude', 'longitude'] as const) {
        const mean = block.sum[axis] / block.count;
        // Sums in another order may differ in the last bit: only a mean on a cell's edge could round the other way.
        const onEdge = Math.abs(Math.abs((mean * 1000) % 1) - 0.5) < 1e-6;
        if (!onEdge) expect(point![axis], `${address} ${axis}`).toBe(roundTo(mean, 3));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('never serves a neighbour-differencing pin either: no two records at one block differ, so no boundary lies between them', async () => {
    const { requests, workOrders, rawRequest, rawWork } = await theScene();
    // For every record, the best the public can say is "somewhere in the cell of my block's point", and
    // for records that do not sit on their block's point, that is often more than 100 m away: the point is the block's, not theirs.
    const distances = [
      ...requests.flatMap((row) => (row.location && rawRequest.get(row.id) ? [metres(row.location, rawRequest.get(row.id)!)] : [])),
      ...workOrders.flatMap((row) => (row.location && rawWork.get(row.id) ? [metres(row.location, rawWork.get(row.id)!)] : [])),
    ].sort((a, b) => a - b);
    expect(distances.length).toBeGreaterThan(1000);
    // Records at a block with several records read a point that is not their own; the median lies tens of metres from the truth.
    expect(distances[Math.floor(distances.length / 2)]!).toBeGreaterThan(20);
    const rounded = requests.filter((row) => row.location && rawRequest.get(row.id));
    const apart = rounded.filter((row) => {
      const raw = rawRequest.get(row.id)!;
      return row.location!.latitude !== roundTo(raw.latitude, 3) || row.location!.longitude !== roundTo(raw.longitude, 3);
    });
    // Many requests are served a point other than their own rounding: what the public reads is a place, not the record.
    expect(apart.length).toBeGreaterThan(rounded.length * 0.1);
  });
});

describe('filters, circles and boxes on place points', () => {
  const inMemory = (rows: readonly Served[], test: (at: Position | null) => boolean) => sorted(rows.filter((row) => test(row.location)));

  it('give the rows that filtering the served rows in memory gives, for requests and work orders', async () => {
    const { requests, workOrders } = await theScene();
    for (const [many, rows] of [['serviceRequests', requests], ['workOrders', workOrders]] as const) {
      const someone = rows.find((row) => row.location)!.location!;
      const circles = [0, 150, 600, 2500].map((meters) => ({ center: offset(someone, 40, -30), meters }));
      for (const { center, meters } of circles) {
        const filter = `{ location: { within: { latitude: ${center.latitude}, longitude: ${center.longitude}, meters: ${meters} } } }`;
        const near = inMemory(rows, (at) => at !== null && metres(center, at) <= meters + 1e-6);
        const far = inMemory(rows, (at) => at === null || metres(center, at) > meters + 1e-6);
        expect(sorted(await readAll(many, { filter })), `${many} within ${meters} m`).toEqual(near);
        expect(sorted(await readAll(many, { filter: `{ not: ${filter} }` })), `${many} not within ${meters} m`).toEqual(far);
      }
      const box = { south: someone.latitude - 0.004, west: someone.longitude - 0.006, north: someone.latitude + 0.003, east: someone.longitude + 0.002 };
      expect(sorted(await readAll(many, { filter: `{ location: { box: { south: ${box.south}, west: ${box.west}, north: ${box.north}, east: ${box.east} } } }` })), `${many} box`).toEqual(
        inMemory(rows, (at) => at !== null && at.latitude >= box.south && at.latitude <= box.north && at.longitude >= box.west && at.longitude <= box.east),
      );
      expect(sorted(await readAll(many, { filter: `{ location: { latitude: { gte: ${someone.latitude} }, longitude: { lt: ${someone.longitude} } } }` })), `${many} ranges`).toEqual(
        inMemory(rows, (at) => at !== null && at.latitude >= someone.latitude && at.longitude < someone.longitude),
      );
      expect(sorted(await readAll(many, { filter: `{ location: { latitude: { eq: ${someone.latitude} } } }` })), `${many} eq`).toEqual(inMemory(rows, (at) => at?.latitude === someone.latitude));
      expect(sorted(await readAll(many, { filter: `{ location: { latitude: { ne: ${someone.latitude} } } }` })), `${many} ne`).toEqual(inMemory(rows, (at) => at?.latitude !== someone.latitude));
      expect(sorted(await readAll(many, { filter: '{ location: { latitude: { isNull: true } } }' })), `${many} isNull`).toEqual(inMemory(rows, (at) => at === null));
    }
  }, 300_000);

  it('order by the place points, ties by id, and give each row the point it reads in any order or page', async () => {
    const { requests } = await theScene();
    const byLatitude = await readAll('serviceRequests', { orderBy: 'LOCATION_LATITUDE_DESC' });
    const expected = [...requests].sort((a, b) => {
      const [x, y] = [a.location?.latitude ?? null, b.location?.latitude ?? null];
      if (x !== y) return x === null ? -1 : y === null ? 1 : y - x;
      return a.id < b.id ? -1 : 1;
    });
    expect(byLatitude.map((row) => row.id)).toEqual(expected.map((row) => row.id));
    const pointOf = new Map(requests.map((row) => [row.id, key(row.location)]));
    for (const row of byLatitude) expect(key(row.location), row.id).toBe(pointOf.get(row.id));
  }, 120_000);

  it('cannot triangulate a raw position: a grid of small circles finds the block point, never the record', async () => {
    const { workOrders, rawWork } = await theScene();
    // A work order whose raw position lies well away from its block's point.
    const target = workOrders.find((row) => row.location && rawWork.get(row.id) && metres(row.location, rawWork.get(row.id)!) > 40)!;
    expect(target).toBeDefined();
    const raw = rawWork.get(target.id)!;
    const read = target.location!;
    const radius = 25;
    const centers: Position[] = [];
    for (let north = -75; north <= 75; north += 15) for (let east = -75; east <= 75; east += 15) centers.push(offset(raw, north, east));
    const usable = centers.filter((center) => Math.abs(metres(center, read) - radius) > 1 && Math.abs(metres(center, raw) - radius) > 1);
    const matched: Position[] = [];
    for (let start = 0; start < usable.length; start += 10) {
      const chunk = usable.slice(start, start + 10);
      const fields = chunk.map((center, i) => `a${i}: workOrders(filter: { id: { eq: "${target.id}" }, location: { within: { latitude: ${center.latitude}, longitude: ${center.longitude}, meters: ${radius} } } }) { totalCount }`);
      const data = served(await pub(`{ ${fields.join(' ')} }`));
      chunk.forEach((center, i) => data[`a${i}`].totalCount === 1 && matched.push(center));
    }
    expect(matched).toEqual(usable.filter((center) => metres(center, read) <= radius));
    expect(usable.filter((center) => metres(center, raw) <= radius)).not.toEqual(matched);
  }, 120_000);
});

describe('a hostile outsider, by other routes', () => {
  it('joins: a case and the work orders joined to it read the points of their blocks, as in the lists', async () => {
    const { requests, workOrders } = await theScene();
    const withOrders = [...new Set(workOrders.map((row) => row.serviceRequestId).filter((id): id is string => Boolean(id)))].slice(0, 60);
    const data = served(await pub(`{ serviceRequests(filter: { id: { in: ${JSON.stringify(withOrders)} } }, first: 60) { nodes { id location { latitude longitude } workOrders { id location { latitude longitude } } } } }`));
    const listed = new Map([...requests, ...workOrders].map((row) => [row.id, key(row.location)]));
    let joined = 0;
    for (const request of data.serviceRequests.nodes as Array<Served & { workOrders: Served[] }>) {
      expect(key(request.location)).toBe(listed.get(request.id));
      for (const order of request.workOrders) {
        expect(key(order.location)).toBe(listed.get(order.id));
        joined++;
      }
    }
    expect(joined).toBeGreaterThan(20);
    // The other way round, and through the address entry point.
    const order = workOrders.find((row) => row.serviceRequestId && row.location)!;
    const back = served(await pub(`{ workOrder(id: "${order.id}") { location { latitude longitude } serviceRequest { id location { latitude longitude } } } }`)).workOrder;
    expect(key(back.location)).toBe(listed.get(order.id));
    expect(key(back.serviceRequest.location)).toBe(listed.get(back.serviceRequest.id));
  });

  it('statistics: one location per hundred block, and each place counted as its served rows', async () => {
    const { workOrders } = await theScene();
    const groups: Array<{ key: { address: string | null; location: Position | null }; count: number | null; suppressed: boolean }> = served(
      await pub('{ workOrderStats(groupBy: [ADDRESS, LOCATION]) { key { address location { latitude longitude } } count suppressed } }'),
    ).workOrderStats;
    const perBlock = new Map<string | null, Set<string>>();
    for (const group of groups) perBlock.set(group.key.address, new Set([...(perBlock.get(group.key.address) ?? []), key(group.key.location)]));
    for (const [address, points] of perBlock) expect(points.size, String(address)).toBe(1);
    const perPlace: Array<{ key: { location: Position | null }; count: number | null; suppressed: boolean }> = served(
      await pub('{ workOrderStats(groupBy: [LOCATION]) { key { location { latitude longitude } } count suppressed } }'),
    ).workOrderStats;
    const counts = new Map<string, number>();
    for (const row of workOrders) counts.set(key(row.location), (counts.get(key(row.location)) ?? 0) + 1);
    expect(new Set(perPlace.map((group) => key(group.key.location)))).toEqual(new Set(counts.keys()));
    for (const group of perPlace) if (!group.suppressed) expect(group.count).toBe(counts.get(key(group.key.location)));
    expect(perPlace.some((group) => !group.suppressed)).toBe(true);
  });

  it('roles: an app token reads what anonymous callers read; staff read raw positions, which never reach the public', async () => {
    const { requests, rawRequest } = await theScene();
    const sample = requests.filter((row) => row.location).slice(0, 20);
    const query = `{ serviceRequests(filter: { id: { in: ${JSON.stringify(sample.map((row) => row.id))} } }, first: 20) { nodes { id location { latitude longitude } } } }`;
    const anonymous = served(await pub(query));
    const app = await postTo(w.base, query, undefined, { 'x-app-token': APP_TOKEN });
    expect(app.body.data).toEqual(anonymous);
    const staff = (await postTo(w.base, query, undefined, bearer(w.tokens.staff))).body.data.serviceRequests.nodes as Served[];
    for (const row of staff) expect(row.location).toEqual(rawRequest.get(row.id));
    expect(staff.map((row) => key(row.location))).not.toEqual(anonymous.serviceRequests.nodes.map((row: Served) => key(row.location)));
  });

  it('work orders of withheld cases neither show nor move a point: the public points are those of the rows the public reads', async () => {
    // The planted work orders of withheld cases sit at -87.6512345, 41.8512345 at those cases' blocks.
    const { workOrders } = await theScene();
    const hidden = w.truth.workOrders.filter((row) => row.srnumber && w.truth.withheldRequests.some((request) => shortCase(request.CASE_NO) === row.srnumber));
    expect(hidden.length).toBeGreaterThan(0);
    const readable = new Set(workOrders.map((row) => row.id));
    for (const row of hidden) expect(readable.has(String(row.workorderid))).toBe(false);
    // (That the served points are the means of readable rows only is the per-block check above.)
  });

  it('holds no exact address or coordinate of a request, nor any other secret, in any answer of these probes', () => {
    expect(w.publicAnswers.length).toBeGreaterThan(20);
    const leaks = w.publicAnswers.flatMap(({ request, text }) => [...exactLocationsIn(w.truth, text, request), ...secretsIn(w.truth, text, request)].map((leak) => `${leak}  ←  ${request.slice(0, 120)}`));
    expect(leaks).toEqual([]);
  });
});
