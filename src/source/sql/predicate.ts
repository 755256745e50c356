/**
 * Predicate → SQL condition.
 *
 * NULL semantics. SQL's three-valued logic makes `NOT (status = 'O')` drop rows whose
 * status is NULL, so `not { eq }` and `ne` would disagree. Instead every comparison is
 * compiled to be two-valued (never NULL): a NULL source value is simply a value unequal
 * to every non-null value. Then and/or/not are ordinary boolean logic and `not p`
 * selects exactly the rows `p` does not:
 *
 *   eq x        → (ref = x AND ref IS NOT NULL)         NULL rows: false
 *   ne x        → (ref <> x OR ref IS NULL)             NULL rows: true
 *   lt/lte/gt/gte x → (ref < x AND ref IS NOT NULL)     NULL rows: false
 *   in [a, b]   → (ref IN (a, b) AND ref IS NOT NULL); a null member also matches NULL rows;
 *                 `in: []` is false
 *   contains / startsWith → case-insensitive LIKE, also guarded with IS NOT NULL
 *   isNull true/false → IS NULL / IS NOT NULL
 *   eq null / ne null → IS NULL / IS NOT NULL; an ordering or LIKE against null → false
 *   not p       → NOT (p)
 *   related     → (ref IS NOT NULL AND ref IN (SELECT to FROM table WHERE to IS NOT NULL AND where));
 *                 the sub-query is not correlated, so its unqualified columns are the other table's
 *
 * Values are always bound parameters; LIKE patterns escape the user's wildcards with `!`.
 */
import type { Predicate, SourceValue } from '../source.js';
import type { Dialect } from './dialects/index.js';
import { FALSE, type Fragment, join, param, sql, TRUE } from './fragment.js';
import { valueFragment } from './ref.js';

/** A predicate the planner should never have produced; its message carries no values. */
export class InvalidQueryError extends Error {
  override name = 'InvalidQueryError';
}

const ORDERING = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

export const LIKE_ESCAPE = '!';

/** Makes `value` match literally inside a LIKE pattern whose escape character is `!`. */
export function escapeLike(value: string, dialect: Dialect): string {
  const specials = new Set([LIKE_ESCAPE, '%', '_', ...dialect.likeWildcards]);
  return [...value].map((ch) => (specials.has(ch) ? LIKE_ESCAPE + ch : ch)).join('');
}

export function compilePredicate(predicate: Predicate, dialect: Dialect): Fragment {
  switch (predicate.kind) {
    case 'constant':
      return predicate.value ? TRUE : FALSE;
    case 'and':
    case 'or': {
      if (predicate.items.length === 0) return predicate.kind === 'and' ? TRUE : FALSE;
      const items = predicate.items.map((item) => sql('({})', compilePredicate(item, dialect)));
      return join(items, ` ${predicate.kind} `);
    }
    case 'not':
      return sql('not ({})', compilePredicate(predicate.item, dialect));
    case 'compare':
      return compileCompare(predicate, dialect);
    case 'related': {
      const ref = valueFragment(predicate.ref, dialect);
      const to = valueFragment(predicate.to, dialect);
      const table: Fragment = { sql: '??', bindings: [predicate.table] };
      const where = predicate.where ? sql(' and ({})', compilePredicate(predicate.where, dialect)) : { sql: '', bindings: [] };
      return sql('({} is not null and {} in (select {} from {} where {} is not null{}))', ref, ref, to, table, to, where);
    }
  }
}

function compileCompare(predicate: Extract<Predicate, { kind: 'compare' }>, dialect: Dialect): Fragment {
  const ref = valueFragment(predicate.ref, dialect);
  const { op, value } = predicate;
  const isNull = sql('{} is null', ref);
  const isNotNull = sql('{} is not null', ref);
  // A computed value (a normalised address, a transform) is costly and no index serves it: where the dialect can, its
  // comparison is made two-valued with IS TRUE / IS NOT FALSE rather than by computing it again for the NULL guard.
  const once = 'column' in predicate.ref || 'expression' in predicate.ref ? undefined : dialect.truthOf;
  const whenNotNull = (comparison: Fragment) => (once ? once(comparison, 'true') : sql('({} and {})', comparison, isNotNull));
  const orNull = (comparison: Fragment) => (once ? once(comparison, 'not false') : sql('({} or {})', comparison, isNull));

  if (op === 'in') {
    if (!Array.isArray(value)) throw new InvalidQueryError(`operator "in" needs a list of values`);
    const members = value.filter((v) => v !== null);
    const parts: Fragment[] = [];
    if (members.length > 0) {
      const list = join(members.map(param), ', ');
      parts.push(whenNotNull(sql('{} in ({})', ref, list)));
    }
    if (members.length < value.length) parts.push(isNull);
    return parts.length === 0 ? FALSE : sql('({})', join(parts, ' or '));
  }
  if (Array.isArray(value)) throw new InvalidQueryError(`operator "${op}" needs a single value`);

  switch (op) {
    case 'isNull':
      if (typeof value !== 'boolean') throw new InvalidQueryError(`operator "isNull" needs true or false`);
      return value ? isNull : isNotNull;
    case 'eq':
      return value === null ? isNull : whenNotNull(sql('{} = {}', ref, param(value)));
    case 'ne':
      return value === null ? isNotNull : orNull(sql('{} <> {}', ref, param(value)));
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return value === null ? FALSE : whenNotNull(sql(`{} ${ORDERING[op]} {}`, ref, param(value)));
    case 'contains':
    case 'startsWith': {
      if (value === null) return FALSE;
      const literal = escapeLike(likeText(value), dialect);
      const pattern = op === 'contains' ? `%${literal}%` : `${literal}%`;
      return whenNotNull(dialect.caseInsensitiveLike(ref, pattern));
    }
  }
}

function likeText(value: Exclude<SourceValue, null>): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
