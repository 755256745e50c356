/**
 * A ValueRef read from a record in memory, as a SQL source would compute it: a column (a
 * dotted path into nested documents), its normalised address spelling, a privacy transform
 * of it or the distance of a position, each with the gateway's own functions.
 */
import { JS_NUMBERS, roundTo, snapTo, squaredDistanceSteps } from '../../privacy/coordinates.js';
import { hundredBlock } from '../../privacy/hundred-block.js';
import { normalizeAddress } from '../address.js';
import { SourceError, type SourceValue, type TransformRef, type ValueRef } from '../source.js';
import { bucketStart } from './aggregate.js';
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
    return value === null ? null : normalizeAddress(text(value));
  }
  if ('transform' in ref) return transformed(record, ref, source);
  if ('squaredDistance' in ref) {
    const latitude = readNumber(record, ref.squaredDistance.latitude, source);
    const longitude = readNumber(record, ref.squaredDistance.longitude, source);
    return latitude === null || longitude === null ? null : squaredDistanceSteps(JS_NUMBERS, latitude, longitude, ref.squaredDistance);
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

function transformed(record: RawRecord, ref: TransformRef, source: string): SourceValue {
  if (ref.whole?.some((part) => readValue(record, part, source) === null)) return null;
  switch (ref.transform) {
    case 'hundredBlock': {
      const value = readValue(record, ref.of, source);
      return value === null ? null : hundredBlock(text(value));
    }
    case 'round': {
      const value = readNumber(record, ref.of, source);
      return value === null ? null : roundTo(value, ref.decimals);
    }
    case 'snap': {
      const value = readNumber(record, ref.of, source);
      return value === null ? null : snapTo(value, ref.cell);
    }
    case 'truncate':
      return bucketStart(readValue(record, ref.of, source), ref.unit);
  }
}

function text(value: Exclude<SourceValue, null>): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/** A value as the double SQL's CAST gives: a number, or text that spells one; anything else is no number. */
function readNumber(record: RawRecord, ref: ValueRef, source: string): number | null {
  const value = readValue(record, ref, source);
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}
