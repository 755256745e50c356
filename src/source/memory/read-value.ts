/**
 * A ValueRef read from a record in memory, as a SQL source would compute it: a column (a
 * dotted path into nested documents), or its normalised address spelling.
 */
import { normalizeAddress } from '../address.js';
import { SourceError, type SourceValue, type ValueRef } from '../source.js';
import type { RawRecord } from './scanner.js';

/** Walks `a.b.0.c` through objects and arrays; a key that itself contains dots wins when present. */
export function readPath(record: RawRecord, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let value: unknown = record;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Array.isArray(value) ? value[Number(segment)] : (value as Record<string, unknown>)[segment];
  }
  return value;
}

export function readValue(record: RawRecord, ref: ValueRef, source: string): SourceValue {
  if ('normalize' in ref) {
    const value = readValue(record, ref.of, source);
    return value === null ? null : normalizeAddress(value instanceof Date ? value.toISOString() : String(value));
  }
  if ('expression' in ref) {
    throw new SourceError(source, 'a SQL expression cannot be evaluated on records in memory; map a column instead', 'query-failed');
  }
  const value = readPath(record, ref.column);
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !(value instanceof Date)) {
    throw new SourceError(source, `column "${ref.column}" holds ${Array.isArray(value) ? 'a list' : 'an object'}, not a single value`, 'bad-data');
  }
  return value as SourceValue;
}
