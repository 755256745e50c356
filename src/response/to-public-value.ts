/**
 * A raw source value → the public value of its field: code maps first, then the public
 * type's representation. A value the mapping cannot represent is a data error reported
 * with the source and field, never passed on silently.
 */
import { isEnumType } from 'graphql';
import type { ScalarBinding } from '../plan/served-dataset.js';
import type { SourceValue } from '../source/source.js';
import { wallClockToInstant } from '../source/timezone.js';

export class DataError extends Error {
  constructor(readonly source: string, message: string) {
    super(`source "${source}": ${message}`);
    this.name = 'DataError';
  }
}

const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

export function toPublicValue(field: ScalarBinding, raw: SourceValue, source: string): unknown {
  if (raw === null || raw === undefined) return null;
  const { codes } = field.mapping;
  if (codes) {
    const entry = codes.find(([code]) => code === raw || String(code) === String(raw));
    if (!entry) throw new DataError(source, `${field.path} holds a code that its mapping's \`codes\` do not list`);
    return entry[1];
  }
  if (field.keyFormat) {
    const value = field.keyFormat.toPublic(typeof raw === 'number' ? raw : String(raw));
    if (value === undefined) throw new DataError(source, `${field.path} holds a key that does not fit its mapping's \`format.raw\``);
    return value;
  }
  const type = field.type;
  if (isEnumType(type)) {
    if (type.getValue(String(raw))) return String(raw);
    throw new DataError(source, `${field.path} holds a value that is not one of ${type.name}'s values; add \`codes\` to the mapping`);
  }
  switch (type.name) {
    case 'ID':
    case 'String':
      return raw instanceof Date ? raw.toISOString() : String(raw);
    case 'Int':
    case 'Float':
      return toNumber(field, raw, source);
    case 'Boolean':
      return raw === true || raw === 1 || raw === '1' ? true : raw === false || raw === 0 || raw === '0' ? false : invalid(field, source);
    case 'DateTime':
      return toInstant(field, raw, source);
    case 'Date':
      return raw instanceof Date ? raw.toISOString().slice(0, 10) : String(raw).slice(0, 10);
    default:
      return raw;
  }
}

function toNumber(field: ScalarBinding, raw: SourceValue, source: string): number {
  const number = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(number) || (field.type.name === 'Int' && !Number.isInteger(number))) return invalid(field, source);
  return number;
}

function toInstant(field: ScalarBinding, raw: SourceValue, source: string): Date {
  if (raw instanceof Date) return raw;
  const text = String(raw);
  try {
    return HAS_OFFSET.test(text) ? new Date(text) : wallClockToInstant(text, field.timezone);
  } catch {
    return invalid(field, source);
  }
}

function invalid(field: ScalarBinding, source: string): never {
  throw new DataError(source, `${field.path} holds a value that is not a valid ${field.type.name}`);
}
