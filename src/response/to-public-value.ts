/**
 * A raw source value → the public value of its field: code maps first, then the public
 * type's representation. A value the mapping cannot represent is a data error reported
 * with the source and field, never passed on silently.
 *
 * Which of those steps a field takes depends on its mapping alone, so it is decided once per
 * field (`publicValueReader`) rather than for every value: a page of rows converts thousands.
 */
import { isEnumType } from 'graphql';
import type { ScalarBinding } from '../plan/served-dataset.js';
import type { SourceValue } from '../source/source.js';
import { instantOfText } from '../source/timezone.js';

export class DataError extends Error {
  constructor(readonly source: string, message: string) {
    super(`source "${source}": ${message}`);
    this.name = 'DataError';
  }
}

/** Converts one raw value of a field; `source` names the connector in a data error. */
export type PublicValueReader = (raw: SourceValue, source: string) => unknown;

const readers = new WeakMap<ScalarBinding, PublicValueReader>();

/** The field's converter, built on first use. */
export function publicValueReader(field: ScalarBinding): PublicValueReader {
  let reader = readers.get(field);
  if (!reader) readers.set(field, (reader = nullsAsNull(readerFor(field))));
  return reader;
}

export function toPublicValue(field: ScalarBinding, raw: SourceValue, source: string): unknown {
  return publicValueReader(field)(raw, source);
}

function nullsAsNull(read: (raw: NonNullable<SourceValue>, source: string) => unknown): PublicValueReader {
  return (raw, source) => (raw === null || raw === undefined ? null : read(raw, source));
}

function readerFor(field: ScalarBinding): (raw: NonNullable<SourceValue>, source: string) => unknown {
  const { codes } = field.mapping;
  if (codes) {
    // A code matches a raw value of either spelling (the number 3 or the text "3"); the first listed wins.
    const byText = new Map<string, unknown>();
    for (const [code, value] of codes) if (!byText.has(String(code))) byText.set(String(code), value);
    return (raw, source) => {
      const text = String(raw);
      if (byText.has(text)) return byText.get(text);
      throw new DataError(source, `${field.path} holds a code that its mapping's \`codes\` do not list`);
    };
  }
  const { keyFormat } = field;
  if (keyFormat) {
    return (raw, source) => {
      const value = keyFormat.toPublic(typeof raw === 'number' ? raw : String(raw));
      if (value === undefined) throw new DataError(source, `${field.path} holds a key that does not fit its mapping's \`format.raw\``);
      return value;
    };
  }
  const type = field.type;
  if (isEnumType(type)) {
    return (raw, source) => {
      if (type.getValue(String(raw))) return String(raw);
      throw new DataError(source, `${field.path} holds a value that is not one of ${type.name}'s values; add \`codes\` to the mapping`);
    };
  }
  switch (type.name) {
    case 'ID':
    case 'String':
      return (raw) => (typeof raw === 'string' ? raw : raw instanceof Date ? raw.toISOString() : String(raw));
    case 'Int':
    case 'Float':
      return (raw, source) => toNumber(field, raw, source);
    case 'Boolean':
      return (raw, source) => (raw === true || raw === 1 || raw === '1' ? true : raw === false || raw === 0 || raw === '0' ? false : invalid(field, source));
    case 'DateTime':
      return (raw, source) => toInstant(field, raw, source);
    case 'Date':
      return (raw) => (raw instanceof Date ? raw.toISOString().slice(0, 10) : String(raw).slice(0, 10));
    default:
      return (raw) => raw;
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
    return instantOfText(text, field.timezone);
  } catch {
    return invalid(field, source);
  }
}

function invalid(field: ScalarBinding, source: string): never {
  throw new DataError(source, `${field.path} holds a value that is not a valid ${field.type.name}`);
}
