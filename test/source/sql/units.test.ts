/** The pure pieces of the SQL connector: LIKE escaping, value normalisers, tedious value normalisation, ordered groups' SQL. */
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../src/source/sql/dialects/index.js';
import { normaliseTediousValue } from '../../../src/source/sql/dialects/mssql.js';
import { escapeLike } from '../../../src/source/sql/predicate.js';
import { compileAggregate } from '../../../src/source/sql/sql-source.js';
import { naiveTimestamp, toNumber } from '../../../src/source/sql/values.js';

describe('escapeLike', () => {
  it('escapes %, _ and the escape character everywhere, and [ on SQL Server only', () => {
    expect(escapeLike('100%_off!', DIALECTS.postgres)).toBe('100!%!_off!!');
    expect(escapeLike('[a]', DIALECTS.mysql)).toBe('[a]');
    expect(escapeLike('[a]', DIALECTS.mssql)).toBe('![a]');
  });
});

describe('value normalisers', () => {
  it('prints naive date-times as ISO without offset, milliseconds only when non-zero', () => {
    expect(naiveTimestamp('2024-03-05 14:30:00')).toBe('2024-03-05T14:30:00');
    expect(naiveTimestamp('2024-03-05 14:30:00.000000')).toBe('2024-03-05T14:30:00');
    expect(naiveTimestamp('2024-03-05 14:30:00.25')).toBe('2024-03-05T14:30:00.250');
    expect(naiveTimestamp('2024-03-05 14:30:00.123456')).toBe('2024-03-05T14:30:00.123');
    expect(naiveTimestamp('infinity')).toBe('infinity');
  });

  it('reads integers as numbers, and as bigint only beyond 2^53', () => {
    expect(toNumber('42')).toBe(42);
    expect(toNumber('-7.25')).toBe(-7.25);
    expect(toNumber('9007199254740993')).toBe(9007199254740993n);
    expect(toNumber(12n)).toBe(12);
  });

  it('normalises tedious values by column type (useUTC Dates hold wall-clock times)', () => {
    const at = new Date(Date.UTC(2024, 2, 5, 14, 30, 0, 7));
    const col = (name: string, value: unknown) => normaliseTediousValue({ value, metadata: { colName: 'x', type: { name } } });
    expect(col('DateTime2', at)).toBe('2024-03-05T14:30:00.007');
    expect(col('DateTimeN', new Date(Date.UTC(2024, 2, 5, 14, 30)))).toBe('2024-03-05T14:30:00');
    expect(col('Date', new Date(Date.UTC(2024, 2, 5)))).toBe('2024-03-05');
    expect(col('DateTimeOffset', at)).toBe(at);
    expect(col('BigInt', '123')).toBe(123);
    expect(col('Bit', true)).toBe(true);
    expect(col('NVarChar', null)).toBeNull();
  });
});

describe('ordered, paged groups', () => {
  const query = {
    table: 't',
    groupBy: { k: { ref: { column: 'a' } } },
    aggregates: { n: { fn: 'count' }, d: { fn: 'countDistinct', ref: { column: 'b' } } },
    orderBy: [{ alias: 'n', direction: 'desc' }, { alias: 'k', direction: 'asc' }],
    limit: 10,
    offset: 20,
  } as const;

  it('order by the outer expressions, not their aliases, and page the way each dialect pages (SQL Server cannot run here)', () => {
    expect(compileAggregate('postgres', query).sql).toBe(
      'select "g0" as "k", count(*) as "n", count(distinct "v1") as "d" from (select "a" as "g0", "b" as "v1" from "t") as "grouped" group by "g0" order by count(*) desc nulls first, "g0" asc nulls last limit $1 offset $2',
    );
    expect(compileAggregate('mssql', query).sql).toBe(
      'select [g0] as [k], count(*) as [n], count(distinct [v1]) as [d] from (select [a] as [g0], [b] as [v1] from [t]) as [grouped] group by [g0] ' +
        'order by case when count(*) is null then 0 else 1 end, count(*) desc, case when [g0] is null then 1 else 0 end, [g0] asc offset @p0 rows fetch next @p1 rows only',
    );
    expect(compileAggregate('mssql', { ...query, offset: 0 }).sql).toMatch(/^select top \(@p0\) /);
  });

  it('refuse an order by an alias the query does not compute', () => {
    expect(() => compileAggregate('postgres', { ...query, orderBy: [{ alias: 'nope', direction: 'asc' }] })).toThrow(/"nope"/);
  });
});
