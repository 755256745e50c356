/**
 * JSON records → the values a SQL source would return for the same data, for the columns
 * the mapping declares a type for. JSON has no dates and many APIs send numbers as text
 * (Socrata does), so a declared type says how to read each value; undeclared values pass
 * as JSON gives them.
 */
import { readPath } from '../memory/read-value.js';
import type { RawRecord } from '../memory/scanner.js';
import type { DeclaredType, SourceValue } from '../source.js';
import { naiveTimestamp, toNumber } from '../sql/values.js';
import { instantToWallClock, wallClockToInstant } from '../timezone.js';
import type { Endpoint } from './endpoint.js';

/** The array of records in a response body, at a dotted path ('' for the body itself). */
export function recordsIn(body: unknown, path: string, endpoint: Endpoint): readonly unknown[] {
  const records = path === '' ? body : isObject(body) ? readPath(body, path) : undefined;
  if (Array.isArray(records)) return records;
  const problem = path === '' ? 'is not an array of records (set rest.records to their path)' : `has no array of records at "${path}" (rest.records)`;
  throw endpoint.error(`the response ${problem}`, 'bad-data');
}

/**
 * The record with each declared column converted. A converted value sits under the
 * column's full dotted path as a key of a shallow copy, where `readPath` looks first, so
 * the nested original is left untouched.
 */
export function typedRecord(raw: unknown, columns: ReadonlyMap<string, DeclaredType>, zone: string, endpoint: Endpoint): RawRecord {
  if (!isObject(raw)) throw endpoint.error('a record in the response is not a JSON object', 'bad-data');
  if (columns.size === 0) return raw;
  const typed: Record<string, unknown> = { ...raw };
  for (const [column, type] of columns) {
    const value = readPath(raw, column);
    const converted = value === undefined || value === null ? null : convert(value, type, zone);
    // The value itself is never quoted: it may be personal data.
    if (converted === undefined) throw endpoint.error(`column "${column}" holds a value that is not a valid ${type}`, 'bad-data');
    typed[column] = converted;
  }
  return typed;
}

function isObject(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value as `type`, or undefined when it is not one. */
export function convert(value: unknown, type: DeclaredType, zone: string): SourceValue | undefined {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    case 'integer':
      if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
      return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? toNumber(value.trim()) : undefined;
    case 'decimal':
      if (typeof value === 'number') return value;
      return typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim()) ? toNumber(value.trim()) : undefined;
    case 'boolean':
      return toBoolean(value);
    case 'date':
    case 'timestamp':
    case 'timestamptz': {
      const parsed = typeof value === 'string' ? parseDateTime(value.trim()) : undefined;
      return parsed === undefined ? undefined : asType(parsed, type, zone);
    }
  }
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : undefined;
  return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : undefined;
}

interface DateTime {
  /** 'YYYY-MM-DDTHH:MM:SS[.fff]', fraction cut to milliseconds. */
  wallClock: string;
  /** Present when the text carried an offset, and so named an instant. */
  instant?: Date;
}

const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?)?$/i;

function parseDateTime(text: string): DateTime | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction, offset] = m;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  // Date.UTC rolls 2024-02-30 over into March; a real calendar date survives the round trip.
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const millis = fraction === undefined ? '' : `.${fraction.slice(0, 3)}`;
  const wallClock = `${y}-${mo}-${d}T${h}:${mi}:${s}${millis}`;
  if (offset === undefined) return { wallClock };
  // Date.parse reads ISO offsets only as Z or ±HH:MM; APIs also write ±HHMM and ±HH.
  const digits = offset.slice(1).replace(':', '');
  const instant = new Date(wallClock + (/z/i.test(offset) ? 'Z' : `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2) || '00'}`));
  return Number.isNaN(instant.getTime()) ? undefined : { wallClock, instant };
}

/**
 * Text without an offset is a wall-clock time in the source's zone; text with one names an
 * instant, shown as a date or a date-time without offset in that same zone.
 */
function asType({ wallClock, instant }: DateTime, type: 'date' | 'timestamp' | 'timestamptz', zone: string): SourceValue {
  if (type === 'timestamptz') return instant ?? wallClockToInstant(wallClock, zone);
  const local = instant === undefined ? naiveTimestamp(wallClock) : instantToWallClock(instant, zone);
  return type === 'date' ? local.slice(0, 10) : local;
}
