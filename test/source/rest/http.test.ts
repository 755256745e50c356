/**
 * The REST connector against a local API: pagination, filter parameters, credentials,
 * retries, limits and every way an API fails, each failure checked to be worded without
 * the base URL, host, credentials or record values.
 */
process.env.TZ = 'America/Los_Angeles';

import { afterEach, describe, expect, it } from 'vitest';
import type { RestOptions } from '../../../src/config/mapping.js';
import { Secret } from '../../../src/config/secret.js';
import type { RawRecord } from '../../../src/source/memory/scanner.js';
import { RestScanner } from '../../../src/source/rest/rest-scanner.js';
import { openRestSource } from '../../../src/source/rest/rest-source.js';
import type { FindQuery } from '../../../src/source/source.js';
import { and, byId, cmp, rejection } from '../query-helpers.js';
import { EXPECTED_ROWS } from '../sql/fixture.js';
import { ALL, type ApiOptions, type ApiServer, closedPort, ENDPOINT, type JsonRecord, RECORDS, startApi } from './api-server.js';
import { BEARER, expectNoSecrets, restConfig, tables } from './support.js';

let api: ApiServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function serve(options: ApiOptions = {}): Promise<ApiServer> {
  api = await startApi(options);
  return api;
}

function source(server: ApiServer, rest: Partial<RestOptions> = {}, settings: Parameters<typeof tables>[0] = {}, queryTimeoutMs = 10_000) {
  return openRestSource('permits-api', restConfig(server.url, rest, { queryTimeoutMs }), tables(settings));
}

function find(server: ApiServer, query: Partial<FindQuery> = {}, rest: Partial<RestOptions> = {}, settings: Parameters<typeof tables>[0] = {}) {
  return source(server, rest, settings).find({ table: ENDPOINT, select: ALL, orderBy: [byId], limit: 100, offset: 0, ...query });
}

async function read(records: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const all: RawRecord[] = [];
  for await (const record of records) all.push(record);
  return all;
}

/** The filter the server honours: status (eq and in, comma-separated), and opened_on >= opened_from. */
const HONOURED: ApiOptions['filters'] = {
  status: (record, value) => value.split(',').includes(String(record.status)),
  opened_from: (record, value) => typeof record.opened_on === 'string' && record.opened_on >= value,
};
const FILTER_PARAMS = [
  { column: 'status', op: 'eq', param: 'status' },
  { column: 'status', op: 'in', param: 'status' },
  { column: 'opened_on', op: 'gte', param: 'opened_from' },
] as const;

describe('reading', () => {
  it('reads every declared type as the SQL sources do, whatever the process time zone', async () => {
    const server = await serve();
    expect(new Date('2024-03-05T14:30:00').getTimezoneOffset()).not.toBe(0);
    const rows = await find(server);
    expect(rows).toEqual(EXPECTED_ROWS);
    expect(typeof rows[0]!.cost).toBe('number');
    expect(rows[1]!.closedAt).toBeInstanceOf(Date);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.accept).toBe('application/json');
  });

  it('reads records nested at rest.records, and undeclared values as JSON gives them', async () => {
    const server = await serve({ recordsPath: 'result.items' });
    const rows = await source(server, { records: 'result.items' }, { columns: new Map() }).find({
      table: ENDPOINT,
      select: { id: { column: 'id' }, cost: { column: 'cost' }, code: { column: 'area.code' } },
      orderBy: [byId],
      limit: 2,
      offset: 0,
    });
    expect(rows).toEqual([
      { id: 1, cost: '125.5', code: 'W-NORTH' },
      { id: 2, cost: '80.25', code: 'W-SOUTH' },
    ]);
  });

  it('reads date-times without offset in the source time zone', async () => {
    const server = await serve({ records: [{ id: 1, at: '2024-01-20T10:00:00', on: '2024-01-20T03:00:00Z' }] });
    const columns = new Map([['at', 'timestamptz'], ['on', 'date']] as const);
    const scanner = new RestScanner('permits-api', restConfig(server.url, {}, { timezone: 'America/New_York' }), tables({ columns }));
    const [record] = await read(scanner.scan({ table: ENDPOINT, orderBy: [] }).records);
    expect(record).toEqual({ id: 1, at: new Date('2024-01-20T15:00:00Z'), on: '2024-01-19' });
  });

  it('sends fixed query parameters and headers, revealing secret header values only to the API', async () => {
    const server = await serve({ token: BEARER.slice(7) });
    const rows = await find(server, {}, { headers: [['Authorization', new Secret(BEARER)]], query: [['format', 'json']] });
    expect(rows).toHaveLength(6);
    expect(server.requests[0]!.headers.authorization).toBe(BEARER);
    expect(server.requests[0]!.query.get('format')).toBe('json');
  });
});

describe('pagination', () => {
  it.each<[string, ApiOptions, Partial<RestOptions>, string[]]>([
    [
      'page numbers from 1',
      { paging: { style: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1 } },
      { pagination: { style: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1, size: 2 } },
      ['page=1&per_page=2', 'page=2&per_page=2', 'page=3&per_page=2', 'page=4&per_page=2'],
    ],
    [
      'page numbers from 0, ending on a short page',
      { paging: { style: 'page', pageParam: 'p', sizeParam: 'n', firstPage: 0 } },
      { pagination: { style: 'page', pageParam: 'p', sizeParam: 'n', firstPage: 0, size: 4 } },
      ['p=0&n=4', 'p=1&n=4'],
    ],
    [
      'offsets',
      { paging: { style: 'offset', offsetParam: 'offset', limitParam: 'limit' } },
      { pagination: { style: 'offset', offsetParam: 'offset', limitParam: 'limit', size: 4 } },
      ['offset=0&limit=4', 'offset=4&limit=4'],
    ],
    [
      'cursors',
      { paging: { style: 'cursor', cursorParam: 'cursor', sizeParam: 'limit', nextCursor: 'meta.next_cursor' }, recordsPath: 'data' },
      { pagination: { style: 'cursor', cursorParam: 'cursor', sizeParam: 'limit', nextCursor: 'meta.next_cursor', size: 2 }, records: 'data' },
      ['limit=2', 'cursor=YWZ0ZXI6Mg&limit=2', 'cursor=YWZ0ZXI6NA&limit=2'],
    ],
    [
      'cursors without a page size',
      { paging: { style: 'cursor', cursorParam: 'after', sizeParam: 'limit', nextCursor: 'next' }, recordsPath: 'items', maxPageSize: 4 },
      { pagination: { style: 'cursor', cursorParam: 'after', nextCursor: 'next', size: 100 }, records: 'items' },
      ['', 'after=YWZ0ZXI6NA'],
    ],
  ])('reads every page: %s', async (_, served, rest, queries) => {
    const server = await serve(served);
    expect(await find(server, {}, rest)).toEqual(EXPECTED_ROWS);
    expect(server.requests.map((request) => request.query.toString().replace(/(^|&)%24%24app_token=[^&]*/, '').replace(/^&/, ''))).toEqual(queries);
  });

  it('stops asking for pages once a fully filtered, unordered scan has its records', async () => {
    const server = await serve({ paging: { style: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1 } });
    const pagination = { style: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1, size: 100 } as const;
    const rows = await find(server, { orderBy: [], limit: 3 }, { pagination });
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
    expect(server.requests.map((request) => request.query.get('per_page'))).toEqual(['3']);
  });
});

describe('filter parameters', () => {
  const paging = { style: 'offset', offsetParam: 'offset', limitParam: 'limit' } as const;
  const pagination = { pagination: { ...paging, size: 2 } };

  it('sends the comparisons the API applies, and re-checks every record', async () => {
    const server = await serve({ filters: HONOURED, paging });
    const where = and(cmp('status', 'in', ['O', 'X']), cmp('opened_on', 'gte', '2024-01-01'));
    const rows = await find(server, { where }, pagination, { filterParams: FILTER_PARAMS });
    expect(rows.map((row) => row.id)).toEqual([1, 5]);
    // Two records fill a page of two, so a second (empty) page is asked for.
    expect(server.requests.map(({ query }) => [query.get('status'), query.get('opened_from'), query.get('offset')])).toEqual([
      ['O,X', '2024-01-01', '0'],
      ['O,X', '2024-01-01', '2'],
    ]);
  });

  it('gives the same rows when the API ignores a parameter', async () => {
    const server = await serve({ paging });
    const where = and(cmp('status', 'in', ['O', 'X']), cmp('opened_on', 'gte', '2024-01-01'));
    expect((await find(server, { where }, pagination, { filterParams: FILTER_PARAMS })).map((row) => row.id)).toEqual([1, 5]);
    expect(server.requests).toHaveLength(4);
    expect(server.requests.every((request) => request.query.get('status') === 'O,X')).toBe(true);
  });

  it('keeps reading past records the API should have filtered out when stopping early', async () => {
    const server = await serve({ paging });
    const rows = await find(server, { where: cmp('status', 'eq', 'C'), orderBy: [], limit: 1 }, pagination, { filterParams: FILTER_PARAMS });
    expect(rows.map((row) => row.id)).toEqual([2]);
    expect(server.requests.map((request) => request.query.get('limit'))).toEqual(['1', '1']);
  });

  it('sends what it can of a filter and applies the rest in memory', async () => {
    const server = await serve({ filters: HONOURED });
    const scanner = new RestScanner('permits-api', restConfig(server.url), tables({ filterParams: FILTER_PARAMS }));
    const where = and(cmp('status', 'eq', 'O'), cmp('title', 'contains', 'bench'));
    const scan = scanner.scan({ table: ENDPOINT, where, orderBy: [byId] });
    expect([scan.filtered, scan.ordered]).toEqual([false, false]);
    expect((await read(scan.records)).map((record) => record.id)).toEqual([1, 4]);
    expect(server.requests[0]!.query.get('status')).toBe('O');
    expect((await find(server, { where }, {}, { filterParams: FILTER_PARAMS })).map((row) => row.id)).toEqual([4]);
  });
});

describe('retries', () => {
  it('waits as long as Retry-After asks after a 429, then reads', async () => {
    const server = await serve();
    server.script({ status: 429, headers: { 'retry-after': '1' } });
    expect(await find(server)).toEqual(EXPECTED_ROWS);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const server = await serve();
    server.script({ status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } });
    expect(await find(server)).toHaveLength(6);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('retries a 503 twice with growing waits, then reads', async () => {
    const server = await serve();
    server.script({ status: 503 }, { status: 502, body: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } });
    expect(await find(server)).toEqual(EXPECTED_ROWS);
    const at = server.requests.map((request) => request.at);
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(140);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(290);
  });

  it('gives up after `retries` retries with a clear error', async () => {
    const server = await serve();
    server.script({ status: 503 }, { status: 503 }, { status: 503 });
    const error = await rejection(find(server, {}, { retries: 2 }));
    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe('source "permits-api": endpoint "v1/cases": the API is unavailable (503) (tried 3 times)');
    expect(server.requests).toHaveLength(3);
    expectNoSecrets(error, server);
  });

  it('fails at once when Retry-After asks for longer than the time limit leaves', async () => {
    const server = await serve();
    server.script({ status: 429, headers: { 'retry-after': '30' } });
    const started = Date.now();
    const error = await rejection(source(server, {}, {}, 2000).count({ table: ENDPOINT }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain('asked to wait 30 s');
    expect(error.message).toContain('2000 ms');
    expectNoSecrets(error, server);
  });

  it('does not retry other client errors', async () => {
    const server = await serve();
    server.script({ status: 400, body: JSON.stringify({ error: 'bad value Pothole on Main St' }), headers: { 'content-type': 'application/json' } });
    const error = await rejection(find(server));
    expect(error.reason).toBe('query-failed');
    expect(error.message).toContain('the API rejected the request (400)');
    expect(server.requests).toHaveLength(1);
    expectNoSecrets(error, server);
  });
});

describe('failures', () => {
  it('stops a request that runs past queryTimeoutMs', async () => {
    const server = await serve();
    server.script({ status: 200, delayMs: 3000, body: '[]', headers: { 'content-type': 'application/json' } });
    const started = Date.now();
    const error = await rejection(source(server, {}, {}, 300).count({ table: ENDPOINT }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.reason).toBe('timeout');
    expect(error.message).toBe(
      'source "permits-api": endpoint "v1/cases": reading the API took longer than the query\'s 300 ms limit (queryTimeoutMs) and was stopped',
    );
    expectNoSecrets(error, server);
  });

  it("stops at its caller's deadline, long before queryTimeoutMs, and hangs up on the API", async () => {
    const server = await serve();
    server.script({ status: 200, delayMs: 5000, body: '[]', headers: { 'content-type': 'application/json' } });
    const started = Date.now();
    const error = await rejection(source(server, {}, {}, 20_000).count({ table: ENDPOINT, deadline: started + 300 }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.reason).toBe('deadline');
    expect(error.message).toBe(`source "permits-api": endpoint "v1/cases": the query could not finish by its caller's deadline and was stopped`);
    await expect.poll(() => server.requests[0]?.abandonedAt, { timeout: 1000 }).toBeLessThan(started + 1500);
  });

  it('fails at once when Retry-After asks for longer than is left before its caller\'s deadline', async () => {
    const server = await serve();
    server.script({ status: 503, headers: { 'retry-after': '2' } });
    const started = Date.now();
    const error = await rejection(source(server, {}, {}, 20_000).count({ table: ENDPOINT, deadline: started + 1000 }));
    expect(Date.now() - started).toBeLessThan(500);
    expect(error.reason).toBe('deadline');
    expect(server.requests).toHaveLength(1);
  });

  it('holds a whole scan, every page together, to queryTimeoutMs', async () => {
    const server = await serve();
    // Each page alone comes well within the limit; five of them do not.
    const page = JSON.stringify(RECORDS.slice(0, 2));
    server.script(...Array.from({ length: 5 }, () => ({ status: 200, delayMs: 250, body: page, headers: { 'content-type': 'application/json' } })));
    const paged = { pagination: { style: 'page' as const, pageParam: 'page', sizeParam: 'per_page', firstPage: 1, size: 2 } };
    const started = Date.now();
    const error = await rejection(source(server, paged, {}, 700).count({ table: ENDPOINT }));
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain("the query's 700 ms limit (queryTimeoutMs)");
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(server.requests.length).toBeLessThanOrEqual(3);
  });

  it('refuses a response larger than maxResponseBytes, by Content-Length or while streaming', async () => {
    const server = await serve();
    const big = JSON.stringify(Array.from({ length: 50 }, () => RECORDS[0]));
    server.script({ status: 200, headers: { 'content-type': 'application/json' }, body: big, chunked: true });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(find(server, {}, { maxResponseBytes: 1024 }));
      expect(error.reason).toBe('bad-data');
      expect(error.message).toContain('the response exceeded 1024 bytes');
      expectNoSecrets(error, server);
    }
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a response by its Content-Length before reading it', async () => {
    const server = await serve();
    // The body never reaches the length announced: reading it would wait for the time limit.
    server.script({ status: 200, headers: { 'content-type': 'application/json', 'content-length': '5000' }, body: '[]' });
    const error = await rejection(source(server, { maxResponseBytes: 1024 }, {}, 5000).count({ table: ENDPOINT }));
    expect(error.message).toContain('the response exceeded 1024 bytes');
    expectNoSecrets(error, server);
  });

  it('refuses an HTML page answered instead of JSON', async () => {
    const server = await serve();
    server.script({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body>Please log in</body></html>' });
    const error = await rejection(find(server));
    expect(error.reason).toBe('bad-data');
    expect(error.message).toBe('source "permits-api": endpoint "v1/cases": the API answered text/html instead of JSON');
    expectNoSecrets(error, server);
  });

  it('does not follow a redirect, so credential headers never leave for another address', async () => {
    const server = await serve();
    const elsewhere = await serve();
    server.script({ status: 302, headers: { location: `http://127.0.0.1:${elsewhere.port}/api/v1/cases` } });
    const error = await rejection(find(server));
    expect(error.reason).toBe('query-failed');
    expect(error.message).toContain('the API redirected the request (302)');
    expect(elsewhere.requests).toEqual([]);
    expectNoSecrets(error, server);
  });

  it('refuses malformed JSON without quoting it', async () => {
    const server = await serve();
    server.script({ status: 200, headers: { 'content-type': 'application/json' }, body: '[{"title": "Pothole on Main St", ' });
    const error = await rejection(find(server));
    expect(error.reason).toBe('bad-data');
    expect(error.message).toContain('the API answered malformed JSON');
    expectNoSecrets(error, server);
  });

  it('reads JSON sent without a content type', async () => {
    const server = await serve();
    server.script({ status: 200, body: JSON.stringify(RECORDS) });
    expect(await find(server)).toEqual(EXPECTED_ROWS);
    server.script({ status: 200, body: 'Pothole on Main St' });
    const error = await rejection(find(server));
    expect(error.message).toContain('the API answered something other than JSON');
    expectNoSecrets(error, server);
  });

  it('reports records that are not where rest.records says', async () => {
    const server = await serve({ recordsPath: 'data' });
    const error = await rejection(find(server, {}, { records: 'results' }));
    expect(error.reason).toBe('bad-data');
    expect(error.message).toContain('no array of records at "results"');
    expectNoSecrets(error, server);
  });

  it('reports a value that does not convert without quoting it', async () => {
    const records: JsonRecord[] = RECORDS.map((record) => (record.id === 4 ? { ...record, opened_at: 'Pothole on Main St' } : record));
    const server = await serve({ records });
    const error = await rejection(find(server));
    expect(error.reason).toBe('bad-data');
    expect(error.message).toBe('source "permits-api": endpoint "v1/cases": column "opened_at" holds a value that is not a valid timestamp');
    expectNoSecrets(error, server);
  });

  it('reports refused credentials as unreachable', async () => {
    const server = await serve({ token: 'the-right-one' });
    const error = await rejection(find(server, {}, { headers: [['Authorization', new Secret(BEARER)]] }));
    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe('source "permits-api": endpoint "v1/cases": the API refused the credentials (401)');
    expectNoSecrets(error, server);
  });

  it('reports an unknown endpoint as a missing table', async () => {
    const server = await serve();
    const error = await rejection(source(server).count({ table: 'v1/nothing' }));
    expect(error.reason).toBe('missing-table');
    expect(error.message).toBe('source "permits-api": endpoint "v1/nothing": the API has no such endpoint (404)');
    expectNoSecrets(error, server);
    expect(server.requests).toHaveLength(1);
  });

  it('reports an API nobody answers for as unreachable, after its retries', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/api?$$app_token=appTok3nS3cr3t`;
    const rest = openRestSource('permits-api', restConfig(url, { retries: 1, headers: [['Authorization', new Secret(BEARER)]] }), tables());
    const error = await rejection(rest.count({ table: ENDPOINT }));
    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe('source "permits-api": endpoint "v1/cases": cannot reach the API (ECONNREFUSED) (tried 2 times)');
    expectNoSecrets(error, { port });
    await expect(rest.ping()).rejects.toMatchObject({ reason: 'unreachable' });
  });

  it('cancels requests in flight when closed', async () => {
    const server = await serve();
    server.script({ status: 200, delayMs: 5000, body: '[]' });
    const rest = source(server);
    const pending = rejection(rest.count({ table: ENDPOINT }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await rest.close();
    expect((await pending).message).toContain('closed');
    expect((await rejection(rest.count({ table: ENDPOINT }))).message).toContain('the source is closed');
  });
});
