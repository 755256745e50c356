/**
 * Field rules applied to public values: pure functions, one per `FieldRule` kind. The value
 * is already the public representation (string, number, boolean, a `Date` for DateTime, a
 * 'YYYY-MM-DD' string for Date, or `{ latitude, longitude }` for a Location); null stays null
 * under every rule.
 *
 * Every transform fails closed: a value a rule cannot handle (a rule the mapping validator
 * should have refused, e.g. `round` on a string) throws a `TransformError` instead of passing
 * the raw value on. The caller turns that into a field error; the value never leaves.
 */
import { createHmac } from 'node:crypto';
import type { FieldRule } from '../config/mapping.js';
import type { Secret } from '../config/secret.js';
import { roundTo, snapTo } from './coordinates.js';
import { hundredBlock } from './hundred-block.js';
import { redactPersonalData } from './transform-redact.js';

export { hundredBlock } from './hundred-block.js';
export { redactPersonalData } from './transform-redact.js';

export interface TransformContext {
  /** The HMAC key for `pseudonymize`, from `CIVICGRAPH_PSEUDONYM_KEY`. */
  pseudonymKey: Secret | undefined;
}

/** The environment variable the pseudonym key comes from. */
export const PSEUDONYM_KEY_ENV = 'CIVICGRAPH_PSEUDONYM_KEY';

/** A rule applied to a value it cannot handle; it never carries the value itself. */
export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformError';
  }
}

export function applyRule(rule: FieldRule, value: unknown, context: TransformContext): unknown {
  if (rule.kind === 'hidden') {
    // A hidden field does not exist for the role; the caller must have removed it.
    throw new TransformError('a hidden field reached a transform: hidden fields must be removed before values are transformed');
  }
  if (value === null || value === undefined) return null;
  switch (rule.kind) {
    case 'visible':
      return value;
    case 'null':
      return null;
    case 'mask':
      return mask(value, rule.keepLast);
    case 'pseudonymize':
      return pseudonymize(value, context.pseudonymKey);
    case 'hundredBlock':
      return hundredBlock(expectString(value, 'hundredBlock'));
    case 'round':
      return mapNumbers(value, 'round', (number) => roundTo(number, checkDecimals(rule.decimals)));
    case 'snap': {
      const cell = checkCell(rule.cell);
      return mapNumbers(value, 'snap', (number) => snapTo(number, cell));
    }
    case 'truncate':
      return truncate(value, rule.unit);
    case 'redact':
      return redactPersonalData(expectString(value, 'redact'));
    default: {
      const unknown: never = rule;
      throw new TransformError(`unknown field rule ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

/**
 * '*' for every character but the last `keepLast` (in code points, so the length as a reader
 * counts it is preserved). A value of `keepLast` characters or fewer is all '*': a mask never
 * reveals a whole value, however short. Non-string scalars are masked in their text form.
 */
export function mask(value: unknown, keepLast: number): string {
  if (!Number.isInteger(keepLast) || keepLast < 0) throw new TransformError(`mask: keepLast must be a whole number ≥ 0, not ${keepLast}`);
  const characters = Array.from(scalarText(value, 'mask'));
  if (characters.length <= keepLast) return '*'.repeat(characters.length);
  const kept = keepLast === 0 ? [] : characters.slice(-keepLast);
  return '*'.repeat(characters.length - kept.length) + kept.join('');
}

/**
 * 'p_' + the first 22 characters of base64url(HMAC-SHA256(key, text)): stable for one key, so
 * rows can still be grouped and joined, and not reversible without the key. The text is
 * `String(value)`, except a Date (its ISO form, which does not depend on the host's time zone)
 * and an object (JSON with sorted keys).
 */
export function pseudonymize(value: unknown, key: Secret | undefined): string {
  const secret = key?.reveal();
  if (!secret) {
    throw new Error(`pseudonymize: no pseudonym key; set ${PSEUDONYM_KEY_ENV} (the gateway refuses to start without it when a rule pseudonymizes)`);
  }
  const digest = createHmac('sha256', secret).update(pseudonymText(value)).digest('base64url');
  return `p_${digest.slice(0, 22)}`;
}

function pseudonymText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return JSON.stringify(Object.fromEntries(entries));
  }
  return String(value);
}

function checkDecimals(decimals: number): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 15) throw new TransformError(`round: decimals must be a whole number from 0 to 15, not ${decimals}`);
  return decimals;
}

function checkCell(cell: number): number {
  if (!Number.isFinite(cell) || cell <= 0) throw new TransformError(`snap: cell must be a positive number of degrees, not ${cell}`);
  return cell;
}

/**
 * A number transformed, or each numeric member of an object (a Location) transformed. A
 * member that is not a number becomes null: a coordinate rule cannot vouch for it.
 */
function mapNumbers(value: unknown, rule: string, transform: (number: number) => number): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TransformError(`${rule}: not a finite number`);
    return transform(value);
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([name, member]) => [
        name,
        typeof member === 'number' && Number.isFinite(member) ? transform(member) : null,
      ]),
    );
  }
  throw new TransformError(`${rule} applies to numbers and coordinates, not to a ${describeType(value)}`);
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A Date → the start of its day, month or year in UTC; a 'YYYY-MM-DD' date → 'YYYY-MM-DD' of that start. */
export function truncate(value: unknown, unit: 'day' | 'month' | 'year'): Date | string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TransformError('truncate: invalid date');
    const year = value.getUTCFullYear();
    const month = unit === 'year' ? 0 : value.getUTCMonth();
    const day = unit === 'day' ? value.getUTCDate() : 1;
    const start = new Date(0);
    start.setUTCFullYear(year, month, day); // Date.UTC would map years 0–99 to 1900–1999
    return start;
  }
  if (typeof value === 'string') {
    const date = CALENDAR_DATE.exec(value);
    if (!date) throw new TransformError('truncate applies to a date-time or a YYYY-MM-DD date');
    const [, year, month, day] = date;
    return unit === 'year' ? `${year}-01-01` : unit === 'month' ? `${year}-${month}-01` : `${year}-${month}-${day}`;
  }
  throw new TransformError(`truncate applies to a date-time or a YYYY-MM-DD date, not to a ${describeType(value)}`);
}

function expectString(value: unknown, rule: string): string {
  if (typeof value !== 'string') throw new TransformError(`${rule} applies to text, not to a ${describeType(value)}`);
  return value;
}

function scalarText(value: unknown, rule: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new TransformError(`${rule} applies to text and other single values, not to a ${describeType(value)}`);
}

function describeType(value: unknown): string {
  if (value instanceof Date) return 'date-time';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}
