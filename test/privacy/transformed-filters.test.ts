/**
 * Filters, orders and statistics on what the public reads only transformed — addresses cut to
 * the hundred block, coordinates rounded to 3 decimals — attacked over HTTP as `public` on the
 * demo (PostgreSQL), with the ground truth read from the departments' databases. The public
 * may ask anything about the values it reads, and must learn nothing more: every answer must
 * be the one that reading every served row and filtering, ordering or grouping them would give,
 * and no probe may reach the raw value — the house number, the position within ~110 m, or the
 * order of either within a block or a cell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactLocationsIn, INTERNALS, openWorld, PLANTED, postTo, secretsIn, type HttpAnswer, type World } from './probe-support.js';

let w: World;

/** Requests on one hundred block and one rounded position whose raw house numbers and coordinates run against their ids. */
const SAME_BLOCK = [
  { caseNo: 'SR-24-09990101', address: '1199 W 24TH ST', lat: 41.84849, lon: -87.67351 },
  { caseNo: 'SR-24-09990102', address: '1101 W 24TH ST', lat: 41.84811, lon: -87.67449 },
  { caseNo: 'SR-24-09990103', address: '1150 W 24TH ST', lat: 41.8483, lon: -87.6740 },
] as const;
/** A request with a latitude and no longitude: the public reads its block's point, as for every request there; its own latitude never shows. */
const HALF_PLACED = { caseNo: 'SR-24-09990104', address: '1187 W 24TH ST', lat: 41.84871, lon: null } as const;
/** A request whose address gives no hundred block: it has no place, so the public reads no position, though the CRM holds one. */
const UNPLACED = { caseNo: 'SR-24-09990105', address: 'BEHIND THE FIELD HOUSE', lat: 41.84871, lon: -87.66129 } as const;

beforeAll(async () => {
  w = await openWorld('transform');
  for (const [i, row] of [...SAME_BLOCK, HALF_PLACED, UNPLACED].entries()) {
    await w.db.crm('SR_CASE').insert({
      CASE_NO: row.caseNo,
      SR_TYPE_CD: 'STRTLGT',
      STATUS_CD: 'O',
      CHANNEL_CD: 'P',
      AGENCY_CD: 'DOT',
      CREATED_DT: `2024-05-0${i + 1} 10:00:00`,
      MODIFIED_DT: `2024-05-0${i + 1} 10:00:00`,
      DUE_DT: null,
      CLOSED_DT: null,
      ADDR_LINE: row.address,
      ZIP_CD: 60608,
      LAT_NUM: row.lat,
      LON_NUM: row.lon,
      DESCR_TXT: 'Light out on the block.',
      NOTES_TXT: null,
      RESOLUTION_TXT: null,
      PHOTO_URL: null,
      CALLER_FNAME: null,
      CALLER_LNAME: null,
      CALLER_PHONE: null,
      CALLER_EMAIL: null,
    });
  }
}, 180_000);

afterAll(async () => {
  await w?.close();
});

/** An anonymous request, kept for the final sweep. */
const pub = (query: string, variables?: Record<string, unknown>): Promise<HttpAnswer> => w.pub(query, variables);

function served(answer: HttpAnswer): any {
  expect(answer.body?.errors, answer.text).toBeUndefined();
  expect(answer.status, answer.text).toBe(200);
  return answer.body.data;
}

interface Served {
  id: string;
  address: string | null;
  location: { latitude: number; longitude: number } | null;
}

/** Every row of a dataset as the public reads it, in the given order, page after page. */
async function readAll(many: 'serviceRequests' | 'workOrders', orderBy = 'ID_ASC'): Promise<Served[]> {
  const rows: Served[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Served[] } = served(
      await pub(`query($after: String) { ${many}(first: 1000, after: $after, orderBy: [${orderBy}]) { pageInfo { hasNextPage endCursor } nodes { id address location { latitude longitude } } } }`, { after }),
    )[many];
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Runs one root field per value, 10 a request (the public's limit of root fields); the answers by value. */
async function each<V>(values: readonly V[], field: (value: V) => string): Promise<any[]> {
  const answers: any[] = [];
  for (let start = 0; start < values.length; start += 10) {
    const chunk = values.slice(start, start + 10);
    const data = served(await pub(`{ ${chunk.map((value, i) => `a${i}: ${field(value)}`).join(' ')} }`));
    answers.push(...chunk.map((_, i) => data[`a${i}`]));
  }
  return answers;
}

const ids = (rows: readonly { id: string }[]) => rows.map((row) => row.id).sort();

describe('filtering on a hundred block', () => {
  it('gives the same rows as reading every row and grouping by the served value, for requests and work orders', async () => {
    for (const many of ['serviceRequests', 'workOrders'] as const) {
      const rows = await readAll(many);
      const blocks = groupBy(rows, (row) => row.address);
      expect(blocks.size, many).toBeGreaterThan(10);
      const values = [...blocks.keys()].filter((block): block is string => block !== null);
      // A page of 200 holds any block of the test city (the total says so), and keeps within the public's cost budget.
      const answers = await each(values, (block) => `${many}(filter: { address: { eq: ${JSON.stringify(block)} } }, first: 200) { totalCount nodes { id } }`);
      values.forEach((block, i) => {
        expect(answers[i].totalCount, `${many} on ${block}`).toBe(blocks.get(block)!.length);
        expect(ids(answers[i].nodes), `${many} on ${block}`).toEqual(ids(blocks.get(block)!));
      });
      // in, ne and isNull partition the rows the same way.
      const some = values.slice(0, 3);
      const data = served(
        await pub(`{
          in: ${many}(filter: { address: { in: ${JSON.stringify(some)} } }, first: 1000) { nodes { id } }
          ne: ${many}(filter: { address: { ne: ${JSON.stringify(some[0])} } }) { totalCount }
          none: ${many}(filter: { address: { isNull: true } }, first: 1000) { nodes { id } }
        }`),
      );
      expect(ids(data.in.nodes)).toEqual(ids(some.flatMap((block) => blocks.get(block)!)));
      expect(data.ne.totalCount).toBe(rows.length - blocks.get(some[0]!)!.length);
      expect(ids(data.none.nodes)).toEqual(ids(blocks.get(null) ?? []));
    }
  }, 120_000);

  it('counts each hundred block as the served rows do in statistics, small cells suppressed', async () => {
    const rows = await readAll('serviceRequests');
    const blocks = groupBy(rows, (row) => row.address);
    const groups: Array<{ key: { address: string | null }; count: number | null; suppressed: boolean }> = served(
      await pub('{ serviceRequestStats(groupBy: [ADDRESS]) { key { address } count suppressed } }'),
    ).serviceRequestStats;
    expect(new Set(groups.map((group) => group.key.address))).toEqual(new Set(blocks.keys()));
    for (const group of groups) {
      const size = blocks.get(group.key.address)!.length;
      if (size < 3) expect(group.suppressed, `${group.key.address} holds ${size}`).toBe(true);
      if (!group.suppressed) expect(group.count).toBe(size);
    }
    expect(groups.filter((group) => !group.suppressed).length).toBeGreaterThan(0);
    // And per rounded cell.
    const cells = groupBy(rows, (row) => JSON.stringify(row.location));
    const perCell: Array<{ key: { location: Served['location'] }; count: number | null; suppressed: boolean }> = served(
      await pub('{ serviceRequestStats(groupBy: [LOCATION]) { key { location { latitude longitude } } count suppressed } }'),
    ).serviceRequestStats;
    expect(new Set(perCell.map((cell) => JSON.stringify(cell.key.location)))).toEqual(new Set(cells.keys()));
    for (const cell of perCell) if (!cell.suppressed) expect(cell.count).toBe(cells.get(JSON.stringify(cell.key.location))!.length);
  }, 120_000);

  it('compares only the served value: a raw address, a part of one or a raw coordinate matches nothing', async () => {
    const chatty = PLANTED.chattyRequest;
    const data = served(
      await pub(`{
        raw: serviceRequests(filter: { address: { eq: ${JSON.stringify(PLANTED.chattyAddress)} } }) { totalCount }
        normalised: serviceRequests(filter: { address: { eq: "1163 W 24TH ST" } }) { totalCount }
        houseNumber: serviceRequests(filter: { address: { startsWith: "1163" } }) { totalCount }
        unit: serviceRequests(filter: { address: { contains: "APT" } }) { totalCount }
        block: serviceRequests(filter: { id: { eq: "${chatty}" }, address: { eq: "11XX W 24TH ST" } }) { totalCount }
        rawLatitude: serviceRequests(filter: { location: { latitude: { eq: ${PLANTED.chattyLat} } } }) { totalCount }
        roundedLatitude: serviceRequests(filter: { id: { eq: "${chatty}" }, location: { latitude: { eq: 41.848 }, longitude: { eq: -87.674 } } }) { totalCount }
        aboveRounded: serviceRequests(filter: { id: { eq: "${chatty}" }, location: { latitude: { gt: 41.8481 } } }) { totalCount }
      }`),
    );
    expect(data).toEqual({
      raw: { totalCount: 0 },
      normalised: { totalCount: 0 },
      houseNumber: { totalCount: 0 },
      unit: { totalCount: 0 },
      block: { totalCount: 1 },
      rawLatitude: { totalCount: 0 },
      roundedLatitude: { totalCount: 1 },
      // The raw latitude (41.848123) is above 41.8481; the served one (41.848) is not.
      aboveRounded: { totalCount: 0 },
    });
  });
});

describe('ordering on a transformed field', () => {
  it('never reveals the order of the raw values within a block or a cell: ties are broken by id', async () => {
    const planted = SAME_BLOCK.map((row) => row.caseNo);
    // Their raw house numbers and latitudes run 1199, 1101, 1150 and .84849, .84811, .8483: not their id order.
    for (const orderBy of ['ADDRESS_ASC', 'ADDRESS_DESC', 'LOCATION_LATITUDE_ASC', 'LOCATION_LATITUDE_DESC', 'LOCATION_LONGITUDE_ASC']) {
      const rows = await readAll('serviceRequests', orderBy);
      expect(rows.filter((row) => planted.includes(row.id as never)).map((row) => row.id), orderBy).toEqual(planted);
      // Equal served values sit together, and among them ids ascend.
      const key = (row: Served) => (orderBy.startsWith('ADDRESS') ? row.address : String(row.location?.[orderBy.includes('LATITUDE') ? 'latitude' : 'longitude'] ?? null));
      const seen = new Set<string | null>();
      rows.forEach((row, i) => {
        const previous = rows[i - 1];
        if (previous && key(previous) === key(row)) expect(row.id > previous.id, `${orderBy}: ${previous.id} then ${row.id}`).toBe(true);
        else {
          expect(seen.has(key(row)), `${orderBy}: ${key(row)} comes back later`).toBe(false);
          seen.add(key(row));
        }
      });
    }
    // Control: staff, who read the raw address, get the raw order.
    const staffToken = w.tokens.staff;
    const staff = await postTo(w.base, `{ serviceRequests(filter: { id: { in: ${JSON.stringify(planted)} } }, orderBy: [ADDRESS_ASC]) { nodes { id } } }`, undefined, { authorization: `Bearer ${staffToken}` });
    expect(staff.body.data.serviceRequests.nodes.map((node: { id: string }) => node.id)).toEqual(['SR-24-09990102', 'SR-24-09990103', 'SR-24-09990101']);
  }, 120_000);

  it('pages through an order on hundred blocks with cursors, never skipping or repeating a row', async () => {
    const byId = await readAll('serviceRequests');
    const byBlock = await readAll('serviceRequests', 'ADDRESS_DESC');
    expect(ids(byBlock)).toEqual(ids(byId));
    expect(new Set(byBlock.map((row) => row.id)).size).toBe(byBlock.length);
  }, 120_000);
});

describe('within a distance, or in a box, of rounded coordinates', () => {
  const chatty = PLANTED.chattyRequest;
  type Position = { latitude: number; longitude: number };
  const raw: Position = { latitude: PLANTED.chattyLat, longitude: PLANTED.chattyLon };
  const read: Position = { latitude: 41.848, longitude: -87.674 };
  const M_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;
  /** A point `north`, `east` metres from `origin`. */
  const offset = (origin: Position, north: number, east: number) => ({
    latitude: origin.latitude + north / M_PER_DEGREE,
    longitude: origin.longitude + east / (M_PER_DEGREE * Math.cos((origin.latitude * Math.PI) / 180)),
  });
  const metres = (a: Position, b: Position) =>
    Math.hypot((a.latitude - b.latitude) * M_PER_DEGREE, (a.longitude - b.longitude) * M_PER_DEGREE * Math.cos((a.latitude * Math.PI) / 180));
  const within = (center: Position, radius: number) =>
    `serviceRequests(filter: { id: { eq: "${chatty}" }, location: { within: { latitude: ${center.latitude}, longitude: ${center.longitude}, meters: ${radius} } } }) { totalCount }`;

  it('the raw position is far enough from the served one for a probe to tell them apart', async () => {
    expect(metres(raw, read)).toBeGreaterThan(25);
    const data = served(await pub(`{ serviceRequest(id: "${chatty}") { location { latitude longitude } } }`));
    expect(data.serviceRequest.location).toEqual(read);
  });

  it('answers a grid of small circles around the raw position exactly as the served position predicts', async () => {
    const radius = 20;
    const centers = [];
    for (let north = -60; north <= 60; north += 15) for (let east = -60; east <= 60; east += 15) centers.push(offset(raw, north, east));
    // No center sits on a circle's edge, where a few centimetres of rounding could go either way.
    const usable = centers.filter((center) => Math.abs(metres(center, read) - radius) > 1 && Math.abs(metres(center, raw) - radius) > 1);
    const answers = await each(usable, (center) => within(center, radius));
    const matched = usable.filter((_, i) => answers[i].totalCount === 1);
    expect(matched).toEqual(usable.filter((center) => metres(center, read) <= radius));
    // Control: a filter on the raw position would have answered another set.
    expect(usable.filter((center) => metres(center, raw) <= radius)).not.toEqual(matched);
    expect(matched.length).toBeGreaterThan(0);
  }, 120_000);

  it('a binary search on the radius finds the distance to the served position, not to the raw one', async () => {
    // North-west of the raw position, which lies north-west of the served one: the two distances differ by most of the gap.
    const center = offset(raw, 70, -140);
    let [inside, outside] = [400, 0];
    while (inside - outside > 0.01) {
      const radius = (inside + outside) / 2;
      const [answer] = await each([radius], (r) => within(center, r));
      if (answer.totalCount === 1) inside = radius;
      else outside = radius;
    }
    expect(Math.abs(inside - metres(center, read))).toBeLessThan(0.5);
    expect(Math.abs(metres(center, raw) - metres(center, read))).toBeGreaterThan(20);
  }, 120_000);

  it('a box holds the row exactly when it holds the served position', async () => {
    const boxes = [
      { label: 'around the raw position only', south: raw.latitude - 0.00005, north: raw.latitude + 0.00005, west: raw.longitude - 0.00005, east: raw.longitude + 0.00005, holds: false },
      { label: 'around the served position', south: 41.84799, north: 41.84801, west: -87.67401, east: -87.67399, holds: true },
      { label: 'with the served position on its edge', south: 41.848, north: 41.849, west: -87.674, east: -87.673, holds: true },
    ];
    const answers = await each(boxes, (box) => `serviceRequests(filter: { id: { eq: "${chatty}" }, location: { box: { south: ${box.south}, west: ${box.west}, north: ${box.north}, east: ${box.east} } } }) { totalCount }`);
    expect(boxes.map((box, i) => [box.label, answers[i].totalCount === 1])).toEqual(boxes.map((box) => [box.label, box.holds]));
  });

  it('refuses circles and boxes that are no place in a city, naming the argument, with no stack or SQL', async () => {
    for (const [filter, argument] of [
      ['{ within: { latitude: 41.8, longitude: -87.6, meters: 1000000 } }', 'filter.location.within.meters'],
      ['{ within: { latitude: 41.8, longitude: -87.6, meters: -1 } }', 'filter.location.within.meters'],
      ['{ within: { latitude: 91, longitude: -87.6, meters: 10 } }', 'filter.location.within.latitude'],
      ['{ within: { latitude: 41.8, longitude: 200, meters: 10 } }', 'filter.location.within.longitude'],
      ['{ box: { south: 41.9, west: -87.7, north: 41.8, east: -87.6 } }', 'filter.location.box'],
      ['{ box: { south: 41.8, west: -87.6, north: 41.9, east: -87.7 } }', 'filter.location.box'],
    ]) {
      const answer = await pub(`{ serviceRequests(filter: { location: ${filter} }) { totalCount } }`);
      expect(answer.body.errors?.[0]?.extensions?.code, answer.text).toBe('BAD_USER_INPUT');
      expect(answer.body.errors[0].extensions.argument).toBe(argument);
      expect(answer.text).not.toMatch(INTERNALS);
    }
    // A value GraphQL cannot take (a string for a number) is refused before anything runs.
    expect((await pub('{ serviceRequests(filter: { location: { within: { latitude: "x", longitude: 1, meters: 1 } } }) { totalCount } }')).status).toBe(400);
  });
});

describe('a position read through its place', () => {
  const probe = (id: string) =>
    pub(`{
      row: serviceRequest(id: "${id}") { location { latitude longitude } }
      latitude: serviceRequests(filter: { id: { eq: "${id}" }, location: { latitude: { eq: 41.849 } } }) { totalCount }
      above: serviceRequests(filter: { id: { eq: "${id}" }, location: { latitude: { gt: 0 } } }) { totalCount }
      notAbove: serviceRequests(filter: { id: { eq: "${id}" }, not: { location: { latitude: { gt: 0 } } } }) { totalCount }
      none: serviceRequests(filter: { id: { eq: "${id}" }, location: { latitude: { isNull: true } } }) { totalCount }
      cell: serviceRequestStats(filter: { id: { eq: "${id}" } }, groupBy: [LOCATION]) { key { location { latitude longitude } } }
    }`);

  it("is its block's point even when the record's own position is half missing: its lone latitude shows in no filter and no order", async () => {
    const data = served(await probe(HALF_PLACED.caseNo));
    const block = served(await pub(`{ serviceRequest(id: "${SAME_BLOCK[0].caseNo}") { location { latitude longitude } } }`)).serviceRequest.location;
    expect(block).not.toBeNull();
    expect(data.row.location).toEqual(block);
    // Its own latitude, rounded, is 41.849; the block's point is not.
    expect(block.latitude).not.toBe(41.849);
    expect([data.latitude.totalCount, data.above.totalCount, data.notAbove.totalCount, data.none.totalCount]).toEqual([0, 1, 0, 0]);
    expect(data.cell.map((group: { key: { location: unknown } }) => group.key.location)).toEqual([block]);
  });

  it('is null, and compared as null, when the address gives no hundred block, whatever position the record holds', async () => {
    const id = UNPLACED.caseNo;
    const data = served(await probe(id));
    expect(data.row.location).toBeNull();
    expect([data.latitude.totalCount, data.above.totalCount, data.notAbove.totalCount, data.none.totalCount]).toEqual([0, 0, 1, 1]);
    expect(data.cell.map((group: { key: { location: unknown } }) => group.key.location)).toEqual([null]);
    // Sorted by latitude, it comes with the rows that have no position (last, ascending), not at 41.849.
    const rows = await readAll('serviceRequests', 'LOCATION_LATITUDE_ASC');
    const at = rows.findIndex((row) => row.id === id);
    expect(rows.slice(at).every((row) => row.location === null)).toBe(true);
  }, 120_000);
});

describe('what the public was told', () => {
  it('holds no exact address or coordinate of a request, nor any other secret, in any answer of these probes', () => {
    expect(w.publicAnswers.length).toBeGreaterThan(30);
    const leaks = w.publicAnswers.flatMap(({ request, text }) => [...exactLocationsIn(w.truth, text, request), ...secretsIn(w.truth, text, request)].map((leak) => `${leak}  ←  ${request.slice(0, 120)}`));
    expect(leaks).toEqual([]);
  });
});
