/**
 * The SQL connector's cases: the cross-connector contract (../contract/cases.ts) plus what
 * only SQL has — liaison-written expressions, statement time limits, server logins and
 * schema-qualified tables. Called inside a describe block whose beforeAll prepares the harness.
 */
import { describe, expect, it, vi } from 'vitest';
import { hundredBlock } from '../../../src/privacy/hundred-block.js';
import { normalizeAddress } from '../../../src/source/address.js';
import type { Predicate, ValueRef } from '../../../src/source/source.js';
import { openSqlSource } from '../../../src/source/sql/sql-source.js';
import { contractCases } from '../contract/cases.js';
import { ADDRESS_SPELLINGS, GENERATED_ADDRESSES } from '../contract/data.js';
import { address, byId, cmp, col, rejection } from '../query-helpers.js';
import { CASE_VIEW, type Harness, sourceConfig, TABLE, UNANALYSED, UNANALYSED_ROWS, VISITS } from './fixture.js';

export function sourceCases(harness: () => Harness): void {
  const source = () => harness().source;

  contractCases(harness);

  it('lists the tables of its schema, the fixture among them', async () => {
    expect(await source().listTables()).toEqual(expect.arrayContaining([TABLE, VISITS]));
  });

  it('estimates a schema-qualified table as its bare name', async () => {
    expect(await source().estimateRows(harness().qualifiedTable)).toBe(await source().estimateRows(TABLE));
  });

  it('gives the exact size of a table whose statistics were never gathered', async () => {
    expect(await source().estimateRows(UNANALYSED)).toBe(UNANALYSED_ROWS);
  });

  it('cannot estimate a view, which no database keeps a row count for', async () => {
    expect(await source().estimateRows(CASE_VIEW)).toBeUndefined();
  });

  it('orders by an expression', async () => {
    const rows = await source().find({ table: TABLE, select: { id: col('id') }, orderBy: [{ ref: { expression: '0 - priority' }, direction: 'asc' }, byId], limit: 100, offset: 0 });
    expect(rows.map((r) => r.id)).toEqual([6, 4, 1, 5, 2, 3]);
  });

  it('reads and filters liaison expressions', async () => {
    const rows = await source().find({
      table: TABLE,
      select: { id: col('id'), shout: { expression: 'UPPER(title)' }, doubled: { expression: 'cost * 2' }, q: { expression: "'why?'" } },
      where: { kind: 'compare', ref: { expression: 'priority * 10' }, op: 'gte', value: 30 },
      orderBy: [byId],
      limit: 10,
      offset: 0,
    });
    expect(rows).toEqual([
      { id: 4, shout: 'BROKEN BENCH', doubled: 2000, q: 'why?' },
      { id: 6, shout: 'BROKEN HYDRANT!', doubled: 84, q: 'why?' },
    ]);
  });

  it('describes a table, keeping column case and classifying types', async () => {
    const expected = [
      ['id', 'integer', false],
      ['title', 'text', false],
      ['status', 'text', true],
      ['priority', 'integer', true],
      ['cost', 'decimal', true],
      ['is_open', 'boolean', true],
      ['opened_on', 'date', true],
      ['opened_at', 'timestamp', true],
      ['closed_at', 'timestamptz', true],
      ['Ward', 'text', true],
    ];
    for (const table of [TABLE, harness().qualifiedTable]) {
      const columns = await source().describeTable(table);
      expect(columns?.map((c) => [c.name, c.type, c.nullable])).toEqual(expected);
      expect(columns?.every((c) => c.nativeType.length > 0)).toBe(true);
    }
  });

  it('reports a failing query without its bound values', async () => {
    const error = await rejection(
      source().find({
        table: TABLE,
        select: { x: { expression: 'no_such_function(1)' } },
        where: cmp('title', 'eq', 'SECRET-ROW-VALUE-42'),
        orderBy: [],
        limit: 1,
        offset: 0,
      }),
    );
    expect(error.reason).toBe('query-failed');
    expect(error.message).not.toContain('SECRET-ROW-VALUE-42');
    expect(error.message).not.toMatch(/select/i);
  });

  it('stops a statement that runs past queryTimeoutMs with a timeout error, and stays usable', async () => {
    const { source: probe, table } = harness().openProbe(300);
    try {
      const started = Date.now();
      const error = await rejection(
        probe.find({ table, select: { s: { expression: harness().sleep(2) } }, orderBy: [], limit: 1, offset: 0 }),
      );
      expect(error.reason).toBe('timeout');
      expect(error.message).toContain('300 ms');
      expect(Date.now() - started).toBeLessThan(10_000);
      // PGlite cannot interrupt the statement: the source is usable again once it has finished.
      await expect(vi.waitFor(() => probe.ping(), { timeout: 8_000, interval: 250 })).resolves.toBeUndefined();
    } finally {
      await probe.close();
    }
  });

  it("stops a statement at its caller's deadline, long before queryTimeoutMs, so that the server no longer runs it", async () => {
    const { source: probe, table } = harness().openProbe(20_000);
    const running = harness().runningStatements;
    // PGlite cannot be interrupted and blocks while it sleeps: a short sleep is abandoned once it ends.
    const sleep = harness().sleep(running ? 6 : 1);
    try {
      const started = Date.now();
      const query = probe.find({ table, select: { s: { expression: sleep } }, orderBy: [], limit: 1, offset: 0, deadline: started + 500 });
      const error = rejection(query);
      if (running) {
        await expect.poll(() => running(sleep), { timeout: 450, interval: 50 }).toBe(1);
      }
      expect((await error).reason).toBe('deadline');
      expect((await error).message).toBe(`source "${probe.name}": the query could not finish by its caller's deadline and was stopped`);
      if (running) {
        expect(Date.now() - started).toBeLessThan(1_500);
        await expect.poll(() => running(sleep), { timeout: 2_000, interval: 100 }).toBe(0);
      }
    } finally {
      await probe.close();
    }
  });

  it("never sends a statement whose caller's deadline passed while it waited for a pooled connection", async (ctx) => {
    const running = harness().runningStatements;
    if (!running) return ctx.skip('PGlite runs in this process and blocks it while a statement runs: nothing waits beside it');
    const { source: probe, table } = harness().openProbe(20_000);
    const [holding, waiting] = [harness().sleep(2), harness().sleep(3)];
    try {
      // The probe's one connection is busy for two seconds.
      const held = probe.find({ table, select: { s: { expression: holding } }, orderBy: [], limit: 1, offset: 0, deadline: Date.now() + 10_000 });
      await expect.poll(() => running(holding), { timeout: 2_000, interval: 50 }).toBe(1);
      const started = Date.now();
      const error = await rejection(probe.find({ table, select: { s: { expression: waiting } }, orderBy: [], limit: 1, offset: 0, deadline: started + 500 }));
      expect(error.reason).toBe('deadline');
      expect(Date.now() - started).toBeLessThan(1_500);
      await held;
      // Had it been queued for the connection, it would run now, for what was left of its time limit.
      const seen: number[] = [];
      for (let sample = 0; sample < 10; sample++) {
        seen.push(await running(waiting));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen).toEqual(Array(10).fill(0));
    } finally {
      await probe.close();
    }
  });

  it('reports an unreachable server without the URL or password', async (ctx) => {
    const url = harness().unreachableUrl;
    if (url === undefined) return ctx.skip('PGlite has no server to be unreachable');
    const unreachable = openSqlSource('down', sourceConfig(harness().kind, url, 2_000));
    try {
      const error = await rejection(unreachable.ping());
      expect(error.reason).toBe('unreachable');
      expect(error.message).toContain('source "down"');
      expect(error.message).not.toContain('s3cretPW');
      expect(error.message).not.toContain(url);
      expect(error.message).not.toContain('127.0.0.1');
    } finally {
      await unreachable.close();
    }
  });

  it('reports rejected credentials without the password', async (ctx) => {
    const url = harness().badLoginUrl;
    if (url === undefined) return ctx.skip('PGlite has no login');
    const refused = openSqlSource('locked', sourceConfig(harness().kind, url, 5_000));
    try {
      const error = await rejection(refused.count({ table: TABLE }));
      expect(error.reason).toBe('unreachable');
      expect(error.message).toMatch(/rejected the login/);
      expect(error.message).not.toContain('s3cretPW');
      expect(error.message).not.toContain(url);
    } finally {
      await refused.close();
    }
  });

  describe('normalised address refs over expressions', () => {
    it.each(ADDRESS_SPELLINGS)('computes normalizeAddress(%j) in SQL', async (input) => {
      // A SQL string literal: quotes doubled.
      const literal = `'${input.replace(/'/g, "''")}'`;
      const rows = await source().find({
        table: VISITS,
        select: { a: address({ expression: literal }) },
        where: cmp('id', 'eq', 1),
        orderBy: [],
        limit: 1,
        offset: 0,
      });
      expect(rows).toEqual([{ a: normalizeAddress(input) }]);
    });
  });

  describe('hundred blocks over expressions', () => {
    it(`computes the hundred block of ${GENERATED_ADDRESSES.length} generated addresses, and of their normalised spelling, as hundredBlock does`, async () => {
      const differences: string[] = [];
      for (let start = 0; start < GENERATED_ADDRESSES.length; start += 40) {
        const inputs = GENERATED_ADDRESSES.slice(start, start + 40);
        const select: Record<string, ValueRef> = {};
        inputs.forEach((input, i) => {
          // A SQL string literal: quotes doubled, and in MySQL backslashes too (its escape character in literals).
          const escaped = harness().kind === 'mysql' ? input.replace(/\\/g, '\\\\') : input;
          const text: ValueRef = { expression: `'${escaped.replace(/'/g, "''")}'` };
          select[`b${i}`] = { transform: 'hundredBlock', of: text };
          select[`n${i}`] = address(text);
          select[`nb${i}`] = { transform: 'hundredBlock', of: address(text) };
        });
        const [row] = await source().find({ table: VISITS, select, where: cmp('id', 'eq', 1), orderBy: [], limit: 1, offset: 0 });
        inputs.forEach((input, i) => {
          const normalised = row![`n${i}`] as string;
          if (row![`b${i}`] !== hundredBlock(input)) differences.push(`${JSON.stringify(input)}: ${JSON.stringify(row![`b${i}`])}`);
          if (row![`nb${i}`] !== hundredBlock(normalised)) differences.push(`${JSON.stringify(normalised)}: ${JSON.stringify(row![`nb${i}`])}`);
        });
      }
      expect(differences).toEqual([]);
    }, 60_000);
  });

  describe('aggregates', () => {
    it('stops an aggregate that runs past queryTimeoutMs with a timeout error', async (ctx) => {
      // PGlite's probe table has several rows and its statements cannot be interrupted (the shared path is tested with find).
      if (harness().kind === 'pglite') return ctx.skip('PGlite would block for every row of its probe table');
      const { source: probe, table } = harness().openProbe(300);
      try {
        const started = Date.now();
        // The slow expression filters (an aggregated one may be optimised away: MariaDB counts a NOT NULL value as count(*)).
        const where: Predicate = { kind: 'compare', ref: { expression: harness().sleep(2) }, op: 'isNull', value: false };
        const error = await probe.aggregate({ table, where, groupBy: {}, aggregates: { n: { fn: 'count' } } }).then(
          () => undefined,
          (e: unknown) => e as { reason?: string; message?: string },
        );
        expect(error?.reason).toBe('timeout');
        expect(error?.message).toContain('300 ms');
        expect(Date.now() - started).toBeLessThan(10_000);
        await expect(probe.ping()).resolves.toBeUndefined();
      } finally {
        await probe.close();
      }
    });
  });
}
