/**
 * The contract every connector must honour: the same queries over the same data (./data.ts)
 * give the same answers from every kind of source — SQL databases, MongoDB, REST APIs, CSV
 * files — including the privacy transforms a source computes (./transform-cases.ts). Called
 * inside a describe block whose beforeAll prepares the harness.
 */
import { expect, it } from 'vitest';
import type { FindQuery, OrderKey, Predicate, Source } from '../../../src/source/source.js';
import { and, byId, cmp, col, not, or, rejection } from '../query-helpers.js';
import { ALL, EXPECTED_ROWS, RAW_ROWS, TABLE, VISIT_ROWS, VISITS } from './data.js';
import { shapeCases } from './shape-cases.js';
import { transformCases } from './transform-cases.js';
import { CASE_COLUMNS } from './typed-records.js';

/** A source holding the fixture tables `sr_case` and `sr_visit`. */
export interface ContractHarness {
  source: Source;
  /**
   * How the source knows a table's size: it holds the rows (CSV files, memory), it reads the system's statistics,
   * which the harness has brought up to date (SQL after ANALYZE, MongoDB's metadata), or it cannot tell (a REST API).
   */
  rowEstimates: 'exact' | 'statistics' | 'none';
  teardown(): Promise<void>;
}

export function contractCases(harness: () => ContractHarness): void {
  const source = () => harness().source;
  const find = (query: Partial<FindQuery>) =>
    source().find({ table: TABLE, select: ALL, orderBy: [byId], limit: 100, offset: 0, ...query });
  const ids = async (where: Predicate | undefined, orderBy: OrderKey[] = [byId]) =>
    (await source().find({ table: TABLE, select: { id: col('id') }, where, orderBy, limit: 100, offset: 0 })).map((r) => r.id);

  it('pings', async () => {
    await expect(source().ping()).resolves.toBeUndefined();
  });

  it('reads every column type as the same JS values as every other dialect, whatever the process time zone', async () => {
    // The suite runs with TZ=America/Los_Angeles (set in the test file): a driver applying it would shift naive values.
    expect(new Date('2024-03-05T14:30:00').getTimezoneOffset()).not.toBe(0);
    const rows = await find({});
    expect(rows).toEqual(EXPECTED_ROWS);
    const first = rows[0]!;
    expect(typeof first.id).toBe('number');
    expect(typeof first.cost).toBe('number');
    expect(typeof first.isOpen).toBe('boolean');
    expect(first.closedAt).toBeNull();
    expect(rows[1]!.closedAt).toBeInstanceOf(Date);
  });

  it.each<[string, Predicate, number[]]>([
    ['eq text', cmp('status', 'eq', 'O'), [1, 4]],
    ['eq integer', cmp('priority', 'eq', 2), [1, 5]],
    ['eq boolean true', cmp('is_open', 'eq', true), [1, 4]],
    ['eq boolean false', cmp('is_open', 'eq', false), [2, 5]],
    ['eq date', cmp('opened_on', 'eq', '2024-03-05'), [1, 6]],
    ['eq null is IS NULL', cmp('status', 'eq', null), [3]],
    ['ne includes NULL rows', cmp('status', 'ne', 'O'), [2, 3, 5, 6]],
    ['ne null is IS NOT NULL', cmp('status', 'ne', null), [1, 2, 4, 5, 6]],
    ['lt', cmp('priority', 'lt', 2), [2]],
    ['lte', cmp('priority', 'lte', 2), [1, 2, 5]],
    ['gt', cmp('priority', 'gt', 2), [4, 6]],
    ['gte', cmp('priority', 'gte', 3), [4, 6]],
    ['gt decimal', cmp('cost', 'gt', 100), [1, 4]],
    ['lt decimal', cmp('cost', 'lt', 0.5), [5]],
    ['gte naive timestamp (ISO string)', cmp('opened_at', 'gte', '2024-03-05T00:00:00'), [1, 6]],
    ['lt naive timestamp with milliseconds', cmp('opened_at', 'lt', '2024-03-05T00:00:00.008'), [2, 4, 5, 6]],
    ['gt instant (Date)', cmp('closed_at', 'gt', new Date('2024-02-01T00:00:00Z')), [5]],
    ['in', cmp('status', 'in', ['O', 'X']), [1, 4, 5]],
    ['in [] is false', cmp('status', 'in', []), []],
    ['in with null also matches NULL rows', cmp('status', 'in', ['C', null]), [2, 3, 6]],
    ['isNull true', cmp('priority', 'isNull', true), [3]],
    ['isNull false', cmp('priority', 'isNull', false), [1, 2, 4, 5, 6]],
    ['contains is case-insensitive', cmp('title', 'contains', 'broKEN'), [2, 4, 6]],
    ['startsWith is case-insensitive', cmp('title', 'startsWith', 'broken'), [4, 6]],
    ['contains "%" is literal', cmp('title', 'contains', '100%'), [2]],
    ['contains "_" is literal', cmp('title', 'contains', '_'), [3]],
    ['contains "n_main" does not match "n Main"', cmp('title', 'contains', 'n_main'), []],
    ['contains the escape character "!" literally', cmp('title', 'contains', 'nt!'), [6]],
    ['startsWith "%" is literal', cmp('title', 'startsWith', '%'), []],
    ['contains "[" is literal', cmp('title', 'contains', '[a-z]'), []],
    ['constant true', { kind: 'constant', value: true }, [1, 2, 3, 4, 5, 6]],
    ['constant false', { kind: 'constant', value: false }, []],
  ])('filters: %s', async (_title, where, expected) => {
    expect(await ids(where)).toEqual(expected);
  });

  it.each<[string, Predicate, number[]]>([
    ['not eq equals ne (NULL rows included)', not(cmp('status', 'eq', 'O')), [2, 3, 5, 6]],
    ['not gt includes NULL rows', not(cmp('priority', 'gt', 2)), [1, 2, 3, 5]],
    ['not ne is eq (NULL rows excluded)', not(cmp('status', 'ne', 'O')), [1, 4]],
    ['not in includes NULL rows', not(cmp('status', 'in', ['O'])), [2, 3, 5, 6]],
    ['not contains includes NULL-free non-matches', not(cmp('title', 'contains', 'broken')), [1, 3, 5]],
    ['not of and', not(and(cmp('status', 'eq', 'O'), cmp('priority', 'gt', 2))), [1, 2, 3, 5, 6]],
    ['and', and(cmp('status', 'eq', 'O'), cmp('priority', 'gt', 2)), [4]],
    ['or with isNull', or(cmp('status', 'isNull', true), cmp('status', 'eq', 'X')), [3, 5]],
    ['not of or', not(or(cmp('status', 'isNull', true), cmp('status', 'eq', 'X'))), [1, 2, 4, 6]],
    ['not not', not(not(cmp('status', 'eq', 'O'))), [1, 4]],
    ['empty and is true', and(), [1, 2, 3, 4, 5, 6]],
    ['empty or is false', or(), []],
    ['nested and/or/not', and(or(cmp('priority', 'lt', 2), cmp('priority', 'gt', 2)), not(cmp('is_open', 'eq', true))), [2, 6]],
  ])('logic with NULLs: %s', async (_title, where, expected) => {
    expect(await ids(where)).toEqual(expected);
  });

  it.each<[string, OrderKey[], number[]]>([
    ['ascending sorts NULLs last', [{ ref: col('priority'), direction: 'asc' }, byId], [2, 1, 5, 4, 6, 3]],
    ['descending sorts NULLs first', [{ ref: col('priority'), direction: 'desc' }, byId], [3, 6, 4, 1, 5, 2]],
    ['decimal descending', [{ ref: col('cost'), direction: 'desc' }], [3, 4, 1, 2, 6, 5]],
    ['multi-key', [{ ref: col('status'), direction: 'desc' }, { ref: col('id'), direction: 'desc' }], [3, 5, 4, 1, 6, 2]],
    ['naive timestamp ascending', [{ ref: col('opened_at'), direction: 'asc' }], [4, 2, 5, 6, 1, 3]],
    [
      'recode to numbers sorts numerically, unmapped and NULL last',
      [{ ref: col('status'), direction: 'asc', recode: [['O', 2], ['X', 9], ['C', 10]] }, byId],
      [1, 4, 5, 2, 6, 3],
    ],
    [
      'recode descending puts NULL first',
      [{ ref: col('status'), direction: 'desc', recode: [['O', 2], ['X', 9], ['C', 10]] }, byId],
      [3, 2, 6, 5, 1, 4],
    ],
    [
      'recode to strings, several codes sharing a value',
      [{ ref: col('status'), direction: 'asc', recode: [['O', 'open'], ['X', 'closed'], ['C', 'closed']] }, byId],
      [2, 5, 6, 1, 4, 3],
    ],
  ])('orders: %s', async (_title, orderBy, expected) => {
    expect(await ids(undefined, orderBy)).toEqual(expected);
  });

  it('pages with limit and offset', async () => {
    const page = async (limit: number, offset: number) =>
      (await source().find({ table: TABLE, select: { id: col('id') }, orderBy: [byId], limit, offset })).map((r) => r.id);
    expect(await page(2, 0)).toEqual([1, 2]);
    expect(await page(2, 2)).toEqual([3, 4]);
    expect(await page(10, 4)).toEqual([5, 6]);
    expect(await page(3, 6)).toEqual([]);
    expect(await page(0, 0)).toEqual([]);
  });

  it('pages deterministically even without an order', async () => {
    const rows = await source().find({ table: TABLE, select: { id: col('id') }, orderBy: [], limit: 2, offset: 1 });
    expect(rows).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('counts as a number', async () => {
    expect(await source().count({ table: TABLE })).toBe(6);
    expect(await source().count({ table: TABLE, where: cmp('status', 'eq', 'O') })).toBe(2);
    expect(await source().count({ table: TABLE, where: not(cmp('status', 'eq', 'O')) })).toBe(4);
    expect(await source().count({ table: TABLE, where: cmp('status', 'in', []) })).toBe(0);
  });

  it('finds by keys, carrying each key under keyAlias', async () => {
    const rows = await source().findByKeys({
      table: TABLE,
      select: { title: col('title'), closedAt: col('closed_at') },
      key: col('id'),
      keyAlias: '__key',
      keys: [4, 2, 99, 2, null],
    });
    const sorted = [...rows].sort((a, b) => Number(a.__key) - Number(b.__key));
    expect(sorted).toEqual([
      { __key: 2, title: '100% broken light', closedAt: new Date('2024-01-20T10:00:00Z') },
      { __key: 4, title: 'Broken Bench', closedAt: null },
    ]);
  });

  it('finds by keys with a where predicate, and by no keys', async () => {
    const base = { table: TABLE, select: { id: col('id') }, key: col('status'), keyAlias: 'k' };
    const rows = await source().findByKeys({ ...base, keys: ['O', 'C'], where: cmp('priority', 'gte', 3) });
    expect(rows.map((r) => [r.k, r.id]).sort()).toEqual([['C', 6], ['O', 4]]);
    expect(await source().findByKeys({ ...base, keys: [] })).toEqual([]);
  });

  it('finds by 70,000 keys, more than any dialect takes in one statement', async () => {
    const keys = Array.from({ length: 70_000 }, (_, i) => 70_000 - i); // 70000 … 1: the fixture ids come last
    const rows = await source().findByKeys({ table: TABLE, select: {}, key: col('id'), keyAlias: 'id', keys, where: cmp('priority', 'ne', 3) });
    expect(rows.map((r) => r.id).sort()).toEqual([1, 2, 3, 5, 6]);
  }, 120_000);

  it('describes each column with its type, keeping column case', async () => {
    const columns = await source().describeTable(TABLE);
    const types = new Map(columns?.map((c) => [c.name, c.type]));
    expect(CASE_COLUMNS.map(([name]) => [name, types.get(name)])).toEqual(CASE_COLUMNS);
    expect(columns?.every((c) => c.nativeType.length > 0)).toBe(true);
  });

  it('describes a missing table as undefined', async () => {
    expect(await source().describeTable('no_such_table')).toBeUndefined();
    expect(await source().describeTable('no_such_schema.sr_case')).toBeUndefined();
  });

  it.each([
    [TABLE, RAW_ROWS.length],
    [VISITS, VISIT_ROWS.length],
  ])('estimates the rows of %s: exactly when it holds them, within a quarter from statistics, not at all from an API', async (table, rows) => {
    const estimate = await source().estimateRows(table);
    switch (harness().rowEstimates) {
      case 'exact':
        expect(estimate).toBe(rows);
        break;
      case 'statistics':
        expect(typeof estimate).toBe('number');
        expect(Math.abs(estimate! - rows)).toBeLessThanOrEqual(rows / 4);
        break;
      case 'none':
        expect(estimate).toBeUndefined();
    }
  });

  it('estimates a missing table as undefined', async () => {
    expect(await source().estimateRows('no_such_table')).toBeUndefined();
    expect(await source().estimateRows('no_such_schema.sr_case')).toBeUndefined();
  });

  it('reports a missing table as missing-table, naming the source and the table', async () => {
    const error = await rejection(source().find({ table: 'no_such_table', select: { id: col('id') }, orderBy: [], limit: 1, offset: 0 }));
    expect(error.reason).toBe('missing-table');
    expect(error.source).toBe(source().name);
    expect(error.message).toContain('"no_such_table"');
    expect(error.message).toContain(`source "${source().name}"`);
  });

  shapeCases(harness);
  transformCases(harness);
}
