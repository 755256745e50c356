/**
 * A piece of SQL with its bindings, in knex's raw syntax: `??` binds an identifier
 * (quoted by the dialect) and `?` binds a value (always sent as a parameter).
 * Predicates, order keys and selections are built as fragments so that one compiler
 * serves every dialect and the query builder only ever sees whole, bound pieces.
 */
import type { ValueRef as MappedRef } from '../../config/mapping.js';

export interface Fragment {
  sql: string;
  bindings: unknown[];
}

export const TRUE: Fragment = { sql: '1 = 1', bindings: [] };
export const FALSE: Fragment = { sql: '1 = 0', bindings: [] };

/**
 * A column is bound as an identifier. An expression is SQL a liaison wrote in the
 * mapping file (trusted config, not user input), parenthesised so that it composes;
 * its `?` are escaped because knex would otherwise take them for value placeholders
 * (PostgreSQL's JSON operators use `?`).
 */
export function refFragment(ref: MappedRef): Fragment {
  if ('column' in ref) return { sql: '??', bindings: [ref.column] };
  return { sql: `(${ref.expression.replace(/\?/g, '\\?')})`, bindings: [] };
}

/** Fills `{}` slots of `template` with fragments, in order, concatenating their bindings. */
export function sql(template: string, ...parts: Fragment[]): Fragment {
  const pieces = template.split('{}');
  if (pieces.length !== parts.length + 1) throw new Error(`sql(): ${parts.length} parts for ${pieces.length - 1} slots`);
  let text = pieces[0] ?? '';
  const bindings: unknown[] = [];
  parts.forEach((part, i) => {
    text += part.sql + (pieces[i + 1] ?? '');
    bindings.push(...part.bindings);
  });
  return { sql: text, bindings };
}

/** A bound value. */
export function param(value: unknown): Fragment {
  return { sql: '?', bindings: [value] };
}

export function join(parts: Fragment[], separator: string): Fragment {
  return { sql: parts.map((p) => p.sql).join(separator), bindings: parts.flatMap((p) => p.bindings) };
}
