/**
 * Predicate → whether a record matches, with the two-valued NULL logic every source uses
 * (see ../sql/predicate.ts): a NULL value is unequal to every non-null value, so `not p`
 * selects exactly the records `p` does not.
 */
import type { Predicate, SourceValue } from '../source.js';
import { compareValues } from './compare.js';
import { readValue } from './read-value.js';
import type { RawRecord } from './scanner.js';

function text(value: Exclude<SourceValue, null>): string {
  return (value instanceof Date ? value.toISOString() : String(value)).toLowerCase();
}

export function matches(predicate: Predicate, record: RawRecord, source: string): boolean {
  switch (predicate.kind) {
    case 'constant':
      return predicate.value;
    case 'and':
      return predicate.items.every((item) => matches(item, record, source));
    case 'or':
      return predicate.items.some((item) => matches(item, record, source));
    case 'not':
      return !matches(predicate.item, record, source);
    case 'compare':
      return compare(predicate, readValue(record, predicate.ref, source));
    case 'related':
      throw new Error('a related-rows condition reached the memory engine; the planner sends these to SQL sources only');
  }
}

function compare({ op, value }: Extract<Predicate, { kind: 'compare' }>, actual: SourceValue): boolean {
  if (op === 'in') {
    const members = Array.isArray(value) ? value : [value];
    return members.some((member) => (member === null ? actual === null : actual !== null && compareValues(actual, member) === 0));
  }
  if (Array.isArray(value)) return false;
  if (op === 'isNull') return (actual === null) === value;
  if (value === null) return op === 'eq' ? actual === null : op === 'ne' ? actual !== null : false;
  if (actual === null) return op === 'ne';
  switch (op) {
    case 'eq':
      return compareValues(actual, value) === 0;
    case 'ne':
      return compareValues(actual, value) !== 0;
    case 'lt':
      return compareValues(actual, value) < 0;
    case 'lte':
      return compareValues(actual, value) <= 0;
    case 'gt':
      return compareValues(actual, value) > 0;
    case 'gte':
      return compareValues(actual, value) >= 0;
    case 'contains':
      return text(actual).includes(text(value));
    case 'startsWith':
      return text(actual).startsWith(text(value));
  }
}
