/** The REST connector's pure parts: URLs, filter parameters, pages, typed values and inferred columns. */
process.env.TZ = 'America/Los_Angeles';

import { describe, expect, it } from 'vitest';
import type { FilterParam } from '../../../src/config/mapping.js';
import { describeRecords } from '../../../src/source/rest/describe.js';
import { Endpoint } from '../../../src/source/rest/endpoint.js';
import { filterQuery } from '../../../src/source/rest/filter-params.js';
import { Pager } from '../../../src/source/rest/pagination.js';
import { convert, recordsIn, typedRecord } from '../../../src/source/rest/records.js';
import { type Predicate, SourceError, type SourceValue } from '../../../src/source/source.js';
import { address, and, cmp, col, not, or } from '../query-helpers.js';

const endpoint = new Endpoint('permits-api', 'v1/permits');

function thrown(work: () => unknown): SourceError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a SourceError');
}

describe('endpoint URLs', () => {
  it.each([
    ['https://data.city.gov', 'permits', 'https://data.city.gov/permits'],
    ['https://data.city.gov/', '/permits', 'https://data.city.gov/permits'],
    ['https://data.city.gov/api/v2', 'permits', 'https://data.city.gov/api/v2/permits'],
    ['https://data.city.gov/api/v2/', '/v1/permits.json', 'https://data.city.gov/api/v2/v1/permits.json'],
  ])('appends %s + %s under the base path', (base, path, url) => {
    expect(new Endpoint('s', path).url(base, []).toString()).toBe(url);
  });

  it('keeps the base URL\'s query (an app token), then the endpoint\'s, then the parameters, a later one replacing an earlier', () => {
    const url = new Endpoint('s', 'resource/abcd.json?$order=id&format=csv').url('https://data.city.gov/?$$app_token=T0K', [
      ['format', 'json'],
      ['page', '2'],
    ]);
    expect([...url.searchParams]).toEqual([
      ['$$app_token', 'T0K'],
      ['$order', 'id'],
      ['format', 'json'],
      ['page', '2'],
    ]);
    expect(url.pathname).toBe('/resource/abcd.json');
  });

  it('refuses a base URL that is not http(s) or carries credentials, without quoting it', () => {
    for (const base of ['not a url s3cr3t', 'ftp://files.city.gov/s3cr3t', 'https://user:s3cr3t@data.city.gov/']) {
      const error = thrown(() => endpoint.url(base, []));
      expect(error.reason).toBe('unreachable');
      expect(error.message).toContain('endpoint "v1/permits"');
      expect(error.message).not.toContain('s3cr3t');
    }
  });
});

describe('filter parameters', () => {
  const params: FilterParam[] = [
    { column: 'status', op: 'eq', param: 'status' },
    { column: 'status', op: 'in', param: 'status' },
    { column: 'priority', op: 'gte', param: 'min_priority' },
    { column: 'opened_at', op: 'gte', param: 'start_date' },
    { column: 'is_open', op: 'eq', param: 'open' },
    { column: 'id', op: 'in', param: 'ids' },
  ];

  it('sends every top-level AND-ed comparison that has a parameter, values as text', () => {
    const where = and(
      cmp('status', 'in', ['O', 'X']),
      and(cmp('priority', 'gte', 2), cmp('opened_at', 'gte', new Date('2024-03-05T14:30:00Z'))),
      cmp('is_open', 'eq', false),
    );
    expect(filterQuery(where, params)).toEqual({
      params: [
        ['status', 'O,X'],
        ['min_priority', '2'],
        ['start_date', '2024-03-05T14:30:00.000Z'],
        ['open', 'false'],
      ],
      complete: true,
    });
    expect(filterQuery(cmp('priority', 'gte', 2.5), params)).toEqual({ params: [['min_priority', '2.5']], complete: true });
    expect(filterQuery(undefined, params)).toEqual({ params: [], complete: true });
  });

  it('leaves the rest to memory, and says so', () => {
    const partial = (where: Predicate) => filterQuery(where, params);
    expect(partial(and(cmp('status', 'eq', 'O'), cmp('title', 'contains', 'pot')))).toEqual({ params: [['status', 'O']], complete: false });
    expect(partial(or(cmp('status', 'eq', 'O'), cmp('status', 'eq', 'C')))).toEqual({ params: [], complete: false });
    expect(partial(not(cmp('status', 'eq', 'O')))).toEqual({ params: [], complete: false });
    expect(partial(cmp('priority', 'lte', 2))).toEqual({ params: [], complete: false });
    expect(partial(cmp('status', 'eq', null))).toEqual({ params: [], complete: false });
    const normalized = cmp(address(col('status')), 'eq', 'O');
    expect(partial(normalized)).toEqual({ params: [], complete: false });
  });

  it('does not send a list the API could misread or that would make the URL too long', () => {
    expect(filterQuery(cmp('status', 'in', ['O', null]), params).params).toEqual([]);
    expect(filterQuery(cmp('status', 'in', []), params).params).toEqual([]);
    expect(filterQuery(cmp('status', 'in', ['O', 'A,B']), params)).toEqual({ params: [], complete: false });
    const keys = Array.from({ length: 1000 }, (_, i) => i + 100_000);
    expect(filterQuery(cmp('id', 'in', keys), params)).toEqual({ params: [], complete: false });
    expect(filterQuery(cmp('id', 'in', keys.slice(0, 10)), params).params).toEqual([['ids', keys.slice(0, 10).join(',')]]);
  });

  it('sends one value per parameter, keeping a second comparison on it for memory', () => {
    const twice = and(cmp('status', 'eq', 'O'), cmp('status', 'in', ['O', 'C']));
    expect(filterQuery(twice, params)).toEqual({ params: [['status', 'O']], complete: false });
  });
});

describe('pages', () => {
  it('counts page numbers from firstPage and stops at a short page', () => {
    const pager = new Pager({ style: 'page', pageParam: 'p', sizeParam: 'n', firstPage: 0, size: 2 }, 2, endpoint);
    expect(pager.next).toEqual([['p', '0'], ['n', '2']]);
    pager.advance([], 2);
    expect(pager.next).toEqual([['p', '1'], ['n', '2']]);
    pager.advance([], 1);
    expect(pager.next).toBeUndefined();
  });

  it('advances offsets by the records read and stops at an empty page', () => {
    const pager = new Pager({ style: 'offset', offsetParam: 'skip', limitParam: 'take', size: 3 }, 3, endpoint);
    expect(pager.next).toEqual([['skip', '0'], ['take', '3']]);
    pager.advance([], 3);
    expect(pager.next).toEqual([['skip', '3'], ['take', '3']]);
    pager.advance([], 0);
    expect(pager.next).toBeUndefined();
  });

  it('follows cursors until one is absent, null or empty, and refuses a repeated one', () => {
    const cursor = { style: 'cursor', cursorParam: 'after', sizeParam: 'limit', nextCursor: 'meta.next', size: 5 } as const;
    for (const last of [{}, { meta: {} }, { meta: { next: null } }, { meta: { next: '' } }]) {
      const pager = new Pager(cursor, 5, endpoint);
      expect(pager.next).toEqual([['limit', '5']]);
      pager.advance({ meta: { next: 42 } }, 5);
      expect(pager.next).toEqual([['after', '42'], ['limit', '5']]);
      pager.advance(last, 5);
      expect(pager.next).toBeUndefined();
    }
    const looping = new Pager(cursor, 5, endpoint);
    looping.advance({ meta: { next: 'abc' } }, 5);
    expect(thrown(() => looping.advance({ meta: { next: 'abc' } }, 5)).reason).toBe('bad-data');
    expect(thrown(() => new Pager(cursor, 5, endpoint).advance({ meta: { next: { page: 2 } } }, 5)).message).toContain('"meta.next"');
  });

  it('reads one page when one request returns everything', () => {
    const pager = new Pager({ style: 'none' }, Infinity, endpoint);
    expect(pager.next).toEqual([]);
    pager.advance([], 10);
    expect(pager.next).toBeUndefined();
  });
});

describe('typed values', () => {
  it.each<[unknown, Parameters<typeof convert>[1], SourceValue | undefined]>([
    [42, 'integer', 42],
    [' 42 ', 'integer', 42],
    ['-7', 'integer', -7],
    ['12345678901234567890', 'integer', 12345678901234567890n],
    [4.5, 'integer', undefined],
    ['4.5', 'integer', undefined],
    ['', 'integer', undefined],
    [true, 'integer', undefined],
    ['125.50', 'decimal', 125.5],
    [0.1, 'decimal', 0.1],
    ['-.5', 'decimal', -0.5],
    ['1e3', 'decimal', 1000],
    ['12 apples', 'decimal', undefined],
    ['NaN', 'decimal', undefined],
    [true, 'boolean', true],
    ['FALSE', 'boolean', false],
    [1, 'boolean', true],
    ['0', 'boolean', false],
    ['yes', 'boolean', undefined],
    ['hello', 'text', 'hello'],
    [12, 'text', '12'],
    [{ a: 1 }, 'text', undefined],
    ['2024-02-29', 'date', '2024-02-29'],
    ['2024-02-29T23:30:00', 'date', '2024-02-29'],
    ['2024-02-30', 'date', undefined],
    ['29/02/2024', 'date', undefined],
    [20240229, 'date', undefined],
    ['2024-03-05 14:30', 'timestamp', '2024-03-05T14:30:00'],
    ['2024-03-05T14:30:00.250000', 'timestamp', '2024-03-05T14:30:00.250'],
    ['2024-03-05T14:30:00.000', 'timestamp', '2024-03-05T14:30:00'],
    ['2024-03-05', 'timestamp', '2024-03-05T00:00:00'],
    ['2024-03-05T24:00:00', 'timestamp', undefined],
    ['2024-03-05T14:30:00Z', 'timestamptz', new Date('2024-03-05T14:30:00Z')],
    ['2024-03-05T14:30:00.5+0100', 'timestamptz', new Date('2024-03-05T13:30:00.500Z')],
    ['2024-03-05T14:30:00-05', 'timestamptz', new Date('2024-03-05T19:30:00Z')],
    ['2024-03-05T14:30:00+25:00', 'timestamptz', undefined],
    [1709649000000, 'timestamptz', undefined],
  ])('%s as %s → %s', (value, type, expected) => {
    expect(convert(value, type, 'UTC')).toEqual(expected);
  });

  it('reads date-times without offset in the source zone, and shows instants in it', () => {
    const zone = 'America/New_York';
    expect(convert('2024-01-20T10:00:00', 'timestamptz', zone)).toEqual(new Date('2024-01-20T15:00:00Z'));
    expect(convert('2024-07-20 10:00:00', 'timestamptz', zone)).toEqual(new Date('2024-07-20T14:00:00Z'));
    expect(convert('2024-01-20T03:00:00Z', 'timestamp', zone)).toBe('2024-01-19T22:00:00');
    expect(convert('2024-01-20T03:00:00.120Z', 'timestamp', zone)).toBe('2024-01-19T22:00:00.120');
    expect(convert('2024-01-20T03:00:00Z', 'date', zone)).toBe('2024-01-19');
    expect(convert('2024-01-20T03:00:00', 'date', zone)).toBe('2024-01-20');
  });

  it('converts declared columns at their dotted paths, leaving the rest as JSON gives it', () => {
    const raw = { id: '7', tags: ['a'], address: { street: 'Main', zip: 98101 }, opened: '2024-03-05' };
    const columns = new Map([
      ['id', 'integer'],
      ['address.zip', 'text'],
      ['address.unit', 'text'],
      ['opened', 'date'],
    ] as const);
    const record = typedRecord(raw, columns, 'UTC', endpoint);
    expect(record).toEqual({ ...raw, id: 7, 'address.zip': '98101', 'address.unit': null, opened: '2024-03-05' });
    expect(raw.id).toBe('7');
    expect(typedRecord(raw, new Map(), 'UTC', endpoint)).toBe(raw);
  });

  it('fails on a value that does not convert, naming the endpoint and column but not the value', () => {
    const error = thrown(() => typedRecord({ id: 1, phone: '555-0100-SECRET' }, new Map([['phone', 'integer']]), 'UTC', endpoint));
    expect(error.reason).toBe('bad-data');
    expect(error.message).toBe('source "permits-api": endpoint "v1/permits": column "phone" holds a value that is not a valid integer');
    expect(thrown(() => typedRecord(['not', 'an', 'object'], new Map(), 'UTC', endpoint)).reason).toBe('bad-data');
  });

  it('finds the records at their path, or says where they were expected', () => {
    expect(recordsIn([1], '', endpoint)).toEqual([1]);
    expect(recordsIn({ data: { items: [1] } }, 'data.items', endpoint)).toEqual([1]);
    expect(thrown(() => recordsIn({ data: { items: { a: 1 } } }, 'data.items', endpoint)).message).toContain('no array of records at "data.items"');
    expect(thrown(() => recordsIn({ results: [] }, '', endpoint)).message).toContain('not an array of records');
  });
});

describe('inferred columns', () => {
  it('flattens nested objects into dotted paths and infers JSON types; declared types win', () => {
    const records = [
      { id: 1, title: 'a', cost: 2, ok: true, tags: ['x'], location: { lat: 47.6, lon: -122 }, meta: {}, gone: null, when: '2024-01-01' },
      { id: 2, title: null, cost: 2.5, ok: false, tags: [], location: null, meta: {}, gone: null, mixed: 'x' },
      { id: 3, mixed: 3, location: { lat: 47, lon: -121.5 } },
    ];
    const columns = describeRecords(records, new Map([['when', 'date'], ['declared.only', 'integer']]));
    expect(columns.map(({ name, type, nativeType }) => [name, type, nativeType])).toEqual([
      ['id', 'integer', 'json number'],
      ['title', 'text', 'json string'],
      ['cost', 'decimal', 'json number'],
      ['ok', 'boolean', 'json boolean'],
      ['tags', 'other', 'json array'],
      ['location.lat', 'decimal', 'json number'],
      ['location.lon', 'decimal', 'json number'],
      ['meta', 'other', 'json object'],
      ['gone', 'other', 'json null'],
      ['when', 'date', 'json string'],
      ['mixed', 'other', 'json string or number'],
      ['declared.only', 'integer', 'json, absent from the first page'],
    ]);
    expect(columns.every((column) => column.nullable)).toBe(true);
  });
});
