/**
 * Contract cases for the query shapes joins and statistics need: normalised address refs,
 * per-key limits and grouped aggregates, on the visits fixture (see data.ts). Every
 * connector must return exactly these values.
 */
import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../../src/source/address.js';
import type { AggregateQuery, KeyLookupQuery, OrderKey, Predicate, Row, SourceValue, TimeBucket } from '../../../src/source/source.js';
import { address, and, asc, cmp, col, desc } from '../query-helpers.js';
import type { ContractHarness } from './cases.js';
import { VISIT_ROWS, VISITS } from './data.js';

/** The fixture's visits as objects, for expectations computed from the same data. */
const VISIT = VISIT_ROWS.map(([id, caseId, addr, houseNo]) => ({
  id: id as number,
  caseId: caseId as number | null,
  address: addr as string | null,
  houseNo: houseNo as number | null,
}));

/** Rows in a canonical order, for results whose order the interface leaves open. */
function canonical(rows: Row[]): Row[] {
  const text = (row: Row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)));
  return [...rows].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

const instant = (iso: string) => new Date(`${iso}Z`);

export function shapeCases(harness: () => ContractHarness): void {
  const source = () => harness().source;
  const ids = async (where: Predicate | undefined, orderBy: OrderKey[]) =>
    (await source().find({ table: VISITS, select: { id: col('id') }, where, orderBy, limit: 100, offset: 0 })).map((r) => r.id);

  describe('normalised address refs', () => {
    it('selects the same spelling normalizeAddress gives, for text, integers and NULL', async () => {
      const rows = await source().find({
        table: VISITS,
        select: { id: col('id'), a: address(col('address')), n: address(col('house_no')), twice: address(address(col('address'))) },
        orderBy: [asc('id')],
        limit: 100,
        offset: 0,
      });
      const expected = VISIT.map((v) => ({
        id: v.id,
        a: v.address === null ? null : normalizeAddress(v.address),
        n: v.houseNo === null ? null : normalizeAddress(String(v.houseNo)),
        twice: v.address === null ? null : normalizeAddress(normalizeAddress(v.address)),
      }));
      expect(rows).toEqual(expected);
      // The spellings the rules exist for: three ways of writing one address, adjacent direction words.
      expect(rows.map((r) => r.a)).toEqual([
        '1163 W 24TH ST',
        '1163 W 24TH ST',
        '1163 W 24TH ST',
        'N E MAIN RD',
        '500 S W PKWY',
        null,
        'NW HWY WESTWOOD CIR',
        '9 TER CT E LN',
      ]);
      expect(rows.map((r) => r.n)).toEqual(['1163', '1163', null, '12', '500', null, '7', '9']);
    });

    it('filters on a normalised value, including IN and ne (NULL rows are unequal)', async () => {
      const target = normalizeAddress('1163 west 24th st');
      expect(await ids(cmp(address(col('address')), 'eq', target), [asc('id')])).toEqual([1, 2, 3]);
      expect(await ids(cmp(address(col('address')), 'in', [target, 'N E MAIN RD']), [asc('id')])).toEqual([1, 2, 3, 4]);
      expect(await ids(cmp(address(col('address')), 'ne', target), [asc('id')])).toEqual([4, 5, 6, 7, 8]);
      expect(await ids(cmp(address(col('address')), 'startsWith', '500 s w'), [asc('id')])).toEqual([5]);
      expect(await ids(cmp(address(col('house_no')), 'eq', '1163'), [asc('id')])).toEqual([1, 2]);
    });

    it('orders by a normalised value, nulls last ascending and first descending', async () => {
      const where = cmp(col('id'), 'in', [1, 4, 5, 6, 7, 8]);
      const key = (direction: 'asc' | 'desc'): OrderKey => ({ ref: address(col('address')), direction });
      expect(await ids(where, [key('asc'), asc('id')])).toEqual([1, 5, 8, 4, 7, 6]);
      expect(await ids(where, [key('desc'), asc('id')])).toEqual([6, 7, 4, 8, 5, 1]);
    });

    it('looks rows up by a normalised key, carrying the normalised key', async () => {
      const rows = await source().findByKeys({
        table: VISITS,
        select: { id: col('id') },
        key: address(col('address')),
        keyAlias: 'k',
        keys: [normalizeAddress('1163 West 24th Street'), 'NW HWY WESTWOOD CIR', 'NO SUCH PLACE'],
        orderBy: [asc('id')],
      });
      expect(rows).toEqual([
        { id: 1, k: '1163 W 24TH ST' },
        { id: 2, k: '1163 W 24TH ST' },
        { id: 3, k: '1163 W 24TH ST' },
        { id: 7, k: 'NW HWY WESTWOOD CIR' },
      ]);
    });
  });

  describe('per-key limits', () => {
    const lookup = async (query: Partial<KeyLookupQuery>): Promise<Array<[SourceValue, SourceValue]>> =>
      (
        await source().findByKeys({ table: VISITS, select: { id: col('id') }, key: col('case_id'), keyAlias: 'k', keys: [1, 2, 3, 99], ...query })
      ).map((r) => [r.k ?? null, r.id ?? null]);
    /** Each key's rows in arrival order: the order the engine keeps. */
    const byKey = (rows: Array<[SourceValue, SourceValue]>) => {
      const out: Record<string, SourceValue[]> = {};
      for (const [k, id] of rows) (out[String(k)] ??= []).push(id);
      return out;
    };

    it('keeps the first rows of each key in order: ties broken by the next key, NULLs last ascending', async () => {
      const rows = await lookup({ orderBy: [asc('rank'), asc('id')], perKeyLimit: 2 });
      expect(byKey(rows)).toEqual({ '1': [2, 4], '2': [5, 6], '3': [7] });
      expect(rows.every(([, id]) => typeof id === 'number')).toBe(true);
    });

    it('puts NULLs first descending', async () => {
      expect(byKey(await lookup({ orderBy: [desc('rank'), asc('id')], perKeyLimit: 2 }))).toEqual({ '1': [3, 1], '2': [6, 5], '3': [7] });
    });

    it('returns every row of a key with fewer rows than the limit, and nothing for unknown keys', async () => {
      expect(byKey(await lookup({ orderBy: [desc('id')], perKeyLimit: 10 }))).toEqual({ '1': [4, 3, 2, 1], '2': [6, 5], '3': [7] });
      expect(byKey(await lookup({ orderBy: [desc('id')], perKeyLimit: 1 }))).toEqual({ '1': [4], '2': [6], '3': [7] });
      expect(await lookup({ orderBy: [desc('id')], perKeyLimit: 0 })).toEqual([]);
      expect(await lookup({ keys: [99, 100], orderBy: [desc('id')], perKeyLimit: 3 })).toEqual([]);
    });

    it('applies the where before limiting', async () => {
      const where = cmp(col('amount'), 'gt', 1);
      expect(byKey(await lookup({ where, orderBy: [asc('rank'), asc('id')], perKeyLimit: 2 }))).toEqual({ '1': [2, 4], '2': [5] });
    });

    it('orders by decimals, dates, instants, recodes and normalised values within each key', async () => {
      expect(byKey(await lookup({ orderBy: [desc('amount')], perKeyLimit: 3 }))).toEqual({ '1': [3, 2, 1], '2': [5, 6], '3': [7] });
      expect(byKey(await lookup({ orderBy: [asc('visit_at')], perKeyLimit: 2 }))).toEqual({ '1': [1, 2], '2': [5, 6], '3': [7] });
      expect(byKey(await lookup({ orderBy: [asc('logged_at'), desc('id')], perKeyLimit: 4 }))).toEqual({ '1': [1, 2, 4, 3], '2': [5, 6], '3': [7] });
      const recode: OrderKey = { ref: col('rank'), direction: 'asc', recode: [[1, 30], [2, 20], [3, 10]] };
      expect(byKey(await lookup({ orderBy: [recode, asc('id')], perKeyLimit: 3 }))).toEqual({ '1': [1, 2, 4], '2': [5, 6], '3': [7] });
      const spelled: OrderKey = { ref: address(col('address')), direction: 'desc' };
      expect(byKey(await lookup({ orderBy: [spelled, asc('id')], perKeyLimit: 2 }))).toEqual({ '1': [4, 1], '2': [6, 5], '3': [7] });
    });

    it('limits per normalised key, never returning the row number', async () => {
      const rows = await source().findByKeys({
        table: VISITS,
        select: { id: col('id'), amount: col('amount') },
        key: address(col('address')),
        keyAlias: 'k',
        keys: ['1163 W 24TH ST', 'N E MAIN RD'],
        orderBy: [desc('amount')],
        perKeyLimit: 2,
      });
      expect(rows.filter((r) => r.k === '1163 W 24TH ST')).toEqual([
        { id: 3, amount: null, k: '1163 W 24TH ST' },
        { id: 2, amount: 20.25, k: '1163 W 24TH ST' },
      ]);
      expect(rows.filter((r) => r.k === 'N E MAIN RD')).toEqual([{ id: 4, amount: 5, k: 'N E MAIN RD' }]);
      expect(rows).toHaveLength(3);
    });

    it('without a limit, returns each key’s rows in order', async () => {
      const rows = await lookup({ keys: [1, 2], orderBy: [desc('amount')] });
      expect(rows.map(([, id]) => id)).toEqual([3, 5, 2, 1, 4, 6]);
    });

    it('limits per key across 70,000 keys split over several statements', async () => {
      const keys = Array.from({ length: 70_000 }, (_, i) => 70_000 - i);
      const rows = await lookup({ keys, orderBy: [desc('id')], perKeyLimit: 1, where: cmp(col('id'), 'ne', 4) });
      expect(byKey(rows)).toEqual({ '1': [3], '2': [6], '3': [7] });
    }, 120_000);
  });

  describe('aggregates', () => {
    const aggregate = (query: Partial<AggregateQuery>) => source().aggregate({ table: VISITS, groupBy: {}, aggregates: {}, ...query });

    it('counts rows and non-null values, sums and takes extremes of decimals, dates and date-times per group', async () => {
      const rows = await aggregate({
        groupBy: { caseId: { ref: col('case_id') } },
        aggregates: {
          n: { fn: 'count' },
          ranked: { fn: 'count', ref: col('rank') },
          total: { fn: 'sum', ref: col('amount') },
          least: { fn: 'min', ref: col('amount') },
          most: { fn: 'max', ref: col('amount') },
          rankSum: { fn: 'sum', ref: col('rank') },
          firstOn: { fn: 'min', ref: col('visit_on') },
          lastOn: { fn: 'max', ref: col('visit_on') },
          firstAt: { fn: 'min', ref: col('visit_at') },
          lastAt: { fn: 'max', ref: col('visit_at') },
          firstLogged: { fn: 'min', ref: col('logged_at') },
          lastLogged: { fn: 'max', ref: col('logged_at') },
        },
      });
      expect(canonical(rows)).toEqual(
        canonical([
          {
            caseId: 1, n: 4, ranked: 3, total: 35.75, least: 5, most: 20.25, rankSum: 4,
            firstOn: '2024-02-29', lastOn: '2024-03-04', firstAt: '2024-02-29T23:59:59.999', lastAt: '2024-03-04T00:00:00',
            firstLogged: instant('2024-02-29T23:30:00'), lastLogged: instant('2024-03-04T08:00:00'),
          },
          {
            caseId: 2, n: 2, ranked: 1, total: 100.1, least: 0.1, most: 100, rankSum: 3,
            firstOn: '2023-12-31', lastOn: '2024-01-01', firstAt: '2023-12-31T23:00:00', lastAt: '2024-01-01T00:00:00.500',
            firstLogged: instant('2023-12-31T23:59:59.500'), lastLogged: instant('2024-01-01T00:00:00'),
          },
          {
            caseId: 3, n: 1, ranked: 1, total: -3.25, least: -3.25, most: -3.25, rankSum: 5,
            firstOn: '2024-02-29', lastOn: '2024-02-29', firstAt: '2024-02-29T10:00:00', lastAt: '2024-02-29T10:00:00',
            firstLogged: instant('2024-02-29T10:00:00'), lastLogged: instant('2024-02-29T10:00:00'),
          },
          {
            caseId: null, n: 1, ranked: 1, total: 1, least: 1, most: 1, rankSum: 1,
            firstOn: null, lastOn: null, firstAt: null, lastAt: null, firstLogged: null, lastLogged: null,
          },
        ]),
      );
      const one = rows.find((r) => r.caseId === 1)!;
      expect(typeof one.n).toBe('number');
      expect(typeof one.total).toBe('number');
      expect(typeof one.rankSum).toBe('number');
      expect(one.firstLogged).toBeInstanceOf(Date);
    });

    it('returns one row of totals without groups, also when no row matches', async () => {
      const aggregates = { n: { fn: 'count' }, priced: { fn: 'count', ref: col('amount') }, total: { fn: 'sum', ref: col('amount') }, top: { fn: 'max', ref: col('visit_on') } } as const;
      expect(await aggregate({ aggregates })).toEqual([{ n: 8, priced: 7, total: 133.6, top: '2024-03-04' }]);
      expect(await aggregate({ aggregates, where: cmp(col('case_id'), 'eq', 1) })).toEqual([{ n: 4, priced: 3, total: 35.75, top: '2024-03-04' }]);
      expect(await aggregate({ aggregates, where: { kind: 'constant', value: false } })).toEqual([{ n: 0, priced: 0, total: null, top: null }]);
      expect(await aggregate({})).toEqual([{}]);
    });

    it('groups without aggregates, and with a where', async () => {
      const rows = await aggregate({ groupBy: { k: { ref: col('case_id') } }, where: cmp(col('rank'), 'isNull', false) });
      expect(canonical(rows)).toEqual(canonical([{ k: 1 }, { k: 2 }, { k: 3 }, { k: null }]));
      const where = and(cmp(col('amount'), 'gt', 1), cmp(col('case_id'), 'ne', 3));
      const counted = await aggregate({ groupBy: { k: { ref: col('case_id') } }, aggregates: { n: { fn: 'count' } }, where });
      expect(canonical(counted)).toEqual(canonical([{ k: 1, n: 3 }, { k: 2, n: 1 }]));
    });

    it('groups on a normalised address, matching normalizeAddress', async () => {
      const rows = await aggregate({ groupBy: { place: { ref: address(col('address')) } }, aggregates: { n: { fn: 'count' }, total: { fn: 'sum', ref: col('amount') } } });
      expect(canonical(rows)).toEqual(
        canonical([
          { place: '1163 W 24TH ST', n: 3, total: 30.75 },
          { place: 'N E MAIN RD', n: 1, total: 5 },
          { place: '500 S W PKWY', n: 1, total: 100 },
          { place: null, n: 1, total: 0.1 },
          { place: 'NW HWY WESTWOOD CIR', n: 1, total: -3.25 },
          { place: '9 TER CT E LN', n: 1, total: 1 },
        ]),
      );
      const fromJs = new Map<string | null, number>();
      for (const v of VISIT) {
        const key = v.address === null ? null : normalizeAddress(v.address);
        fromJs.set(key, (fromJs.get(key) ?? 0) + 1);
      }
      expect(canonical(rows.map((r) => ({ place: r.place ?? null, n: r.n ?? null })))).toEqual(canonical([...fromJs].map(([place, n]) => ({ place, n }))));
    });

    /** Per bucket kind, the counts expected for the date, the naive date-time and the (UTC) instant columns. */
    const BUCKETS: Array<[TimeBucket, string, Record<string, number>]> = [
      ['day', 'visit_on', { '2024-02-29': 2, '2024-03-01': 1, '2024-03-03': 1, '2024-03-04': 1, '2023-12-31': 1, '2024-01-01': 1, null: 1 }],
      // The week of Monday 26 February 2024 spans the leap day and the start of March; 31 Dec 2023 is a Sunday.
      ['week', 'visit_on', { '2024-02-26': 4, '2024-03-04': 1, '2023-12-25': 1, '2024-01-01': 1, null: 1 }],
      ['month', 'visit_on', { '2024-02-01': 2, '2024-03-01': 3, '2023-12-01': 1, '2024-01-01': 1, null: 1 }],
      ['year', 'visit_on', { '2024-01-01': 6, '2023-01-01': 1, null: 1 }],
      // 23:59:59.999 stays on its day; midnight starts the next.
      ['day', 'visit_at', { '2024-02-29': 2, '2024-03-01': 1, '2024-03-03': 1, '2024-03-04': 1, '2023-12-31': 1, '2024-01-01': 1, null: 1 }],
      ['week', 'visit_at', { '2024-02-26': 4, '2024-03-04': 1, '2023-12-25': 1, '2024-01-01': 1, null: 1 }],
      ['month', 'visit_at', { '2024-02-01': 2, '2024-03-01': 3, '2023-12-01': 1, '2024-01-01': 1, null: 1 }],
      ['year', 'visit_at', { '2024-01-01': 6, '2023-01-01': 1, null: 1 }],
      // Instants are bucketed in UTC: 2024-02-29T23:30Z is the leap day (in Auckland, the databases' default zone, 1 March).
      ['day', 'logged_at', { '2024-02-29': 2, '2024-03-01': 1, '2024-03-04': 1, '2023-12-31': 1, '2024-01-01': 1, null: 2 }],
      ['week', 'logged_at', { '2024-02-26': 3, '2024-03-04': 1, '2023-12-25': 1, '2024-01-01': 1, null: 2 }],
      ['month', 'logged_at', { '2024-02-01': 2, '2024-03-01': 2, '2023-12-01': 1, '2024-01-01': 1, null: 2 }],
      ['year', 'logged_at', { '2024-01-01': 5, '2023-01-01': 1, null: 2 }],
    ];

    it.each(BUCKETS)('buckets by %s on %s, as YYYY-MM-DD strings', async (bucket, column, expected) => {
      const rows = await aggregate({ groupBy: { start: { ref: col(column), bucket } }, aggregates: { n: { fn: 'count' } } });
      const counts = Object.fromEntries(rows.map((r) => [String(r.start), r.n]));
      expect(counts).toEqual(expected);
      expect(rows.every((r) => r.start === null || (typeof r.start === 'string' && /^\d{4}-\d\d-\d\d$/.test(r.start)))).toBe(true);
    });

    it('groups by a bucket and a value together, with aggregates and a where', async () => {
      const rows = await aggregate({
        groupBy: { month: { ref: col('visit_on'), bucket: 'month' }, caseId: { ref: col('case_id') } },
        aggregates: { n: { fn: 'count' }, total: { fn: 'sum', ref: col('amount') }, last: { fn: 'max', ref: col('logged_at') } },
        where: cmp(col('visit_on'), 'isNull', false),
      });
      expect(canonical(rows)).toEqual(
        canonical([
          { month: '2024-02-01', caseId: 1, n: 1, total: 10.5, last: instant('2024-02-29T23:30:00') },
          { month: '2024-03-01', caseId: 1, n: 3, total: 25.25, last: instant('2024-03-04T08:00:00') },
          { month: '2023-12-01', caseId: 2, n: 1, total: 100, last: instant('2023-12-31T23:59:59.500') },
          { month: '2024-01-01', caseId: 2, n: 1, total: 0.1, last: instant('2024-01-01T00:00:00') },
          { month: '2024-02-01', caseId: 3, n: 1, total: -3.25, last: instant('2024-02-29T10:00:00') },
        ]),
      );
    });

    it('counts distinct non-null values, of a column and of a computed value, per group and in total', async () => {
      const aggregates = {
        cases: { fn: 'countDistinct', ref: col('case_id') },
        places: { fn: 'countDistinct', ref: address(col('address')) },
        days: { fn: 'countDistinct', ref: col('visit_on') },
        instants: { fn: 'countDistinct', ref: col('logged_at') },
        ranks: { fn: 'countDistinct', ref: col('rank') },
      } as const;
      const [totals] = await aggregate({ aggregates });
      expect(totals).toEqual({ cases: 3, places: 5, days: 6, instants: 6, ranks: 4 });
      expect(typeof totals!.cases).toBe('number');
      expect(await aggregate({ aggregates, where: { kind: 'constant', value: false } })).toEqual([{ cases: 0, places: 0, days: 0, instants: 0, ranks: 0 }]);
      const perCase = await aggregate({ groupBy: { k: { ref: col('case_id') } }, aggregates: { ranks: { fn: 'countDistinct', ref: col('rank') } } });
      expect(canonical(perCase)).toEqual(canonical([{ k: 1, ranks: 2 }, { k: 2, ranks: 1 }, { k: 3, ranks: 1 }, { k: null, ranks: 1 }]));
    });

    it('orders the groups by an aggregate and a group key, nulls placed as in find, and pages them', async () => {
      const groupBy = { k: { ref: col('case_id') } };
      const aggregates = { n: { fn: 'count' } } as const;
      const orderBy = [{ alias: 'n', direction: 'desc' }, { alias: 'k', direction: 'asc' }] as const;
      expect(await aggregate({ groupBy, aggregates, orderBy, limit: 2 })).toEqual([{ k: 1, n: 4 }, { k: 2, n: 2 }]);
      expect(await aggregate({ groupBy, aggregates, orderBy, limit: 2, offset: 2 })).toEqual([{ k: 3, n: 1 }, { k: null, n: 1 }]);
      expect(await aggregate({ groupBy, aggregates, orderBy, offset: 3 })).toEqual([{ k: null, n: 1 }]);
      expect((await aggregate({ groupBy, aggregates, orderBy: [{ alias: 'k', direction: 'desc' }] })).map((row) => row.k)).toEqual([null, 3, 2, 1]);
      const places = await aggregate({
        groupBy: { place: { ref: address(col('address')) } },
        aggregates: { n: { fn: 'count' }, least: { fn: 'min', ref: col('amount') } },
        orderBy: [{ alias: 'least', direction: 'asc' }, { alias: 'place', direction: 'asc' }],
        limit: 3,
        where: cmp(col('address'), 'isNull', false),
      });
      // The least amount of 1163 W 24TH ST is 10.5 (its third visit has none).
      expect(places).toEqual([{ place: 'NW HWY WESTWOOD CIR', n: 1, least: -3.25 }, { place: '9 TER CT E LN', n: 1, least: 1 }, { place: 'N E MAIN RD', n: 1, least: 5 }]);
    });

    it('reports a missing table as missing-table', async () => {
      const error = await source().aggregate({ table: 'no_such_table', groupBy: {}, aggregates: { n: { fn: 'count' } } }).then(
        () => undefined,
        (e: unknown) => e as { reason?: string; message?: string },
      );
      expect(error?.reason).toBe('missing-table');
      expect(error?.message).toContain('"no_such_table"');
    });
  });
}
