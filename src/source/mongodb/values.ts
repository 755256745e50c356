/**
 * BSON ↔ SourceValue.
 *
 * Reading: every stored value becomes the JS value the SQL connector returns for the same
 * data, with the types a mapping declares applied on top (JSON and BSON have no calendar
 * date or wall-clock date-time: applications store them as a BSON Date whose UTC fields
 * hold the value, or as an ISO string).
 *
 * Writing: a filter value is converted to each BSON type the field is stored as, so that
 * comparisons match what SQL's implicit casts give ('2024-03-05' against a field of BSON
 * Dates, a 24-hex id against ObjectIds, 42 against a text field).
 */
import { Decimal128, Long, ObjectId } from 'mongodb';
import type { DeclaredType, SourceValue, ValueRef } from '../source.js';
import { dateFromUtcDate, naiveFromUtcDate, naiveTimestamp, toNumber } from '../sql/values.js';
import { BadMongoDataError, InvalidMongoQueryError } from './errors.js';
import { isNumericRef, pathOf } from './refs.js';

/** A value sent to the server inside a query. */
export type BsonValue = string | number | boolean | bigint | Date | ObjectId | Decimal128 | null;

/** What is known of a field's storage: the BSON types sampled documents hold there, most frequent first, and the mapping's declaration. */
export interface FieldTypes {
  stored(path: string): readonly string[];
  declared(path: string): DeclaredType | undefined;
}

/** What a ref's value is stored as: a computed value is a double (a rounded coordinate, a distance) or text (an address, a time bucket). */
export function refTypes(ref: ValueRef, types: FieldTypes): { stored: readonly string[]; declared: DeclaredType | undefined } {
  const path = pathOf(ref);
  if (path !== undefined) return { stored: types.stored(path), declared: types.declared(path) };
  return { stored: [isNumericRef(ref) ? 'double' : 'string'], declared: undefined };
}

/** Filter values come from the engine, but a value that is not a SourceValue must never reach the server as an operator document. */
export function checkValue(value: unknown): SourceValue {
  if (value === null || value instanceof Date) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return value;
    default:
      throw new InvalidMongoQueryError('a filter value is not a scalar');
  }
}

function storedScalar(raw: unknown): SourceValue {
  if (raw === null || raw === undefined) return null;
  switch (typeof raw) {
    case 'string':
    case 'number':
    case 'boolean':
      return raw;
    case 'bigint':
      return toNumber(raw);
  }
  if (raw instanceof Date) return raw;
  if (raw instanceof ObjectId) return raw.toHexString();
  if (raw instanceof Decimal128) return Number(raw.toString());
  if (raw instanceof Long) return toNumber(raw.toBigInt());
  const kind = Array.isArray(raw) ? 'an array' : 'a nested document or a BSON type without a scalar value';
  throw new BadMongoDataError(`a selected value is ${kind}: map one of its fields instead`);
}

const ISO_DAY = /^\d{4}-\d\d-\d\d$/;
const ISO_NAIVE = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/;
const ISO_OFFSET = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/i;

/** An ISO text as an instant; a date or a date-time without offset is read as UTC (how such values are stored as BSON Dates). */
function instantOf(text: string): Date | undefined {
  let iso: string | undefined;
  if (ISO_DAY.test(text)) iso = `${text}T00:00:00Z`;
  else if (ISO_NAIVE.test(text)) iso = `${text.replace(' ', 'T')}Z`;
  else if (ISO_OFFSET.test(text)) iso = text.replace(' ', 'T');
  const date = iso === undefined ? undefined : new Date(iso);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A stored value → the SourceValue the SQL connector would return for a column of the declared type. */
export function readValue(raw: unknown, declared: DeclaredType | undefined): SourceValue {
  const value = storedScalar(raw);
  if (value === null || declared === undefined) return value;
  switch (declared) {
    case 'date':
      if (value instanceof Date) return dateFromUtcDate(value);
      return typeof value === 'string' && /^\d{4}-\d\d-\d\d/.test(value) ? value.slice(0, 10) : value;
    case 'timestamp':
      if (value instanceof Date) return naiveFromUtcDate(value);
      return typeof value === 'string' ? naiveTimestamp(value) : value;
    case 'timestamptz':
      return typeof value === 'string' ? (instantOf(value) ?? value) : value;
    case 'integer':
    case 'decimal':
      return typeof value === 'string' && NUMERIC.test(value.trim()) ? toNumber(value.trim()) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'text':
      if (value instanceof Date) return value.toISOString();
      return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : value;
  }
}

/** A Date value as text stored for a field of the declared type. */
function dateText(date: Date, declared: DeclaredType | undefined): string {
  if (declared === 'date') return dateFromUtcDate(date);
  if (declared === 'timestamp') return naiveFromUtcDate(date);
  return date.toISOString();
}

/** `value` as the BSON type `type` (a MongoDB $type name), or undefined when it has no such spelling. */
function convert(value: Exclude<SourceValue, null>, type: string, declared: DeclaredType | undefined): BsonValue | undefined {
  switch (type) {
    case 'string':
      return value instanceof Date ? dateText(value, declared) : String(value);
    case 'int':
    case 'long':
    case 'double':
      if (typeof value === 'number' || typeof value === 'bigint') return value;
      return typeof value === 'string' && NUMERIC.test(value.trim()) ? toNumber(value.trim()) : undefined;
    case 'decimal': {
      // As SQL reads a literal 0.1 as the exact decimal: MongoDB compares Decimal128 0.10 with the double 0.1 exactly, and unequal.
      const digits = typeof value === 'string' ? value.trim() : String(value);
      return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || (typeof value === 'string' && NUMERIC.test(digits))
        ? Decimal128.fromString(digits)
        : undefined;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : undefined;
    case 'date':
      if (value instanceof Date) return value;
      return typeof value === 'string' ? instantOf(value) : undefined;
    case 'objectId':
      return typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value) ? ObjectId.createFromHexString(value) : undefined;
    default:
      return undefined;
  }
}

/** A key for telling values apart (Dates and ObjectIds by value). */
export function identity(value: BsonValue): string {
  if (value instanceof Date) return `date:${value.getTime()}`;
  if (value instanceof ObjectId) return `oid:${value.toHexString()}`;
  if (value instanceof Decimal128) return `decimal:${value.toString()}`;
  return `${typeof value}:${String(value)}`;
}

/**
 * The spellings of `values` in the BSON types the field is stored as (a field may hold
 * several), without repeats. A value with no spelling in any of them is sent as it is:
 * it then matches nothing, as a value SQL could not cast would.
 */
export function storedForms(values: ReadonlyArray<Exclude<SourceValue, null>>, stored: readonly string[], declared: DeclaredType | undefined): BsonValue[] {
  const forms = new Map<string, BsonValue>();
  for (const value of values) {
    const spelled = stored.map((type) => convert(value, type, declared)).filter((form) => form !== undefined);
    for (const form of spelled.length > 0 ? spelled : [value]) forms.set(identity(form), form);
  }
  return [...forms.values()];
}
