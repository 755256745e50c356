/**
 * The MongoDB connector through the official driver: the cross-connector contract
 * (../contract/cases.ts) and what only MongoDB has — documents, ObjectIds, BSON number
 * types, operator-looking values. Runs against a real server when MONGODB_URL is set,
 * otherwise against the mingo-backed wire test server (test/support/mongo-wire).
 */
// Naive date-times must never pass through the Node process's zone: run in one that is not UTC.
process.env.TZ = 'America/Los_Angeles';

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hundredBlock } from '../../../src/privacy/hundred-block.js';
import { normalizeAddress } from '../../../src/source/address.js';
import type { OrderKey, Predicate } from '../../../src/source/source.js';
import { MONGODB_URL } from '../../support/servers.js';
import { contractCases } from '../contract/cases.js';
import { PLACES, TABLE, VISITS } from '../contract/data.js';
import { address, asc, cmp, col, not, rejection } from '../query-helpers.js';
import { ADDRESS_INPUTS, ADDRESSES, GENERATED, GENERATED_DOCUMENTS, type MongoHarness, mongoHarness, NESTED, NESTED_IDS, TRICKY } from './fixture.js';

/**
 * A TCP proxy to a MongoDB server that can stop passing the server's replies on, as a server
 * that hangs would: the only way to hold a query past its time limit on a test server that
 * does not enforce maxTimeMS.
 */
async function stallingProxy(host: string, port: number): Promise<{ port: number; stall(on: boolean): void; close(): Promise<void> }> {
  let stalled = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(socket);
      });
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!stalled) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as net.AddressInfo;
  return {
    port: proxyPort,
    stall: (on) => {
      stalled = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe(`MongoDB source on ${MONGODB_URL === undefined ? 'the mingo wire test server' : 'MONGODB_URL'}`, () => {
  let harness: MongoHarness | undefined;
  // A server that is down must fail every case (with its reason), not leave them skipped.
  let setupError: unknown;
  beforeAll(async () => {
    harness = await mongoHarness().catch((error: unknown) => {
      setupError = error;
      return undefined;
    });
  });
  afterAll(async () => {
    await harness?.teardown();
  });
  const current = (): MongoHarness => {
    if (!harness) throw new Error('the fixture database could not be prepared', { cause: setupError });
    return harness;
  };
  const source = () => current().source;
  const values = async (table: string, column: string, where: Predicate | undefined, orderBy: OrderKey[] = [asc(column)]) =>
    (await source().find({ table, select: { v: col(column) }, where, orderBy, limit: 100, offset: 0 })).map((r) => r.v);

  contractCases(current);

  it('says everything runs in MongoDB', () => {
    expect(source().pushdown).toMatchObject({ filters: 'all', ordering: true, paging: true, grouping: true, keyLookups: true });
  });

  it('lists the collections', async () => {
    expect(await source().listTables()).toEqual([ADDRESSES, TABLE, GENERATED, NESTED, PLACES, TRICKY, VISITS]);
  });

  describe('describing collections', () => {
    it('lists paths in the order they appear, with BSON type names and nullability; declared types win', async () => {
      const columns = await source().describeTable(TABLE);
      expect(columns?.map((c) => [c.name, c.type, c.nativeType, c.nullable])).toEqual([
        ['_id', 'text', 'objectId', false],
        ['id', 'integer', 'int', false],
        ['title', 'text', 'string', false],
        ['status', 'text', 'string', true],
        ['priority', 'integer', 'int', true],
        // JS numbers are stored as int32 when whole: a column of doubles and ints is decimal.
        ['cost', 'decimal', 'double/int', true],
        ['is_open', 'boolean', 'bool', true],
        ['opened_on', 'date', 'string', true],
        ['opened_at', 'timestamp', 'date', true],
        ['closed_at', 'timestamptz', 'date', true],
        ['Ward', 'text', 'string', true],
      ]);
    });

    it('flattens nested documents and describes an array and the fields of its first element', async () => {
      const columns = await source().describeTable(NESTED);
      expect(columns?.map((c) => [c.name, c.type, c.nullable])).toEqual([
        ['_id', 'text', false],
        ['ref', 'text', false],
        ['address.street', 'text', true],
        ['address.number', 'integer', true],
        ['inspections', 'other', false],
        ['inspections.0.result', 'text', true],
        ['inspections.0.at', 'timestamptz', true],
        ['fee', 'decimal', true],
        ['visits', 'integer', true],
        ['big', 'integer', true],
        ['owner', 'text', true],
      ]);
      expect(columns?.find((c) => c.name === 'inspections')?.nativeType).toBe('array');
      expect(columns?.find((c) => c.name === 'fee')?.nativeType).toBe('decimal');
    });
  });

  describe('documents', () => {
    it('reads dotted paths, array elements, ObjectIds, Decimal128 and 64-bit integers', async () => {
      const rows = await source().find({
        table: NESTED,
        select: {
          id: col('_id'),
          street: col('address.street'),
          first: col('inspections.0.result'),
          second: col('inspections.1.result'),
          firstAt: col('inspections.0.at'),
          fee: col('fee'),
          visits: col('visits'),
          big: col('big'),
          owner: col('owner'),
        },
        orderBy: [asc('ref')],
        limit: 10,
        offset: 0,
      });
      expect(rows).toEqual([
        {
          id: NESTED_IDS[0], street: 'Main St', first: 'PASS', second: 'FAIL', firstAt: new Date('2024-03-01T10:00:00Z'),
          fee: 12.5, visits: 5, big: 9007199254740993n, owner: NESTED_IDS[1],
        },
        { id: NESTED_IDS[1], street: '1163 West 24th Street', first: 'FAIL', second: null, firstAt: null, fee: 0.1, visits: 0, big: null, owner: null },
        { id: NESTED_IDS[2], street: null, first: null, second: null, firstAt: null, fee: null, visits: null, big: null, owner: null },
      ]);
    });

    it.each<[string, Predicate, string[]]>([
      ['an array element by index', cmp('inspections.0.result', 'eq', 'PASS'), ['A']],
      ['the second array element', cmp('inspections.1.result', 'eq', 'FAIL'), ['A']],
      ['not of an array element (a missing element is NULL)', not(cmp('inspections.1.result', 'eq', 'FAIL')), ['B', 'C']],
      ['a nested field', cmp('address.street', 'contains', 'WEST'), ['B']],
      ['a missing nested field is NULL', cmp('address.street', 'isNull', true), ['C']],
      ['an ObjectId with its hex text', cmp('owner', 'eq', NESTED_IDS[1]), ['A']],
      ['_id in hex texts, one not an id at all', cmp('_id', 'in', [NESTED_IDS[2], 'not-an-object-id']), ['C']],
      ['ne an ObjectId includes NULL rows', cmp('owner', 'ne', NESTED_IDS[1]), ['B', 'C']],
    ])('filters on %s', async (_title, where, expected) => {
      expect(await values(NESTED, 'ref', where)).toEqual(expected);
    });

    // mingo compares Decimal128 and Long values as objects (their text) in queries and skips them in $sum.
    describe.skipIf(MONGODB_URL === undefined)('Decimal128 and 64-bit integers in queries (a real server only)', () => {
      it.each<[string, Predicate, string[]]>([
        ['a Decimal128 with a number', cmp('fee', 'gt', 1), ['A']],
        ['a Decimal128 equal to a number as SQL decimals are', cmp('fee', 'eq', 0.1), ['B']],
        ['a Decimal128 with numeric text', cmp('fee', 'lte', '0.1'), ['B']],
        ['a 64-bit integer beyond 2^53 with a bigint', cmp('big', 'gt', 9007199254740992n), ['A']],
      ])('filters on %s', async (_title, where, expected) => {
        expect(await values(NESTED, 'ref', where)).toEqual(expected);
      });

      it('orders and sums Decimal128 values exactly', async () => {
        expect(await values(NESTED, 'ref', undefined, [{ ref: col('fee'), direction: 'desc' }])).toEqual(['C', 'A', 'B']);
        const rows = await source().aggregate({ table: NESTED, groupBy: {}, aggregates: { total: { fn: 'sum', ref: col('fee') } } });
        expect(rows).toEqual([{ total: 12.6 }]);
      });
    });

    it('converts filter values to the stored type: a date to a BSON Date, numeric text to a number', async () => {
      expect(await values(VISITS, 'id', cmp('visit_on', 'eq', '2024-02-29'))).toEqual([1, 7]);
      expect(await values(VISITS, 'id', cmp('visit_on', 'gte', '2024-03-03'))).toEqual([3, 4]);
      expect(await values(TABLE, 'id', cmp('id', 'in', ['3', 5]))).toEqual([3, 5]);
    });

    it('aggregates nested values', async () => {
      const rows = await source().aggregate({
        table: NESTED,
        groupBy: { street: { ref: address(col('address.street')) } },
        aggregates: { n: { fn: 'count' }, fees: { fn: 'count', ref: col('fee') }, last: { fn: 'max', ref: col('inspections.0.at') } },
      });
      expect([...rows].sort((a, b) => String(a.street).localeCompare(String(b.street)))).toEqual([
        { street: '1163 W 24TH ST', n: 1, fees: 1, last: null },
        { street: 'MAIN ST', n: 1, fees: 1, last: new Date('2024-03-01T10:00:00Z') },
        { street: null, n: 1, fees: 0, last: null },
      ]);
    });

    it('looks rows up by ObjectId keys given as hex text, carrying the key as hex text', async () => {
      const rows = await source().findByKeys({
        table: NESTED,
        select: { ref: col('ref') },
        key: col('_id'),
        keyAlias: 'k',
        keys: [NESTED_IDS[2], NESTED_IDS[0], 'nonsense'],
        orderBy: [asc('ref')],
      });
      expect(rows).toEqual([
        { ref: 'A', k: NESTED_IDS[0] },
        { ref: 'C', k: NESTED_IDS[2] },
      ]);
    });

    it('refuses a nested document or an array read as one value, as bad data without the value', async () => {
      for (const column of ['address', 'inspections']) {
        const error = await rejection(source().find({ table: NESTED, select: { v: col(column) }, orderBy: [asc('ref')], limit: 1, offset: 0 }));
        expect(error.reason).toBe('bad-data');
        expect(error.message).not.toContain('Main St');
        expect(error.message).not.toContain('PASS');
      }
    });

    it('reports a failing pipeline with the server error code only', async () => {
      // A nested document has no text form: $toString fails in the server.
      const error = await rejection(
        source().find({ table: NESTED, select: { a: address(col('address')) }, where: cmp('ref', 'eq', 'A'), orderBy: [], limit: 1, offset: 0 }),
      );
      expect(error.reason).toBe('query-failed');
      expect(error.message).toMatch(/^source "mongo-fixture": the MongoDB query failed \(\w+\)$/);
    });
  });

  describe('normalised addresses', () => {
    it('computes normalizeAddress in the pipeline for every spelling', async () => {
      const rows = await source().find({ table: ADDRESSES, select: { a: address(col('text')) }, orderBy: [asc('i')], limit: 100, offset: 0 });
      expect(rows.map((r) => r.a)).toEqual(ADDRESS_INPUTS.map(normalizeAddress));
    });

    it(`computes the hundred block of ${GENERATED_DOCUMENTS.length} generated addresses, and of their normalised spelling, as hundredBlock does`, async () => {
      const text = col('text');
      const rows = await source().find({
        table: GENERATED,
        select: { i: col('i'), block: { transform: 'hundredBlock', of: text }, normalised: address(text), normalisedBlock: { transform: 'hundredBlock', of: address(text) } },
        orderBy: [asc('i')],
        limit: 1_000,
        offset: 0,
      });
      expect(rows).toHaveLength(GENERATED_DOCUMENTS.length);
      const differences = rows.flatMap((row) => {
        const input = GENERATED_DOCUMENTS[row.i as number]!.text;
        return [
          ...(row.block === hundredBlock(input) ? [] : [`${JSON.stringify(input)}: ${JSON.stringify(row.block)}`]),
          ...(row.normalisedBlock === hundredBlock(row.normalised as string) ? [] : [`${JSON.stringify(row.normalised)}: ${JSON.stringify(row.normalisedBlock)}`]),
        ];
      });
      expect(differences).toEqual([]);
    });

    it('compares a normalised value with text starting with "$" as text', async () => {
      expect(await values(ADDRESSES, 'i', cmp(address(col('text')), 'eq', '$WHERE ST'))).toEqual([13]);
      expect(await values(ADDRESSES, 'i', cmp(address(col('text')), 'startsWith', '(1) [2] *3*'))).toEqual([14]);
    });
  });

  describe('values that look like operators', () => {
    const titles = (where: Predicate | undefined, orderBy: OrderKey[] = [asc('id')]) => values(TRICKY, 'title', where, orderBy);

    it.each<[string, Predicate, string[]]>([
      ['eq "$gt"', cmp('title', 'eq', '$gt'), ['$gt']],
      ['eq a JSON operator document', cmp('title', 'eq', '{"$gt": ""}'), ['{"$gt": ""}']],
      ['ne "$gt"', cmp('title', 'ne', '$gt'), ['{"$gt": ""}', '$where', '$$ROOT', '$', 'plain', '$title', '.*', '^']],
      ['in "$where", "$$ROOT"', cmp('title', 'in', ['$where', '$$ROOT']), ['$where', '$$ROOT']],
      ['lt "$$"', cmp('title', 'lt', '$$'), ['$']],
      ['contains "$"', cmp('title', 'contains', '$'), ['$gt', '{"$gt": ""}', '$where', '$$ROOT', '$', '$title']],
      ['startsWith "$"', cmp('title', 'startsWith', '$'), ['$gt', '$where', '$$ROOT', '$', '$title']],
      ['contains ".*"', cmp('title', 'contains', '.*'), ['.*']],
      ['startsWith "^"', cmp('title', 'startsWith', '^'), ['^']],
      ['a normalised value eq "$TITLE" (not the field title)', cmp(address(col('code')), 'eq', '$TITLE'), ['$title']],
      ['a normalised value in "$GT", "$$ROOT"', cmp(address(col('code')), 'in', ['$GT', '$$ROOT']), ['$gt', '$$ROOT']],
      ['a normalised value contains "$"', cmp(address(col('code')), 'contains', '$W'), ['$where']],
    ])('filters: %s', async (_title, where, expected) => {
      expect(await titles(where)).toEqual(expected);
    });

    it('recodes from and to text starting with "$"', async () => {
      const recode: OrderKey['recode'] = [['$gt', '$c'], ['plain', '$b'], ['$$ROOT', '$a']];
      expect(await titles(undefined, [{ ref: col('title'), direction: 'asc', recode }, asc('id')])).toEqual([
        '$$ROOT', 'plain', '$gt', '{"$gt": ""}', '$where', '$', '$title', '.*', '^',
      ]);
    });

    it('looks up and groups by keys starting with "$"', async () => {
      const rows = await source().findByKeys({ table: TRICKY, select: { id: col('id') }, key: col('title'), keyAlias: 'k', keys: ['$title', '$gt'], orderBy: [asc('id')] });
      expect(rows).toEqual([
        { id: 1, k: '$gt' },
        { id: 7, k: '$title' },
      ]);
      const groups = await source().aggregate({
        table: TRICKY,
        where: cmp('title', 'in', ['$$ROOT', '$']),
        groupBy: { t: { ref: col('title') } },
        aggregates: { n: { fn: 'count' }, least: { fn: 'min', ref: col('code') } },
      });
      expect([...groups].sort((a, b) => String(a.t).localeCompare(String(b.t)))).toEqual([
        { t: '$', n: 1, least: '$' },
        { t: '$$ROOT', n: 1, least: '$$ROOT' },
      ]);
    });
  });

  describe('failures', () => {
    it('refuses liaison SQL expressions with a query-failed error that carries no values', async () => {
      const error = await rejection(
        source().find({
          table: TABLE,
          select: { x: { expression: 'UPPER(title)' } },
          where: cmp('title', 'eq', 'SECRET-ROW-VALUE-42'),
          orderBy: [],
          limit: 1,
          offset: 0,
        }),
      );
      expect(error.reason).toBe('query-failed');
      expect(error.message).not.toContain('SECRET-ROW-VALUE-42');
      expect(error.message).not.toContain('UPPER');
    });

    it('reports counts and look-ups on a missing collection as missing-table', async () => {
      expect((await rejection(source().count({ table: 'no_such_table' }))).reason).toBe('missing-table');
      const lookup = source().findByKeys({ table: 'no_such_table', select: {}, key: col('id'), keyAlias: 'id', keys: [1] });
      expect((await rejection(lookup)).message).toContain('"no_such_table"');
    });

    it('reports an unreachable server within the time limit, without the URL or password', async () => {
      const url = 'mongodb://civic:s3cretPW@127.0.0.1:1/x';
      const unreachable = current().open('down', { url, queryTimeoutMs: 2_000 });
      try {
        const started = Date.now();
        const error = await rejection(unreachable.ping());
        expect(error.reason).toBe('unreachable');
        expect(error.message).toBe('source "down": cannot reach the MongoDB server');
        expect(error.message).not.toContain('s3cretPW');
        expect(error.message).not.toContain('127.0.0.1');
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await unreachable.close();
      }
    });

    it('keeps reporting an unreachable server as such, and serves once it comes up', async () => {
      // A port nothing listens on yet; the driver gives up on a client whose first connection failed.
      const port = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port: free } = probe.address() as net.AddressInfo;
          probe.close(() => resolve(free));
        });
      });
      const late = current().open('late', { url: `mongodb://127.0.0.1:${port}/late`, queryTimeoutMs: 1_500 });
      try {
        for (let i = 0; i < 2; i++) expect((await rejection(late.count({ table: TABLE }))).message).toBe('source "late": cannot reach the MongoDB server');
        const { startMongoWireServer } = await import('../../support/mongo-wire/server.js');
        const server = await startMongoWireServer({ port });
        try {
          await expect(late.listTables()).resolves.toEqual([]);
        } finally {
          await server.close();
        }
      } finally {
        await late.close();
      }
    });

    it('reports rejected credentials without the password', async (ctx) => {
      if (MONGODB_URL === undefined) return ctx.skip('the mingo wire test server has no authentication');
      const url = current().url.replace(/^(mongodb(?:\+srv)?:\/\/)(?:[^@/]*@)?/, '$1no_such_user_civic:s3cretPW@');
      const refused = current().open('locked', { url, queryTimeoutMs: 5_000 });
      try {
        const error = await rejection(refused.count({ table: TABLE }));
        expect(error.reason).toBe('unreachable');
        expect(error.message).toMatch(/rejected the login/);
        expect(error.message).not.toContain('s3cretPW');
      } finally {
        await refused.close();
      }
    });

    it('gives up on a server that stops answering with a timeout error, and stays usable', async (ctx) => {
      const target = /^mongodb:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)(?:\/|$)/.exec(current().serverUrl);
      if (!target || /tls=true|ssl=true/i.test(current().serverUrl)) return ctx.skip('MONGODB_URL is not a single plain host to proxy');
      const proxy = await stallingProxy(target[1]!, Number(target[2]));
      // Heartbeats are pushed past the test so that only the query meets the stalled server.
      const url = current().url.replace(`${target[1]}:${target[2]}`, `127.0.0.1:${proxy.port}`);
      const probe = current().open('stalled', { url: `${url}${url.includes('?') ? '&' : '?'}heartbeatFrequencyMS=60000&directConnection=true`, queryTimeoutMs: 300 });
      try {
        await probe.ping();
        proxy.stall(true);
        const started = Date.now();
        const error = await rejection(probe.count({ table: TABLE }));
        expect(error.reason).toBe('timeout');
        expect(error.message).toContain('300 ms');
        expect(Date.now() - started).toBeLessThan(15_000);
        proxy.stall(false);
        await expect(probe.ping()).resolves.toBeUndefined();
      } finally {
        await probe.close();
        await proxy.close();
      }
    }, 30_000);
  });
});
