/**
 * Contract cases for the values a source computes so that a role can filter, order and group
 * on what it reads through a privacy transform: hundred blocks, rounded and snapped
 * coordinates, truncated dates, and distances (src/source/source.ts, TransformRef and
 * DistanceRef). Every connector must give exactly what the gateway's own functions give on
 * the same data (../../../src/privacy/hundred-block.ts, coordinates.ts) — the expectations are
 * computed with them, over the places fixture (./data.ts).
 */
import { describe, expect, it } from 'vitest';
import { JS_NUMBERS, roundTo, snapTo, squaredDistanceSteps } from '../../../src/privacy/coordinates.js';
import { hundredBlock } from '../../../src/privacy/hundred-block.js';
import { normalizeAddress } from '../../../src/source/address.js';
import { bucketStart } from '../../../src/source/memory/aggregate.js';
import type { DistanceRef, OrderKey, Predicate, Row, SourceValue, ValueRef } from '../../../src/source/source.js';
import { address, and, asc, cmp, col, desc, not } from '../query-helpers.js';
import type { ContractHarness } from './cases.js';
import { PLACE_ROWS, PLACES } from './data.js';

const place = (row: (typeof PLACE_ROWS)[number]) => ({
  id: row[0] as number,
  address: row[1] as string | null,
  lat: row[2] as number | null,
  lon: row[3] as number | null,
  seenOn: row[4] as string | null,
  seenAt: row[5] as string | null,
  loggedAt: row[6] === null ? null : new Date(`${String(row[6]).replace(' ', 'T')}Z`),
});
const PLACE = PLACE_ROWS.map(place);

const block = (of: ValueRef): ValueRef => ({ transform: 'hundredBlock', of });
const round = (of: ValueRef, decimals: number): ValueRef => ({ transform: 'round', decimals, of });
const snap = (of: ValueRef, cell: number): ValueRef => ({ transform: 'snap', cell, of });
const truncate = (of: ValueRef, unit: 'day' | 'month' | 'year'): ValueRef => ({ transform: 'truncate', unit, of });
const blockOfAddress = block(address(col('address')));

/** The value each row's served field holds, as the gateway computes it. */
const served = {
  block: (p: (typeof PLACE)[number]) => (p.address === null ? null : hundredBlock(normalizeAddress(p.address))),
  rawBlock: (p: (typeof PLACE)[number]) => (p.address === null ? null : hundredBlock(p.address)),
  lat3: (p: (typeof PLACE)[number]) => (p.lat === null ? null : roundTo(p.lat, 3)),
  lon2: (p: (typeof PLACE)[number]) => (p.lon === null ? null : roundTo(p.lon, 2)),
};

function canonical(rows: Row[]): Row[] {
  const text = (row: Row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)));
  return [...rows].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** Ids of the places whose value passes `test`, in id order. */
const where = (test: (p: (typeof PLACE)[number]) => boolean) => PLACE.filter(test).map((p) => p.id);

export function transformCases(harness: () => ContractHarness): void {
  const source = () => harness().source;
  const ids = async (predicate: Predicate | undefined, orderBy: OrderKey[] = [asc('id')]) =>
    (await source().find({ table: PLACES, select: { id: col('id') }, where: predicate, orderBy, limit: 100, offset: 0 })).map((r) => r.id);

  describe('transformed values', () => {
    it('the fixture exercises what sets the rules apart: half-way coordinates and every hundred-block form', () => {
      // JavaScript's rounding, which the served value follows, is not SQL's ROUND on decimals.
      expect([roundTo(-87.6295, 3), roundTo(1.005, 2), roundTo(0.285, 2), roundTo(41.8785, 3)]).toEqual([-87.629, 1, 0.28, 41.879]);
      expect(new Set(PLACE.map(served.block))).toEqual(
        new Set(['11XX W 24TH ST', '4XX S STATE ST', '123XX N MAIN ST', '0XX W RIVER RD', '0XX ELM ST', '12XX US HWY 41', 'W 24TH ST & S MAIN ST', null, '24TH ST', '11XX BROADWAY', '0XX MAIN ST', '5XX S W PKWY']),
      );
    });

    it('computes the hundred block of text and of a normalised address as hundredBlock does', async () => {
      const rows = await source().find({
        table: PLACES,
        select: { id: col('id'), raw: block(col('address')), normalised: blockOfAddress },
        orderBy: [asc('id')],
        limit: 100,
        offset: 0,
      });
      expect(rows).toEqual(PLACE.map((p) => ({ id: p.id, raw: served.rawBlock(p), normalised: served.block(p) })));
    });

    it('gives a later page of computed values as the whole list holds them at its offset, filtered and ordered by a computed value', async () => {
      const select = { id: col('id'), normalised: blockOfAddress, lat3: round(col('lat'), 3) };
      const query = { table: PLACES, select, where: cmp('id', 'gt', 1), orderBy: [{ ref: blockOfAddress, direction: 'desc' as const }, asc('id')] };
      const whole = await source().find({ ...query, limit: 100, offset: 0 });
      expect(whole.length).toBeGreaterThan(8);
      expect(await source().find({ ...query, limit: 4, offset: 3 })).toEqual(whole.slice(3, 7));
      expect(await source().find({ ...query, limit: 100, offset: whole.length - 2 })).toEqual(whole.slice(-2));
    });

    it('rounds and snaps coordinates bit for bit as JavaScript does, half-way points included', async () => {
      const rows = await source().find({
        table: PLACES,
        select: {
          id: col('id'),
          lat0: round(col('lat'), 0),
          lat2: round(col('lat'), 2),
          lat3: round(col('lat'), 3),
          lon2: round(col('lon'), 2),
          lon3: round(col('lon'), 3),
          latCell: snap(col('lat'), 0.005),
          lonCell: snap(col('lon'), 0.1),
        },
        orderBy: [asc('id')],
        limit: 100,
        offset: 0,
      });
      const or = (value: number | null, transform: (v: number) => number) => (value === null ? null : transform(value));
      const expected = PLACE.map((p) => ({
        id: p.id,
        lat0: or(p.lat, (v) => roundTo(v, 0)),
        lat2: or(p.lat, (v) => roundTo(v, 2)),
        lat3: or(p.lat, (v) => roundTo(v, 3)),
        lon2: or(p.lon, (v) => roundTo(v, 2)),
        lon3: or(p.lon, (v) => roundTo(v, 3)),
        latCell: or(p.lat, (v) => snapTo(v, 0.005)),
        lonCell: or(p.lon, (v) => snapTo(v, 0.1)),
      }));
      // Compared as numbers, so that -0 and 0 (the same coordinate) agree.
      const numbers = (list: Row[]) => list.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? v + 0 : v])));
      expect(numbers(rows)).toEqual(numbers(expected));
    });

    it('gives a coordinate of a position read whole only when the whole position is set, and compares it so', async () => {
      const whole = [col('lat'), col('lon')];
      const latitude: ValueRef = { transform: 'round', decimals: 3, of: col('lat'), whole };
      const rows = await source().find({ table: PLACES, select: { id: col('id'), latitude }, orderBy: [asc('id')], limit: 100, offset: 0 });
      const expected = (p: (typeof PLACE)[number]) => (p.lat === null || p.lon === null ? null : roundTo(p.lat, 3));
      expect(rows.map((row) => (typeof row.latitude === 'number' ? row.latitude + 0 : row.latitude))).toEqual(PLACE.map((p) => (expected(p) === null ? null : expected(p)! + 0)));
      // Place 15 has a latitude but no longitude: no position, so neither above nor below anything, and null.
      expect(rows.find((row) => row.id === 15)?.latitude).toBeNull();
      expect(await ids(cmp(latitude, 'gt', 0))).toEqual(where((p) => (expected(p) ?? -1) > 0));
      expect(await ids(cmp(latitude, 'isNull', true))).toEqual(where((p) => expected(p) === null));
      expect(await ids(not(cmp(latitude, 'gt', 0)))).toEqual(where((p) => !((expected(p) ?? -1) > 0)));
      // Ascending, the rows without a position come last, in id order: place 15 among them.
      const none = where((p) => expected(p) === null);
      expect(none).toContain(15);
      expect((await ids(undefined, [{ ref: latitude, direction: 'asc' }, asc('id')])).slice(-none.length)).toEqual(none);
    });

    it('truncates dates, naive date-times and instants (in UTC) to the day, month or year', async () => {
      const rows = await source().find({
        table: PLACES,
        select: {
          id: col('id'),
          onMonth: truncate(col('seen_on'), 'month'),
          atDay: truncate(col('seen_at'), 'day'),
          atYear: truncate(col('seen_at'), 'year'),
          loggedDay: truncate(col('logged_at'), 'day'),
          loggedMonth: truncate(col('logged_at'), 'month'),
        },
        orderBy: [asc('id')],
        limit: 100,
        offset: 0,
      });
      expect(rows).toEqual(
        PLACE.map((p) => ({
          id: p.id,
          onMonth: bucketStart(p.seenOn, 'month'),
          atDay: bucketStart(p.seenAt, 'day'),
          atYear: bucketStart(p.seenAt, 'year'),
          loggedDay: bucketStart(p.loggedAt, 'day'),
          loggedMonth: bucketStart(p.loggedAt, 'month'),
        })),
      );
      // 23:59:59.999 on the leap day stays on it; an instant at 23:30 UTC is bucketed in UTC.
      expect(rows.find((row) => row.id === 2)).toMatchObject({ atDay: '2024-02-29', loggedDay: '2024-02-29', onMonth: '2024-02-01' });
    });

    it.each<[string, Predicate, number[]]>([
      ['eq a block', cmp(blockOfAddress, 'in', ['11XX W 24TH ST']), where((p) => served.block(p) === '11XX W 24TH ST')],
      ['in blocks and an intersection', cmp(blockOfAddress, 'in', ['0XX ELM ST', 'W 24TH ST & S MAIN ST']), [9, 11, 12]],
      ['ne a block keeps NULL blocks', cmp(blockOfAddress, 'ne', '11XX W 24TH ST'), where((p) => served.block(p) !== '11XX W 24TH ST')],
      ['a block is null for what is no street', cmp(blockOfAddress, 'isNull', true), [13, 14, 15, 16, 22]],
      ['contains, ignoring case', cmp(blockOfAddress, 'contains', 'w 24th'), where((p) => served.block(p)?.includes('W 24TH') ?? false)],
      ['startsWith', cmp(blockOfAddress, 'startsWith', '0xx'), [8, 9, 21]],
      ['not of a block', not(cmp(blockOfAddress, 'in', ['11XX W 24TH ST'])), where((p) => served.block(p) !== '11XX W 24TH ST')],
      ['a raw address matches no block', cmp(blockOfAddress, 'in', ['1163 W 24TH ST']), []],
      ['eq a rounded coordinate', cmp(round(col('lat'), 3), 'in', [41.879]), where((p) => served.lat3(p) === 41.879)],
      ['a raw coordinate matches no rounded one', cmp(round(col('lat'), 3), 'in', [41.8785]), []],
      ['lt a rounded coordinate', cmp(round(col('lon'), 2), 'lt', -87.63), where((p) => served.lon2(p) !== null && served.lon2(p)! < -87.63)],
      ['gte a rounded coordinate, on the half-way point', cmp(round(col('lon'), 3), 'gte', -87.629), where((p) => p.lon !== null && roundTo(p.lon, 3) >= -87.629)],
      ['eq a truncated instant', cmp(truncate(col('logged_at'), 'month'), 'in', ['2024-03-01']), where((p) => bucketStart(p.loggedAt, 'month') === '2024-03-01')],
      ['lt a truncated date', cmp(truncate(col('seen_on'), 'month'), 'lt', '2024-03-01'), where((p) => (bucketStart(p.seenOn, 'month') ?? '9') < '2024-03-01')],
      [
        'and of a block and a cell',
        and(cmp(blockOfAddress, 'in', ['11XX W 24TH ST']), cmp(snap(col('lat'), 0.005), 'in', [snapTo(41.8785, 0.005)])),
        where((p) => served.block(p) === '11XX W 24TH ST' && p.lat !== null && snapTo(p.lat, 0.005) === snapTo(41.8785, 0.005)),
      ],
    ])('filters on %s', async (_title, predicate, expected) => {
      expect(await ids(predicate)).toEqual(expected);
    });

    it('orders by a block and by a rounded coordinate, ties by id, NULLs last ascending and first descending', async () => {
      const sorted = (value: (p: (typeof PLACE)[number]) => string | number | null, direction: 'asc' | 'desc') =>
        [...PLACE]
          .sort((a, b) => {
            const [x, y] = [value(a), value(b)];
            if (x === y) return a.id - b.id;
            if (x === null) return direction === 'asc' ? 1 : -1;
            if (y === null) return direction === 'asc' ? -1 : 1;
            return (x < y ? -1 : 1) * (direction === 'asc' ? 1 : -1);
          })
          .map((p) => p.id);
      for (const direction of ['asc', 'desc'] as const) {
        expect(await ids(undefined, [{ ref: blockOfAddress, direction }, asc('id')])).toEqual(sorted(served.block, direction));
        expect(await ids(undefined, [{ ref: round(col('lat'), 3), direction }, asc('id')])).toEqual(sorted(served.lat3, direction));
      }
      // Rows on one block come in id order, whatever their house numbers.
      const onBlock = (await ids(cmp(blockOfAddress, 'in', ['11XX W 24TH ST']), [{ ref: blockOfAddress, direction: 'desc' }, asc('id')]));
      expect(onBlock).toEqual(where((p) => served.block(p) === '11XX W 24TH ST'));
    });

    it('groups by block and by rounded cell, counting as the served values group', async () => {
      const rows = await source().aggregate({
        table: PLACES,
        groupBy: { block: { ref: blockOfAddress } },
        aggregates: { n: { fn: 'count' } },
      });
      const counts = new Map<string | null, number>();
      for (const p of PLACE) counts.set(served.block(p), (counts.get(served.block(p)) ?? 0) + 1);
      expect(canonical(rows)).toEqual(canonical([...counts].map(([value, n]) => ({ block: value, n }))));

      const cells = await source().aggregate({
        table: PLACES,
        groupBy: { lat: { ref: round(col('lat'), 2) }, lon: { ref: round(col('lon'), 2) } },
        aggregates: { n: { fn: 'count' } },
        where: cmp(col('lat'), 'isNull', false),
      });
      const cellCounts = new Map<string, { lat: SourceValue; lon: SourceValue; n: number }>();
      for (const p of PLACE.filter((p) => p.lat !== null)) {
        const key = { lat: roundTo(p.lat!, 2) + 0, lon: p.lon === null ? null : roundTo(p.lon, 2) + 0 };
        const id = JSON.stringify(key);
        cellCounts.set(id, { ...key, n: (cellCounts.get(id)?.n ?? 0) + 1 });
      }
      const numbers = (list: Row[]) => list.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? v + 0 : v])));
      expect(canonical(numbers(cells))).toEqual(canonical([...cellCounts.values()]));
    });

    it('limits per key in the order of a block', async () => {
      const rows = await source().findByKeys({
        table: PLACES,
        select: { id: col('id') },
        key: truncate(col('seen_on'), 'month'),
        keyAlias: 'k',
        keys: ['2024-03-01', '2023-12-01'],
        orderBy: [{ ref: blockOfAddress, direction: 'desc' }, desc('id')],
        perKeyLimit: 2,
      });
      const march = PLACE.filter((p) => p.seenOn?.startsWith('2024-03'))
        .sort((a, b) => {
          const [x, y] = [served.block(a), served.block(b)];
          if (x === y) return b.id - a.id;
          if (x === null) return -1;
          if (y === null) return 1;
          return x < y ? 1 : -1;
        })
        .slice(0, 2)
        .map((p) => p.id);
      expect(rows.filter((row) => row.k === '2024-03-01').map((row) => row.id)).toEqual(march);
      expect(rows.filter((row) => row.k === '2023-12-01').map((row) => row.id)).toEqual([4]);
    });

    describe('distances', () => {
      // A position as the public reads it (rounded to 3 decimals), which some rows are exactly at.
      const from = { latitude: 41.879, longitude: -87.629 };
      const metresPerDegree = { latitude: 111_195.08, longitude: 111_195.08 * Math.cos((from.latitude * Math.PI) / 180) };
      const distance = (latitude: ValueRef, longitude: ValueRef): DistanceRef => ({ squaredDistance: { latitude, longitude, from, metresPerDegree } });
      const expected = (p: (typeof PLACE)[number], lat = p.lat, lon = p.lon) =>
        lat === null || lon === null ? null : squaredDistanceSteps(JS_NUMBERS, lat, lon, distance(col('lat'), col('lon')).squaredDistance);

      it('computes the squared distance of raw and of rounded coordinates as the gateway does', async () => {
        const rows = await source().find({
          table: PLACES,
          select: { id: col('id'), raw: distance(col('lat'), col('lon')), rounded: distance(round(col('lat'), 3), round(col('lon'), 3)) },
          orderBy: [asc('id')],
          limit: 100,
          offset: 0,
        });
        expect(rows).toEqual(
          PLACE.map((p) => ({ id: p.id, raw: expected(p), rounded: expected(p, p.lat === null ? null : roundTo(p.lat, 3), p.lon === null ? null : roundTo(p.lon, 3)) })),
        );
      });

      it('filters within a distance of rounded coordinates, and NULL positions are never within', async () => {
        const within = (metres: number) => cmp(distance(round(col('lat'), 3), round(col('lon'), 3)), 'lte', metres * metres);
        const near = (metres: number) =>
          where((p) => p.lat !== null && p.lon !== null && expected(p, roundTo(p.lat, 3), roundTo(p.lon, 3))! <= metres * metres);
        for (const metres of [0, 60, 150, 400]) expect(await ids(within(metres)), `${metres} m`).toEqual(near(metres));
        expect((await ids(within(0))).length).toBeGreaterThan(0);
        expect(await ids(not(within(150)))).toEqual(where((p) => !near(150).includes(p.id)));
      });
    });
  });
}
