/**
 * The type a column's sampled values suggest, for systems that store everything as text
 * (CSV) or have no date type (JSON). Used only to draft a mapping: the liaison confirms it.
 */
import type { DeclaredType } from '../source/source.js';

const PATTERNS: ReadonlyArray<readonly [DeclaredType, RegExp]> = [
  ['integer', /^-?\d{1,15}$/],
  ['decimal', /^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/],
  ['boolean', /^(true|false|t|f|yes|no|y|n)$/i],
  ['date', /^\d{4}-\d\d-\d\d$|^\d{1,2}\/\d{1,2}\/\d{4}$/],
  ['timestamptz', /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$/i],
  ['timestamp', /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/],
];

/** The narrowest type every non-empty value fits; text when they fit none, or when there are none. */
export function inferType(values: readonly unknown[]): DeclaredType {
  const present = values.filter((value) => value !== null && value !== undefined && value !== '');
  if (present.length === 0) return 'text';
  if (present.every((value) => value instanceof Date)) return 'timestamptz';
  if (present.every((value) => typeof value === 'boolean')) return 'boolean';
  if (present.every((value) => typeof value === 'number' || typeof value === 'bigint')) {
    return present.every((value) => Number.isInteger(Number(value))) ? 'integer' : 'decimal';
  }
  const texts = present.map(String);
  // Leading zeros mark identifiers (ZIP codes, case numbers), which stay text.
  if (texts.some((text) => /^-?0\d/.test(text))) return 'text';
  for (const [type, pattern] of PATTERNS) if (texts.every((text) => pattern.test(text))) return type;
  return 'text';
}
