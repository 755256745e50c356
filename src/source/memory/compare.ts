/**
 * How values compare in memory, the way the SQL sources compare them after their implicit
 * casts: numbers numerically, instants by time, date and date-time text as calendar values
 * (so '2024-03-05' equals '2024-03-05T00:00:00.000'), other text by code point (a binary
 * collation: databases with a linguistic or case-insensitive collation may order text differently).
 */
import type { SourceValue } from '../source.js';

const DATE_TIME = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d)(?::(\d\d)(?:\.(\d+))?)?)?$/;

/** A date or naive date-time as 'YYYY-MM-DDTHH:MM:SS.mmm', which orders as text; undefined for other text. */
function calendarText(text: string): string | undefined {
  // Most text is no date: a cheap look at the fifth character spares the regular expression.
  if (text.charCodeAt(4) !== 45 /* - */) return undefined;
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  return `${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}.${((m[4] ?? '') + '000').slice(0, 3)}`;
}

type Comparable = { kind: 'number'; value: number | bigint } | { kind: 'text'; value: string };

function comparable(value: Exclude<SourceValue, null>, other: Exclude<SourceValue, null>): Comparable {
  if (value instanceof Date) return { kind: 'number', value: value.getTime() };
  if (typeof value === 'number' || typeof value === 'bigint') return { kind: 'number', value };
  if (typeof value === 'boolean') return { kind: 'number', value: value ? 1 : 0 };
  // Text against an instant or a number is cast to the other side's type, as SQL does with a literal.
  if (other instanceof Date) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return { kind: 'number', value: time };
  } else if ((typeof other === 'number' || typeof other === 'bigint') && value.trim() !== '' && Number.isFinite(Number(value))) {
    return { kind: 'number', value: Number(value) };
  }
  return { kind: 'text', value: value };
}

/** Negative, zero or positive, like a sort comparator; both values non-null. */
export function compareValues(a: Exclude<SourceValue, null>, b: Exclude<SourceValue, null>): number {
  // The common cases, compared without building anything (this runs for every record and sort step).
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return 0;
    const l = calendarText(a);
    const r = l === undefined ? undefined : calendarText(b);
    const [p, q] = l !== undefined && r !== undefined ? [l, r] : [a, b];
    return p < q ? -1 : p > q ? 1 : 0;
  }
  const x = comparable(a, b);
  const y = comparable(b, a);
  if (x.kind === 'number' && y.kind === 'number') return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
  const left = x.kind === 'text' ? x.value : String(x.value);
  const right = y.kind === 'text' ? y.value : String(y.value);
  const [l, r] = [calendarText(left), calendarText(right)];
  const [p, q] = l !== undefined && r !== undefined ? [l, r] : [left, right];
  return p < q ? -1 : p > q ? 1 : 0;
}

/** A key telling values apart when grouping them: equal for the same value, distinct across types (1 ≠ '1'). */
export function valueIdentity(value: SourceValue): string {
  return value instanceof Date ? `date:${value.getTime()}` : `${typeof value}:${String(value)}`;
}

/**
 * A value in the form it sorts by, computed once per record rather than once per comparison:
 * dates and date-times as text in one canonical spelling, which then orders as plain text.
 */
export function sortForm(value: SourceValue): SourceValue {
  return typeof value === 'string' ? (calendarText(value) ?? value) : value;
}

/** Nulls last ascending and first descending, as every source orders them; values in `sortForm`. */
export function compareForOrder(a: SourceValue, b: SourceValue, direction: 'asc' | 'desc'): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    const nullLast = a === null ? 1 : -1;
    return direction === 'asc' ? nullLast : -nullLast;
  }
  const order = typeof a === 'string' && typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : compareValues(a, b);
  return direction === 'asc' ? order : -order;
}
