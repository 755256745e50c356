/**
 * ValueRef → SQL: a mapped column or expression (see fragment.ts), or such a value in a
 * canonical spelling computed by the source.
 */
import { ADDRESS_STEPS } from '../address.js';
import type { ValueRef } from '../source.js';
import type { Dialect } from './dialects/index.js';
import { type Fragment, param, refFragment, sql } from './fragment.js';

export function valueFragment(ref: ValueRef, dialect: Dialect): Fragment {
  if ('normalize' in ref) return normalizedAddress(valueFragment(ref.of, dialect), dialect);
  return refFragment(ref);
}

/**
 * `normalizeAddress` (../address.ts) in SQL: UPPER(' ' || text || ' '), each step as a nested
 * REPLACE with bound strings, then TRIM. The value is cast to text first so that a number (a
 * house number column) is spelled as the database prints it; NULL stays NULL. REPLACE replaces
 * non-overlapping occurrences from left to right, exactly as split/join does in JavaScript.
 */
function normalizedAddress(value: Fragment, dialect: Dialect): Fragment {
  let text = sql('upper({})', dialect.padWithSpaces(dialect.toText(value)));
  for (const [from, to] of ADDRESS_STEPS) text = sql('replace({}, {}, {})', text, param(from), param(to));
  return dialect.trimSpaces(text);
}
