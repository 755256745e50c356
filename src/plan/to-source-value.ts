/**
 * Public filter values → the values the source stores, so that every comparison runs in
 * the source's query. A coded field's public value becomes the set of raw codes that map
 * to it; an instant becomes the wall-clock time of the source's zone when the source
 * stores date-times without offset; a formatted key takes the raw spelling; an address
 * takes its canonical spelling, which the source computes for the column too.
 */
import type { SourceValue } from '../source/source.js';
import { normalizeAddress } from '../source/address.js';
import { instantToWallClock } from '../source/timezone.js';
import type { ScalarBinding } from './served-dataset.js';

/** The raw values that the public `value` can be stored as; empty when no stored value means it. */
export function toSourceValues(field: ScalarBinding, value: unknown): SourceValue[] {
  const { codes, normalize } = field.mapping;
  if (codes) return codes.filter(([, mapped]) => mapped === value).map(([raw]) => raw);
  if (field.keyFormat) {
    const raw = field.keyFormat.toRaw(String(value));
    return raw === undefined ? [] : [convert(field, raw)].filter((converted) => converted !== undefined);
  }
  if (normalize === 'address') return [normalizeAddress(String(value))];
  const converted = convert(field, value);
  return converted === undefined ? [] : [converted];
}

function convert(field: ScalarBinding, value: unknown): SourceValue | undefined {
  if (value instanceof Date) {
    return field.columnType === 'timestamptz' ? value : instantToWallClock(value, field.timezone);
  }
  if (typeof value === 'string' && (field.columnType === 'integer' || field.columnType === 'decimal')) {
    // An ID or String field stored as a number: a value that is no number matches no row.
    const number = Number(value);
    return value.trim() !== '' && Number.isFinite(number) ? number : undefined;
  }
  return value as SourceValue;
}
