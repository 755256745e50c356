/**
 * SQL Server. It cannot run on the developers' machines, so the SQL knex compiles for each
 * query shape is compared with reviewed expectations; the behavioural cases shared with the
 * other dialects run against a real server only when MSSQL_URL is set.
 */
process.env.TZ = 'America/Los_Angeles';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predicate } from '../../../src/source/source.js';
import { compileCount, compileDescribeTable, compileFind, compileFindByKeys } from '../../../src/source/sql/sql-source.js';
import { MSSQL_URL } from '../../support/servers.js';
import { sourceCases } from './cases.js';
import { type Harness, mssqlHarness } from './fixture.js';

const T = 'dbo.SR_CASE';
const c = (column: string) => ({ column });
const countSql = (where: Predicate) => compileCount('mssql', { table: T, where });
const eqOpen: Predicate = { kind: 'compare', ref: c('STATUS'), op: 'eq', value: 'O' };

describe('SQL Server: compiled SQL', () => {
  it.each<[string, Predicate, string, unknown[]]>([
    ['eq', eqOpen, '([STATUS] = @p0 and [STATUS] is not null)', ['O']],
    ['ne', { kind: 'compare', ref: c('STATUS'), op: 'ne', value: 'O' }, '([STATUS] <> @p0 or [STATUS] is null)', ['O']],
    ['lt', { kind: 'compare', ref: c('PRIORITY'), op: 'lt', value: 2 }, '([PRIORITY] < @p0 and [PRIORITY] is not null)', [2]],
    [
      'in with null',
      { kind: 'compare', ref: c('STATUS'), op: 'in', value: ['O', 'X', null] },
      '(([STATUS] in (@p0, @p1) and [STATUS] is not null) or [STATUS] is null)',
      ['O', 'X'],
    ],
    ['in []', { kind: 'compare', ref: c('STATUS'), op: 'in', value: [] }, '1 = 0', []],
    [
      'contains escapes %, _, [ and the escape character',
      { kind: 'compare', ref: c('TITLE'), op: 'contains', value: '50%_[x]!' },
      "(lower([TITLE]) like lower(@p0) escape '!' and [TITLE] is not null)",
      ['%50!%!_![x]!!%'],
    ],
    [
      'startsWith',
      { kind: 'compare', ref: c('TITLE'), op: 'startsWith', value: 'Pot' },
      "(lower([TITLE]) like lower(@p0) escape '!' and [TITLE] is not null)",
      ['Pot%'],
    ],
    ['isNull', { kind: 'compare', ref: c('CLOSED_AT'), op: 'isNull', value: true }, '[CLOSED_AT] is null', []],
    [
      'not over and/or with an expression',
      {
        kind: 'not',
        item: {
          kind: 'and',
          items: [
            eqOpen,
            {
              kind: 'or',
              items: [
                { kind: 'compare', ref: { expression: 'DATEDIFF(day, OPENED_AT, CLOSED_AT)' }, op: 'gt', value: 30 },
                { kind: 'constant', value: false },
              ],
            },
          ],
        },
      },
      'not ((([STATUS] = @p0 and [STATUS] is not null)) and ((((DATEDIFF(day, OPENED_AT, CLOSED_AT)) > @p1 and ' +
        '(DATEDIFF(day, OPENED_AT, CLOSED_AT)) is not null)) or (1 = 0)))',
      ['O', 30],
    ],
  ])('where %s', (_title, where, condition, bindings) => {
    expect(countSql(where)).toEqual({ sql: `select count(*) as [n] from [dbo].[SR_CASE] where ${condition}`, bindings });
  });

  it('pages with OFFSET/FETCH after a nulls-last ORDER BY', () => {
    const compiled = compileFind('mssql', {
      table: T,
      select: { id: c('CASE_ID'), status: c('STATUS') },
      where: eqOpen,
      orderBy: [
        { ref: c('PRIORITY'), direction: 'asc' },
        { ref: c('CASE_ID'), direction: 'desc' },
      ],
      limit: 25,
      offset: 50,
    });
    expect(compiled).toEqual({
      sql:
        'select [CASE_ID] as [id], [STATUS] as [status] from [dbo].[SR_CASE] where ([STATUS] = @p0 and [STATUS] is not null) ' +
        'order by case when [PRIORITY] is null then 1 else 0 end, [PRIORITY] asc, ' +
        'case when [CASE_ID] is null then 0 else 1 end, [CASE_ID] desc offset @p1 rows fetch next @p2 rows only',
      bindings: ['O', 50, 25],
    });
  });

  it('uses TOP for a first page', () => {
    expect(compileFind('mssql', { table: T, select: { id: c('CASE_ID') }, orderBy: [{ ref: c('CASE_ID'), direction: 'asc' }], limit: 10, offset: 0 })).toEqual({
      sql: 'select top (@p0) [CASE_ID] as [id] from [dbo].[SR_CASE] order by case when [CASE_ID] is null then 1 else 0 end, [CASE_ID] asc',
      bindings: [10],
    });
  });

  it('invents an ORDER BY from the selected values when asked for a later page without one', () => {
    expect(compileFind('mssql', { table: T, select: { id: c('CASE_ID'), t: c('TITLE') }, orderBy: [], limit: 10, offset: 20 })).toEqual({
      sql:
        'select [CASE_ID] as [id], [TITLE] as [t] from [dbo].[SR_CASE] order by case when [CASE_ID] is null then 1 else 0 end, ' +
        '[CASE_ID] asc, case when [TITLE] is null then 1 else 0 end, [TITLE] asc offset @p0 rows fetch next @p1 rows only',
      bindings: [20, 10],
    });
  });

  it('orders by a recode CASE with bound codes and values', () => {
    const compiled = compileFind('mssql', {
      table: T,
      select: { id: c('CASE_ID') },
      orderBy: [{ ref: c('STATUS'), direction: 'desc', recode: [['O', 'OPEN'], ['C', 'CLOSED']] }],
      limit: 10,
      offset: 0,
    });
    expect(compiled).toEqual({
      sql:
        'select top (@p0) [CASE_ID] as [id] from [dbo].[SR_CASE] order by ' +
        'case when case [STATUS] when @p1 then @p2 when @p3 then @p4 end is null then 0 else 1 end, ' +
        'case [STATUS] when @p5 then @p6 when @p7 then @p8 end desc',
      bindings: [10, 'O', 'OPEN', 'C', 'CLOSED', 'O', 'OPEN', 'C', 'CLOSED'],
    });
  });

  it('selects a liaison expression verbatim, parenthesised', () => {
    expect(compileFind('mssql', { table: T, select: { ward: { expression: 'LEFT(WARD_CODE, 2)' } }, orderBy: [], limit: 5, offset: 0 })).toEqual({
      sql: 'select top (@p0) (LEFT(WARD_CODE, 2)) as [ward] from [dbo].[SR_CASE]',
      bindings: [5],
    });
  });

  it('looks keys up with IN, skipping null and repeated keys', () => {
    expect(compileFindByKeys('mssql', { table: T, select: { title: c('TITLE') }, key: c('CASE_ID'), keyAlias: '__key', keys: [1, 2, 2, null] })).toEqual([
      { sql: 'select [TITLE] as [title], [CASE_ID] as [__key] from [dbo].[SR_CASE] where [CASE_ID] in (@p0, @p1)', bindings: [1, 2] },
    ]);
  });

  it('splits a large key look-up so that no statement carries more than 2,000 parameters', () => {
    const statements = compileFindByKeys('mssql', {
      table: T,
      select: { title: c('TITLE') },
      key: c('CASE_ID'),
      keyAlias: '__key',
      keys: Array.from({ length: 4500 }, (_, i) => i + 1),
      where: eqOpen,
    });
    expect(statements.map((s) => s.bindings.length)).toEqual([2000, 2000, 503]);
    expect(statements.flatMap((s) => s.bindings.slice(0, -1))).toEqual(Array.from({ length: 4500 }, (_, i) => i + 1));
    const last = statements[2]!;
    expect(last.sql.startsWith('select [TITLE] as [title], [CASE_ID] as [__key] from [dbo].[SR_CASE] where [CASE_ID] in (@p0, @p1, ')).toBe(true);
    expect(last.sql.endsWith('@p500, @p501) and ([STATUS] = @p502 and [STATUS] is not null)')).toBe(true);
  });

  it('describes a table through INFORMATION_SCHEMA, in the default or a named schema', () => {
    expect(compileDescribeTable('mssql', 'SR_CASE')).toEqual({
      sql:
        'select [COLUMN_NAME] as [name], [DATA_TYPE] as [nativeType], [IS_NULLABLE] as [nullable] from [INFORMATION_SCHEMA].[COLUMNS] ' +
        'where [TABLE_NAME] = @p0 and (TABLE_SCHEMA = schema_name()) order by [ORDINAL_POSITION] asc',
      bindings: ['SR_CASE'],
    });
    expect(compileDescribeTable('mssql', 'dbo.SR_CASE').bindings).toEqual(['SR_CASE', 'dbo']);
  });
});

describe.runIf(MSSQL_URL)('SQL source on a real SQL Server (runs only when MSSQL_URL is set; skipped otherwise)', () => {
  let harness: Harness | undefined;
  // A server that is down must fail every case (with its reason), not leave them skipped.
  let setupError: unknown;
  beforeAll(async () => {
    harness = await mssqlHarness().catch((error: unknown) => {
      setupError = error;
      return undefined;
    });
  });
  afterAll(async () => {
    await harness?.teardown();
  });
  sourceCases(() => {
    if (!harness) throw new Error('the SQL Server fixture database could not be prepared', { cause: setupError });
    return harness;
  });
});
