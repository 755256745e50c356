/**
 * SQL Server. It cannot run on the developers' machines, so the SQL knex compiles for each
 * query shape is compared with reviewed expectations; the behavioural cases shared with the
 * other dialects run against a real server only when MSSQL_URL is set.
 */
process.env.TZ = 'America/Los_Angeles';

import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS_STEPS } from '../../../src/source/address.js';
import { mssqlClientClass, mssqlConnection, withStatementTimeout } from '../../../src/source/sql/dialects/mssql.js';
import { HUNDRED_BLOCK, type TextStep, WHITE_SPACE } from '../../../src/privacy/hundred-block.js';
import type { Predicate, ValueRef } from '../../../src/source/source.js';
import {
  compileAggregate, compileCount, compileDescribeTable, compileEstimateRows, compileFind, compileFindByKeys, compileListTables,
} from '../../../src/source/sql/sql-source.js';
import { MSSQL_URL } from '../../support/servers.js';
import { address, col as c } from '../query-helpers.js';
import { sourceCases } from './cases.js';
import { type Harness, mssqlHarness } from './fixture.js';

const T = 'dbo.SR_CASE';
const countSql = (where: Predicate) => compileCount('mssql', { table: T, where });
const eqOpen: Predicate = { kind: 'compare', ref: c('STATUS'), op: 'eq', value: 'O' };

/**
 * The normalised-address SQL for `value`, its REPLACE steps bound from parameter @p`first`:
 * ltrim(rtrim(replace(replace(upper((N' ' + cast(value as nvarchar(max)) + N' ')), @pA, @pB), …, @pY, @pZ)))
 */
/** The normalisation's steps are the gateway's own constants, written into the statement as literals. */
function normalizedSql(value: string): string {
  let text = `upper((N' ' + cast(${value} as nvarchar(max)) + N' '))`;
  for (const [from, to] of ADDRESS_STEPS) text = `replace(${text}, N'${from}', N'${to}')`;
  return `ltrim(rtrim(${text}))`;
}
const ANCHOR = "cast('0001-01-01' as date)";

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
    [
      'related: rows of another table of the source, as a sub-query that is not correlated',
      { kind: 'related', ref: c('SR_REF'), table: 'dbo.SR_CASE', to: c('CASE_ID'), where: { kind: 'not', item: eqOpen } },
      '([SR_REF] is not null and [SR_REF] in (select [CASE_ID] from [dbo].[SR_CASE] where [CASE_ID] is not null and (not (([STATUS] = @p0 and [STATUS] is not null)))))',
      ['O'],
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

  it('pages a later page of computed values first, and computes them for the page’s rows alone', () => {
    expect(compileFind('mssql', { table: T, select: { id: c('CASE_ID'), ward: { expression: 'LEFT(WARD_CODE, 2)' } }, where: eqOpen, orderBy: [{ ref: c('CASE_ID'), direction: 'asc' }], limit: 10, offset: 20 })).toEqual({
      sql:
        'select [CASE_ID] as [id], (LEFT(WARD_CODE, 2)) as [ward] from (select * from [dbo].[SR_CASE] where ([STATUS] = @p0 and [STATUS] is not null) ' +
        'order by case when [CASE_ID] is null then 1 else 0 end, [CASE_ID] asc offset @p1 rows fetch next @p2 rows only) as [SR_CASE] ' +
        'order by case when [CASE_ID] is null then 1 else 0 end, [CASE_ID] asc',
      bindings: ['O', 20, 10],
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

  it('normalises an address as nested REPLACEs with its steps written into the statement, in select, where and order', () => {
    expect(ADDRESS_STEPS).toHaveLength(44);
    expect(ADDRESS_STEPS.slice(0, 4)).toEqual([['.', ''], [',', ' '], ['  ', ' '], ['  ', ' ']]);
    const compiled = compileFind('mssql', {
      table: T,
      select: { a: address(c('ADDR')) },
      where: { kind: 'compare', ref: address(c('HOUSE_NO')), op: 'eq', value: '1163' },
      orderBy: [{ ref: address(c('ADDR')), direction: 'asc' }],
      limit: 5,
      offset: 0,
    });
    expect(compiled).toEqual({
      sql:
        `select top (@p0) ${normalizedSql('[ADDR]')} as [a] from [dbo].[SR_CASE] ` +
        `where (${normalizedSql('[HOUSE_NO]')} = @p1 and ${normalizedSql('[HOUSE_NO]')} is not null) ` +
        `order by case when ${normalizedSql('[ADDR]')} is null then 1 else 0 end, ${normalizedSql('[ADDR]')} asc`,
      bindings: [5, '1163'],
    });
    // A normalised normalised value nests the whole expression.
    expect(compileFind('mssql', { table: T, select: { a: address(address({ expression: 'A + B' })) }, orderBy: [], limit: 1, offset: 0 })).toEqual({
      sql: `select top (@p0) ${normalizedSql(normalizedSql('(A + B)'))} as [a] from [dbo].[SR_CASE]`,
      bindings: [1],
    });
  });

  it('limits rows per key with ROW_NUMBER over the key, in the given order, without returning the row number', () => {
    expect(
      compileFindByKeys('mssql', {
        table: T,
        select: { id: c('CASE_ID') },
        key: c('WO_ID'),
        keyAlias: '__key',
        keys: [7, 8, 7],
        where: eqOpen,
        orderBy: [{ ref: c('OPENED_AT'), direction: 'desc' }, { ref: c('CASE_ID'), direction: 'asc' }],
        perKeyLimit: 3,
      }),
    ).toEqual([
      {
        sql:
          'select [__civicgraph_keyed].[id], [__civicgraph_keyed].[__key] from (select [CASE_ID] as [id], [WO_ID] as [__key], ' +
          'row_number() over (partition by [WO_ID] order by case when [OPENED_AT] is null then 0 else 1 end, [OPENED_AT] desc, ' +
          'case when [CASE_ID] is null then 1 else 0 end, [CASE_ID] asc) as [__civicgraph_rn] from [dbo].[SR_CASE] ' +
          'where [WO_ID] in (@p0, @p1) and ([STATUS] = @p2 and [STATUS] is not null)) as [__civicgraph_keyed] ' +
          'where [__civicgraph_keyed].[__civicgraph_rn] <= @p3 order by [__civicgraph_keyed].[__civicgraph_rn]',
        bindings: [7, 8, 'O', 3],
      },
    ]);
  });

  it('orders the window by the key itself when a per-key limit comes without an order (SQL Server requires one)', () => {
    expect(compileFindByKeys('mssql', { table: T, select: {}, key: c('WO_ID'), keyAlias: 'k', keys: [7], perKeyLimit: 1 })).toEqual([
      {
        sql:
          'select [__civicgraph_keyed].[k] from (select [WO_ID] as [k], row_number() over (partition by [WO_ID] order by [WO_ID]) as [__civicgraph_rn] ' +
          'from [dbo].[SR_CASE] where [WO_ID] in (@p0)) as [__civicgraph_keyed] where [__civicgraph_keyed].[__civicgraph_rn] <= @p1 ' +
          'order by [__civicgraph_keyed].[__civicgraph_rn]',
        bindings: [7, 1],
      },
    ]);
  });

  it('orders a key look-up without a limit with a plain ORDER BY', () => {
    expect(
      compileFindByKeys('mssql', { table: T, select: { id: c('CASE_ID') }, key: c('WO_ID'), keyAlias: '__key', keys: [7, 8], orderBy: [{ ref: c('OPENED_AT'), direction: 'desc' }] }),
    ).toEqual([
      {
        sql:
          'select [CASE_ID] as [id], [WO_ID] as [__key] from [dbo].[SR_CASE] where [WO_ID] in (@p0, @p1) ' +
          'order by case when [OPENED_AT] is null then 0 else 1 end, [OPENED_AT] desc',
        bindings: [7, 8],
      },
    ]);
  });

  it('looks up by a normalised key, per-key limited, in statements of at most 2,000 parameters', () => {
    const statements = compileFindByKeys('mssql', {
      table: T,
      select: { id: c('CASE_ID') },
      key: address(c('ADDR')),
      keyAlias: 'k',
      keys: Array.from({ length: 3000 }, (_, i) => `${i} MAIN ST`),
      orderBy: [{ ref: c('CASE_ID'), direction: 'asc' }],
      perKeyLimit: 2,
    });
    // The normalisation adds no parameters: only the keys and the per-key limit are bound.
    expect(statements.map((s) => s.bindings.length)).toEqual([2000, 3000 - 1999 + 1]);
    const first = statements[0]!;
    expect(first.sql).toBe(
      `select [__civicgraph_keyed].[id], [__civicgraph_keyed].[k] from (select [CASE_ID] as [id], ${normalizedSql('[ADDR]')} as [k], ` +
        `row_number() over (partition by ${normalizedSql('[ADDR]')} order by case when [CASE_ID] is null then 1 else 0 end, [CASE_ID] asc) ` +
        `as [__civicgraph_rn] from [dbo].[SR_CASE] where ${normalizedSql('[ADDR]')} in (${Array.from({ length: 1999 }, (_, i) => `@p${i}`).join(', ')})) ` +
        'as [__civicgraph_keyed] where [__civicgraph_keyed].[__civicgraph_rn] <= @p1999 order by [__civicgraph_keyed].[__civicgraph_rn]',
    );
    expect(first.bindings).toEqual([...Array.from({ length: 1999 }, (_, i) => `${i} MAIN ST`), 2]);
  });

  it('aggregates over a derived table grouped by its column names, with ISO-week buckets from a Monday anchor', () => {
    expect(
      compileAggregate('mssql', {
        table: T,
        where: eqOpen,
        groupBy: { week: { ref: c('OPENED_AT'), bucket: 'week' }, status: { ref: c('STATUS') } },
        aggregates: { n: { fn: 'count' }, costed: { fn: 'count', ref: c('COST') }, total: { fn: 'sum', ref: c('COST') }, first: { fn: 'min', ref: c('OPENED_AT') }, last: { fn: 'max', ref: c('CLOSED_AT') } },
      }),
    ).toEqual({
      sql:
        'select [g0] as [week], [g1] as [status], count(*) as [n], count([v1]) as [costed], sum([v2]) as [total], min([v3]) as [first], max([v4]) as [last] ' +
        `from (select dateadd(day, (datediff(day, ${ANCHOR}, [OPENED_AT]) / 7) * 7, ${ANCHOR}) as [g0], [STATUS] as [g1], ` +
        '[COST] as [v1], [COST] as [v2], [OPENED_AT] as [v3], [CLOSED_AT] as [v4] from [dbo].[SR_CASE] ' +
        'where ([STATUS] = @p0 and [STATUS] is not null)) as [grouped] group by [g0], [g1]',
      bindings: ['O'],
    });
  });

  it.each([
    ['day', `dateadd(day, datediff(day, ${ANCHOR}, [CLOSED_AT]), ${ANCHOR})`],
    ['month', `dateadd(month, datediff(month, ${ANCHOR}, [CLOSED_AT]), ${ANCHOR})`],
    ['year', `dateadd(year, datediff(year, ${ANCHOR}, [CLOSED_AT]), ${ANCHOR})`],
  ] as const)('buckets by %s with DATEADD/DATEDIFF from 0001-01-01 (SQL Server 2016+, no DATETRUNC)', (bucket, expression) => {
    expect(compileAggregate('mssql', { table: T, groupBy: { d: { ref: c('CLOSED_AT'), bucket } }, aggregates: { n: { fn: 'count' } } })).toEqual({
      sql: `select [g0] as [d], count(*) as [n] from (select ${expression} as [g0] from [dbo].[SR_CASE]) as [grouped] group by [g0]`,
      bindings: [],
    });
  });

  it('aggregates totals without GROUP BY, and groups by a normalised address once', () => {
    expect(compileAggregate('mssql', { table: T, groupBy: {}, aggregates: { n: { fn: 'count' }, s: { fn: 'sum', ref: c('COST') } }, where: eqOpen })).toEqual({
      sql: 'select count(*) as [n], sum([v1]) as [s] from (select [COST] as [v1] from [dbo].[SR_CASE] where ([STATUS] = @p0 and [STATUS] is not null)) as [grouped]',
      bindings: ['O'],
    });
    expect(compileAggregate('mssql', { table: T, groupBy: {}, aggregates: { n: { fn: 'count' } } })).toEqual({
      sql: 'select count(*) as [n] from (select 1 as [one] from [dbo].[SR_CASE]) as [grouped]',
      bindings: [],
    });
    expect(compileAggregate('mssql', { table: T, groupBy: { place: { ref: address(c('ADDR')) } }, aggregates: { n: { fn: 'count' } } })).toEqual({
      sql: `select [g0] as [place], count(*) as [n] from (select ${normalizedSql('[ADDR]')} as [g0] from [dbo].[SR_CASE]) as [grouped] group by [g0]`,
      bindings: [],
    });
  });

  describe('values read through a privacy transform (src/privacy/served-forms.ts)', () => {
    const where = (ref: ValueRef, op: 'in' | 'lt' | 'lte', value: number | string | Array<number | string>): Predicate => ({ kind: 'compare', ref, op, value });
    /** JavaScript's Math.round(v × 10^3) / 10^3 on doubles, each constant bound and cast, the column read three times. */
    const round3 = (column: string, first: number) => {
      const z = (p: number) => `(cast(${column} as float) * cast(@p${p} as float))`;
      return `((floor(${z(first)}) + case when (${z(first + 1)} - floor(${z(first + 2)})) >= cast(@p${first + 3} as float) then cast(@p${first + 4} as float) else cast(@p${first + 5} as float) end) / cast(@p${first + 6} as float))`;
    };
    const ROUND_BINDINGS = [1000, 1000, 1000, 0.5, 1, 0, 1000];

    it('rounds a coordinate with floor and a comparison on floats, never ROUND (which rounds decimals, halves away from zero)', () => {
      expect(countSql(where({ transform: 'round', decimals: 3, of: c('LAT') }, 'lt', 41.879))).toEqual({
        sql: `select count(*) as [n] from [dbo].[SR_CASE] where (${round3('[LAT]', 0)} < @p7 and ${round3('[LAT]', 8)} is not null)`,
        bindings: [...ROUND_BINDINGS, 41.879, ...ROUND_BINDINGS],
      });
    });

    it('measures a squared distance in metres with float arithmetic, on the coordinates as given', () => {
      const distance: ValueRef = {
        squaredDistance: { latitude: c('LAT'), longitude: c('LON'), from: { latitude: 41.879, longitude: -87.629 }, metresPerDegree: { latitude: 111_195, longitude: 83_000 } },
      };
      const axis = (column: string, p: number) => `((cast(${column} as float) - cast(@p${p} as float)) * cast(@p${p + 1} as float))`;
      const squared = (p: number) => `((${axis('[LAT]', p)} * ${axis('[LAT]', p + 2)}) + (${axis('[LON]', p + 4)} * ${axis('[LON]', p + 6)}))`;
      const constants = [41.879, 111_195, 41.879, 111_195, -87.629, 83_000, -87.629, 83_000];
      expect(countSql(where(distance, 'lte', 22_500))).toEqual({
        sql: `select count(*) as [n] from [dbo].[SR_CASE] where (${squared(0)} <= @p8 and ${squared(9)} is not null)`,
        bindings: [...constants, 22_500, ...constants],
      });
    });

    it('truncates a date to its month as the time bucket does', () => {
      expect(compileAggregate('mssql', { table: T, groupBy: { m: { ref: { transform: 'truncate', unit: 'month', of: c('UPDATED') } } }, aggregates: { n: { fn: 'count' } } })).toEqual({
        sql: `select [g0] as [m], count(*) as [n] from (select dateadd(month, datediff(month, ${ANCHOR}, [UPDATED]), ${ANCHOR}) as [g0] from [dbo].[SR_CASE]) as [grouped] group by [g0]`,
        bindings: [],
      });
    });

    it("computes the hundred block with SQL Server 2025's REGEXP_REPLACE, REGEXP_SUBSTR and REGEXP_COUNT, binding only the program's patterns", () => {
      const patterns = new Set<string>([`[${WHITE_SPACE}]+`]);
      const collect = (step: TextStep): void => {
        if ('pattern' in step) patterns.add(step.pattern);
        if ('of' in step) collect(step.of);
        if (step.op === 'concat') step.parts.forEach(collect);
        if (step.op === 'when') [step.then, step.else].forEach(collect);
      };
      collect(HUNDRED_BLOCK);
      const compiled = countSql(where({ transform: 'hundredBlock', of: c('ADDR') }, 'in', ['11XX W 24TH ST']));
      const fold = (p: number) => `ltrim(rtrim(regexp_replace([ADDR], @p${p}, N' ')))`;
      expect(compiled.sql.startsWith(
        'select count(*) as [n] from [dbo].[SR_CASE] where ((case when ' +
          `(regexp_count(${fold(0)}, @p1) > 0) then (coalesce(nullif(regexp_replace(regexp_replace(nullif(regexp_substr(${fold(2)}, @p3), N''), @p4, N''), @p5, N''), ''), N'0') + N'XX ' + `,
      )).toBe(true);
      // REGEXP_LIKE would need the database at compatibility level 170.
      expect(compiled.sql).not.toMatch(/regexp_like/i);
      const [first, ...rest] = compiled.bindings;
      expect(first).toBe(`[${WHITE_SPACE}]+`);
      expect(rest.filter((binding) => binding !== '11XX W 24TH ST').every((binding) => patterns.has(binding as string))).toBe(true);
      expect(compiled.bindings.filter((binding) => binding === '11XX W 24TH ST')).toHaveLength(1);
    });

    it('writes the address steps into the statement inside a hundred block, which reads its input six times, so that it keeps to few parameters', () => {
      const block: ValueRef = { transform: 'hundredBlock', of: address(c('ADDR')) };
      const compiled = compileFind('mssql', { table: T, select: { b: block }, where: where(block, 'in', ['11XX W 24TH ST']), orderBy: [{ ref: block, direction: 'asc' }], limit: 5, offset: 0 });
      expect(compiled.sql).toContain(`replace(upper((N' ' + cast([ADDR] as nvarchar(max)) + N' ')), N'.', N''), N',', N' ')`);
      expect(compiled.sql.match(/upper\(/g)).toHaveLength(6 * 5);
      // Selected, compared (twice: the value and its null guard), ordered (twice: the null flag and the value): 25 patterns each, the page and the value.
      expect(compiled.bindings).toHaveLength(5 * 24 + 2);
    });
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

  it('lists the tables and views of the default schema, for drafting a mapping', () => {
    expect(compileListTables('mssql')).toEqual({
      sql: 'select [TABLE_NAME] as [name] from [INFORMATION_SCHEMA].[TABLES] where TABLE_SCHEMA = schema_name() order by [TABLE_NAME] asc',
      bindings: [],
    });
  });

  it("estimates a table's rows from sys.partitions (its heap or clustered index), naming it by object_id in the default or a named schema", () => {
    expect(compileEstimateRows('mssql', 'SR_CASE')).toEqual({
      sql: 'select sum([rows]) as [n] from [sys].[partitions] where [object_id] = object_id(quotename(@p0)) and [index_id] in (@p1, @p2)',
      bindings: ['SR_CASE', 0, 1],
    });
    expect(compileEstimateRows('mssql', 'dbo.SR_CASE')).toEqual({
      sql: "select sum([rows]) as [n] from [sys].[partitions] where [object_id] = object_id(quotename(@p0) + N'.' + quotename(@p1)) and [index_id] in (@p2, @p3)",
      bindings: ['dbo', 'SR_CASE', 0, 1],
    });
  });
});

describe('SQL Server: a time limit per statement', () => {
  it('is handed to tedious with the statement, which cancels it on the server when it runs longer', async () => {
    // No statement runs: knex connects only when one does.
    const db = knex({ client: mssqlClientClass() as unknown as typeof Knex.Client, connection: mssqlConnection('mssql://u:p@127.0.0.1:1/db', 20_000) as unknown as Knex.MsSqlConnectionConfig });
    try {
      const builder = withStatementTimeout(db.select(db.raw('1 as ok')), 250);
      const client = db.client as unknown as { _makeRequest(query: object, callback: () => void): { timeout?: number } };
      // What knex's runner hands the client for this builder: the compiled statement with its query context.
      const request = client._makeRequest({ ...builder.toSQL().toNative(), queryContext: builder.queryContext() }, () => undefined);
      expect(request.timeout).toBe(250);
      expect(client._makeRequest({ ...db.select(db.raw('1 as ok')).toSQL().toNative() }, () => undefined).timeout).toBeUndefined();
    } finally {
      await db.destroy();
    }
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
