/**
 * Queries end to end through `openRestSource`: the API filters what it can and pages, the
 * memory engine does the rest, and the answers are those a SQL source gives on the same
 * fixture (test/source/sql/fixture.ts).
 */
process.env.TZ = 'America/Los_Angeles';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilterParam } from '../../../src/config/mapping.js';
import { openRestSource } from '../../../src/source/rest/rest-source.js';
import type { FindQuery, Source } from '../../../src/source/source.js';
import { and, asc, cmp, desc, or, rejection } from '../query-helpers.js';
import { EXPECTED_ROWS } from '../sql/fixture.js';
import { ALL, type ApiServer, ENDPOINT, startApi } from './api-server.js';
import { restConfig, tables } from './support.js';

const FILTER_PARAMS: FilterParam[] = [
  { column: 'status', op: 'eq', param: 'status' },
  { column: 'id', op: 'in', param: 'ids' },
  { column: 'opened_at', op: 'gte', param: 'start_date' },
];
const PAGINATION = { style: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1, size: 2 } as const;

let api: ApiServer;
let source: Source;

beforeAll(async () => {
  api = await startApi({
    paging: { style: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1 },
    filters: {
      status: (record, value) => record.status === value,
      ids: (record, value) => value.split(',').includes(String(record.id)),
      // Deliberately rough, as some APIs are: compares the calendar date only.
      start_date: (record, value) => typeof record.opened_at === 'string' && record.opened_at.slice(0, 10) >= value.slice(0, 10),
    },
  });
  source = openRestSource('cases-api', restConfig(api.url, { pagination: PAGINATION }), tables({ filterParams: FILTER_PARAMS }));
});
afterAll(async () => {
  await source.close();
  await api.close();
});

/** Runs `work`, returning what it resolved to and the query strings the API saw meanwhile. */
async function watched<T>(work: () => Promise<T>): Promise<{ result: T; queries: URLSearchParams[] }> {
  const before = api.requests.length;
  const result = await work();
  return { result, queries: api.requests.slice(before).map((request) => request.query) };
}

const find = (query: Partial<FindQuery>) => source.find({ table: ENDPOINT, select: ALL, orderBy: [asc('id')], limit: 100, offset: 0, ...query });
const expected = (...ids: number[]) => ids.map((id) => EXPECTED_ROWS.find((row) => row.id === id));

describe('REST source', () => {
  it('says what the API does and what is done in memory', () => {
    expect(source.pushdown).toEqual({
      filters: 'some',
      ordering: false,
      paging: false,
      grouping: false,
      keyLookups: false,
      memoryRowLimit: 100_000,
      notes: [
        'v1/cases: status eq → ?status=',
        'v1/cases: id in → ?ids= (values comma-separated)',
        'v1/cases: opened_at gte → ?start_date=',
        'pages: ?page=1&per_page=2, then the next page numbers until a page has fewer than 2 records.',
      ],
    });
    const plain = openRestSource('plain', restConfig(api.url), new Map());
    expect(plain.pushdown.filters).toBe('none');
    expect(plain.pushdown.notes).toEqual(['pages: none; one request returns every record.']);
  });

  it('filters, orders and pages in memory over what the API filtered', async () => {
    const { result, queries } = await watched(() =>
      find({
        where: and(cmp('opened_at', 'gte', '2024-01-15T08:00:00.250'), cmp('cost', 'gt', 1)),
        orderBy: [desc('cost')],
        limit: 2,
        offset: 1,
      }),
    );
    // Rows 1, 2 and 6 match (5 costs 0.1; 4 opened in 2023): by cost descending 1 (125.5), 2 (80.25), 6 (42).
    expect(result).toEqual(expected(2, 6));
    // The API's rough filter returns 1, 2, 5 and 6: two full pages, then an empty one.
    expect(queries.map((query) => [query.get('start_date'), query.get('page')])).toEqual([
      ['2024-01-15T08:00:00.250', '1'],
      ['2024-01-15T08:00:00.250', '2'],
      ['2024-01-15T08:00:00.250', '3'],
    ]);
  });

  it('applies the filter the API applied roughly again, exactly', async () => {
    expect((await find({ where: cmp('opened_at', 'gte', '2024-03-05T00:00:00.008') })).map((row) => row.id)).toEqual([1]);
  });

  it('orders with nulls last ascending, and pages', async () => {
    expect((await find({ orderBy: [asc('priority'), desc('id')], limit: 3, offset: 2 })).map((row) => row.id)).toEqual([1, 4, 6]);
    expect((await find({ orderBy: [desc('area.ward')] })).map((row) => row.id)).toEqual([3, 6, 4, 2, 1, 5]);
  });

  it('counts, sending the filter', async () => {
    const { result, queries } = await watched(() => source.count({ table: ENDPOINT, where: cmp('status', 'eq', 'O') }));
    expect(result).toBe(2);
    expect(queries.map((query) => [query.get('status'), query.get('page')])).toEqual([['O', '1'], ['O', '2']]);
    expect(await source.count({ table: ENDPOINT, where: or(cmp('status', 'eq', 'O'), cmp('is_open', 'eq', false)) })).toBe(4);
    expect(await source.count({ table: ENDPOINT })).toBe(6);
  });

  it('reads only the first page for a filtered, unordered page of rows', async () => {
    const { result, queries } = await watched(() => find({ where: cmp('status', 'eq', 'C'), orderBy: [], limit: 1 }));
    expect(result).toEqual(expected(2));
    expect(queries.map((query) => [query.get('status'), query.get('page'), query.get('per_page')])).toEqual([['C', '1', '1']]);
  });

  it('looks up many keys in one scan, sending them as a list', async () => {
    const { result, queries } = await watched(() =>
      source.findByKeys({
        table: ENDPOINT,
        select: { title: { column: 'title' } },
        key: { column: 'id' },
        keyAlias: 'key',
        keys: [4, 1, 99, null],
        orderBy: [asc('id')],
      }),
    );
    expect(result).toEqual([
      { title: 'Pothole on Main St', key: 1 },
      { title: 'Broken Bench', key: 4 },
    ]);
    expect(queries.map((query) => query.get('ids'))).toEqual(['4,1,99', '4,1,99']);
  });

  it('computes grouped statistics in memory', async () => {
    const rows = await source.aggregate({
      table: ENDPOINT,
      where: cmp('priority', 'isNull', false),
      groupBy: { month: { ref: { column: 'opened_on' }, bucket: 'month' } },
      aggregates: { n: { fn: 'count' }, cost: { fn: 'sum', ref: { column: 'cost' } }, last: { fn: 'max', ref: { column: 'closed_at' } } },
    });
    const byMonth = Object.fromEntries(rows.map((row) => [String(row.month), row]));
    expect(byMonth['2024-03-01']).toEqual({ month: '2024-03-01', n: 2, cost: 167.5, last: null });
    expect(byMonth['2024-02-01']).toEqual({ month: '2024-02-01', n: 1, cost: 0.1, last: new Date('2024-03-01T00:00:00.500Z') });
    expect(rows).toHaveLength(4);
  });

  it('fails a query that needs more records in memory than memoryRowLimit', async () => {
    const config = restConfig(api.url, { pagination: PAGINATION }, { memoryRowLimit: 3 });
    const small = openRestSource('cases-api', config, tables({ filterParams: FILTER_PARAMS }));
    expect((await rejection(small.count({ table: ENDPOINT }))).reason).toBe('row-limit');
    expect(await small.count({ table: ENDPOINT, where: cmp('status', 'eq', 'O') })).toBe(2);
  });

  it('describes an endpoint from its first records, with declared types winning', async () => {
    const { result, queries } = await watched(() => source.describeTable(ENDPOINT));
    expect(result?.map(({ name, type, nativeType }) => [name, type, nativeType])).toEqual([
      ['id', 'integer', 'json number'],
      ['title', 'text', 'json string'],
      ['status', 'text', 'json string'],
      ['priority', 'integer', 'json number'],
      ['cost', 'decimal', 'json string'],
      ['is_open', 'boolean', 'json boolean'],
      ['opened_on', 'date', 'json string'],
      ['opened_at', 'timestamp', 'json string'],
      ['closed_at', 'timestamptz', 'json string'],
      ['area.ward', 'text', 'json string'],
      ['area.code', 'text', 'json string'],
    ]);
    expect(queries.map((query) => query.get('page'))).toEqual(['1']);
    expect(await source.describeTable('v1/nothing')).toBeUndefined();
  });

  it('pings the first endpoint with the smallest page, or the host when it knows no endpoint', async () => {
    const { queries } = await watched(() => source.ping());
    expect(queries.map((query) => [query.get('page'), query.get('per_page')])).toEqual([['1', '1']]);
    // The API answers its base URL 404: an answer is all a ping without endpoints asks for.
    await expect(openRestSource('bare', restConfig(api.url), new Map()).ping()).resolves.toBeUndefined();
    const wrong = openRestSource('wrong', restConfig(api.url), new Map([['v1/nothing', { columns: new Map(), filterParams: [] }]]));
    expect((await rejection(wrong.ping())).reason).toBe('missing-table');
  });
});
