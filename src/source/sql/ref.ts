/**
 * ValueRef → SQL: a mapped column or expression (see fragment.ts), or a value the source
 * computes from it — a canonical spelling, a privacy transform, a distance — with the same
 * steps the gateway takes in JavaScript, so that both sides give the same value.
 */
import { type NumberEngine, roundSteps, snapSteps, squaredDistanceSteps } from '../../privacy/coordinates.js';
import { compileSteps, HUNDRED_BLOCK, type TextEngine, WHITE_SPACE } from '../../privacy/hundred-block.js';
import { ADDRESS_STEPS } from '../address.js';
import type { TransformRef, ValueRef } from '../source.js';
import type { Dialect } from './dialects/index.js';
import { type Fragment, join, param, refFragment, sql } from './fragment.js';

/**
 * A mapping's refs live as long as the view that holds them and a query reads the same ones again
 * and again: each is compiled once per dialect. Fragments are never changed once built.
 */
const compiledRefs = new WeakMap<ValueRef, Map<Dialect, Fragment>>();

export function valueFragment(ref: ValueRef, dialect: Dialect): Fragment {
  let byDialect = compiledRefs.get(ref);
  if (!byDialect) compiledRefs.set(ref, (byDialect = new Map()));
  let fragment = byDialect.get(dialect);
  if (!fragment) byDialect.set(dialect, (fragment = compiled(ref, dialect)));
  return fragment;
}

function compiled(ref: ValueRef, dialect: Dialect): Fragment {
  if ('normalize' in ref) return normalizedAddress(compiled(ref.of, dialect), dialect);
  if ('transform' in ref) return transformed(ref, dialect);
  if ('squaredDistance' in ref) {
    const { latitude, longitude } = ref.squaredDistance;
    const coordinate = (of: ValueRef) => dialect.toDouble(compiled(of, dialect));
    return squaredDistanceSteps(sqlNumbers(dialect), coordinate(latitude), coordinate(longitude), ref.squaredDistance);
  }
  return refFragment(ref);
}

/**
 * `normalizeAddress` (../address.ts) in SQL: UPPER(' ' || text || ' '), each step as a nested
 * REPLACE, then TRIM. The value is cast to text first so that a number (a house number column)
 * is spelled as the database prints it; NULL stays NULL. REPLACE replaces non-overlapping
 * occurrences from left to right, exactly as split/join does in JavaScript. The steps' constants
 * are written into the statement, not bound: they are the gateway's own, and bound they would be
 * 88 parameters sent with every statement that reads an address (counting against SQL Server's
 * 2,100) and would keep PostgreSQL from matching the expression to an index on it.
 */
function normalizedAddress(value: Fragment, dialect: Dialect): Fragment {
  let text = sql('upper({})', dialect.padWithSpaces(dialect.toText(value)));
  for (const [from, to] of ADDRESS_STEPS) text = sql('replace({}, {}, {})', text, literal(from, dialect), literal(to, dialect));
  return dialect.trimSpaces(text);
}

function transformed(ref: TransformRef, dialect: Dialect): Fragment {
  const value = transformedValue(ref, dialect);
  if (!ref.whole) return value;
  const present = ref.whole.map((part) => sql('{} is not null', valueFragment(part, dialect)));
  return sql('case when {} then {} end', join(present, ' and '), value);
}

function transformedValue(ref: TransformRef, dialect: Dialect): Fragment {
  switch (ref.transform) {
    case 'hundredBlock':
      return hundredBlock(compiled(ref.of, dialect), dialect);
    case 'round':
      return roundSteps(sqlNumbers(dialect), dialect.toDouble(valueFragment(ref.of, dialect)), ref.decimals);
    case 'snap':
      return snapSteps(sqlNumbers(dialect), dialect.toDouble(valueFragment(ref.of, dialect)), ref.cell);
    case 'truncate':
      return dialect.timeBucket(valueFragment(ref.of, dialect), ref.unit);
  }
}

/**
 * The program of src/privacy/hundred-block.ts over `value`, its white space folded first. The
 * program reads the folded address six times: PostgreSQL computes it once (`computeOnce`);
 * elsewhere it is repeated, so its constants are written into the statement rather than bound,
 * which keeps a statement within SQL Server's 2,100 parameters.
 */
function hundredBlock(value: Fragment, dialect: Dialect): Fragment {
  const folded = dialect.trimSpaces(dialect.regexReplace(value, param(dialect.regex(`[${WHITE_SPACE}]+`)), literal(' ', dialect)));
  return dialect.computeOnce ? dialect.computeOnce(folded, (address) => program(address, dialect)) : program(folded, dialect);
}

function program(address: Fragment, dialect: Dialect): Fragment {
  const pattern = (text: string) => param(dialect.regex(text));
  const engine: TextEngine<Fragment> = {
    address,
    text: (text) => literal(text, dialect),
    cutStart: (of, cut) => dialect.regexReplace(of, pattern(cut), literal('', dialect)),
    cutEnd: (of, cut) => dialect.regexReplace(of, pattern(cut), literal('', dialect)),
    match: (of, wanted) => dialect.regexMatch(of, pattern(wanted)),
    concat: (parts) => dialect.concat(parts),
    orElse: (of, text) => sql(`coalesce(nullif({}, ''), {})`, of, literal(text, dialect)),
    when: (test, then, otherwise) => sql('case when {} then {} else {} end', dialect.regexTest(address, pattern(test)), then, otherwise),
  };
  return compileSteps(HUNDRED_BLOCK, engine);
}

/** A gateway constant as a SQL string literal: only letters, digits, spaces and `.,&`, which no dialect or driver reads specially. */
function literal(text: string, dialect: Dialect): Fragment {
  if (!/^[A-Za-z0-9 .,&]*$/.test(text)) throw new Error('a constant of a computed value holds characters that must be bound');
  return { sql: `${dialect.name === 'mssql' ? 'N' : ''}'${text}'`, bindings: [] };
}

/** Double-precision arithmetic in SQL; constants are bound and cast, so that no dialect reads them as exact decimals. */
function sqlNumbers(dialect: Dialect): NumberEngine<Fragment> {
  const number = (value: number) => dialect.toDouble(param(value));
  return {
    number,
    add: (a, b) => sql('({} + {})', a, b),
    subtract: (a, b) => sql('({} - {})', a, b),
    multiply: (a, b) => sql('({} * {})', a, b),
    divide: (a, b) => sql('({} / {})', a, b),
    floor: (value) => sql('floor({})', value),
    atLeastHalf: (value) => sql('case when {} >= {} then {} else {} end', value, number(0.5), number(1), number(0)),
    share: (value, use) => use(value),
  };
}
