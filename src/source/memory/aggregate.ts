/**
 * Grouped aggregates in memory, with the results a SQL GROUP BY gives: buckets as the
 * 'YYYY-MM-DD' that starts them, `count` of rows or of non-null values, `min`/`max` by the
 * values' own order, and `sum` exact for decimal data (summed as scaled integers, as SQL's
 * numeric type does, so 10.5 + 20.25 is 30.75 and not a float's approximation).
 */
import type { AggregateQuery, Row, SourceValue, TimeBucket } from '../source.js';
import { compareForOrder, compareValues, sortForm, valueIdentity } from './compare.js';
import { readValue } from './read-value.js';
import type { RawRecord } from './scanner.js';

const CALENDAR = /^(\d{4})-(\d\d)-(\d\d)/;

/** The calendar date starting the bucket a date (text), naive date-time (text) or instant (UTC) falls in. */
export function bucketStart(value: SourceValue, bucket: TimeBucket): string | null {
  if (value === null) return null;
  const day = value instanceof Date ? value.toISOString().slice(0, 10) : CALENDAR.exec(String(value))?.[0];
  if (day === undefined) return null;
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  switch (bucket) {
    case 'day':
      return day;
    case 'month':
      return `${day.slice(0, 7)}-01`;
    case 'year':
      return `${day.slice(0, 4)}-01-01`;
    case 'week': {
      const time = Date.UTC(year, month - 1, date);
      const sinceMonday = (new Date(time).getUTCDay() + 6) % 7;
      return new Date(time - sinceMonday * 86_400_000).toISOString().slice(0, 10);
    }
  }
}

/** Digits after the decimal point of a number as JavaScript prints it (none for exponent forms beyond 20). */
function decimals(value: number): number {
  const text = String(value);
  const exponent = /e-(\d+)$/.exec(text);
  if (exponent) return Number(exponent[1]) + (text.split('e')[0]!.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

function exactSum(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const scale = Math.min(20, Math.max(...values.map(decimals)));
  const factor = 10n ** BigInt(scale);
  let total = 0n;
  for (const value of values) {
    if (!Number.isFinite(value)) return values.reduce((a, b) => a + b, 0);
    total += BigInt(Math.round(value * 10 ** scale));
  }
  const whole = total / factor;
  const fraction = total % factor;
  return Number(whole) + Number(fraction) / Number(factor);
}

interface Group {
  keys: Row;
  rows: RawRecord[];
}


export function aggregateRecords(records: readonly RawRecord[], query: AggregateQuery, source: string): Row[] {
  const groupEntries = Object.entries(query.groupBy);
  const groups = new Map<string, Group>();
  if (groupEntries.length === 0) groups.set('', { keys: {}, rows: [] });
  for (const record of records) {
    const keys: Row = {};
    for (const [alias, group] of groupEntries) {
      const value = readValue(record, group.ref, source);
      keys[alias] = group.bucket ? bucketStart(value, group.bucket) : value;
    }
    const id = groupEntries.map(([alias]) => valueIdentity(keys[alias]!)).join('\u0000');
    let found = groups.get(id);
    if (!found) groups.set(id, (found = { keys, rows: [] }));
    found.rows.push(record);
  }
  const totals = [...groups.values()].map(({ keys, rows }) => {
    const out: Row = { ...keys };
    for (const [alias, aggregate] of Object.entries(query.aggregates)) {
      if (!('ref' in aggregate)) {
        out[alias] = rows.length;
        continue;
      }
      const values = rows.map((row) => readValue(row, aggregate.ref, source)).filter((value): value is Exclude<SourceValue, null> => value !== null);
      switch (aggregate.fn) {
        case 'count':
          out[alias] = values.length;
          break;
        case 'countDistinct':
          out[alias] = new Set(values.map(valueIdentity)).size;
          break;
        case 'sum':
          out[alias] = exactSum(values.map(Number));
          break;
        case 'min':
        case 'max': {
          const sign = aggregate.fn === 'min' ? -1 : 1;
          out[alias] = values.reduce<SourceValue>((best, value) => (best === null || sign * compareValues(value, best) > 0 ? value : best), null);
          break;
        }
      }
    }
    return out;
  });
  return orderAndPage(totals, query);
}

/** `orderBy`, `offset` and `limit` over the groups, ordered as the SQL sources order them. */
function orderAndPage(rows: Row[], query: AggregateQuery): Row[] {
  const keys = query.orderBy ?? [];
  if (keys.length > 0) {
    const keyed = rows.map((row) => ({ row, values: keys.map(({ alias }) => sortForm(row[alias] ?? null)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const order = compareForOrder(a.values[i]!, b.values[i]!, keys[i]!.direction);
        if (order !== 0) return order;
      }
      return 0;
    });
    rows = keyed.map(({ row }) => row);
  }
  const start = query.offset ?? 0;
  return query.limit === undefined ? rows.slice(start) : rows.slice(start, start + query.limit);
}
