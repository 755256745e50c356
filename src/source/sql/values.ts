/**
 * Normalisers for what the drivers hand back, so that every dialect returns the
 * same JS value for the same stored data (see `SourceValue`).
 */

/** Integers and decimals as numbers; an integer beyond 2^53 stays exact as a bigint. */
export function toNumber(value: string | number | bigint): number | bigint {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (/^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value);
  }
  return Number(value);
}

const NAIVE = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?$/;
const WHOLE_SECONDS = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d$/;

/**
 * A date-time without offset, as the database prints it ('2024-03-05 14:30:00.250000'),
 * to the public form '2024-03-05T14:30:00.25' → '2024-03-05T14:30:00.250': milliseconds
 * only when non-zero, because that is all a JS Date (and so SQL Server's driver) keeps.
 * Anything else (e.g. PostgreSQL's 'infinity') is passed through unchanged.
 */
export function naiveTimestamp(text: string): string {
  // Whole seconds, the common case, without the match and its captures: a page holds hundreds.
  if (text.length === 19 && WHOLE_SECONDS.test(text)) return text.charCodeAt(10) === 84 ? text : text.replace(' ', 'T');
  const m = NAIVE.exec(text);
  if (!m) return text;
  const millis = ((m[3] ?? '') + '000').slice(0, 3);
  return `${m[1]}T${m[2]}${millis === '000' ? '' : '.' + millis}`;
}

/** A Date whose UTC fields hold a wall-clock time (drivers told to use UTC) → naive ISO string. */
export function naiveFromUtcDate(date: Date): string {
  return naiveTimestamp(date.toISOString().slice(0, 23));
}

/** A Date whose UTC fields hold a calendar date → 'YYYY-MM-DD'. */
export function dateFromUtcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
