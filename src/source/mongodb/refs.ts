/**
 * ValueRef → aggregation expression.
 *
 * A column is a dotted path into the document. In a query ($match) MongoDB reads a numeric
 * segment as an array index itself; in an aggregation expression '$a.0.b' would look for a
 * field named '0' in every element, so a numeric segment becomes $arrayElemAt there.
 */
import { ADDRESS_STEPS } from '../address.js';
import type { ValueRef } from '../source.js';
import { InvalidMongoQueryError } from './errors.js';

export type Expression = unknown;

/** The column's path, checked: a segment starting with '$' would be read as an operator, an empty one is no field. */
function columnPath(column: string): string {
  const segments = column.split('.');
  if (segments.some((s) => s.length === 0 || s.startsWith('$') || s.includes('\0'))) {
    throw new InvalidMongoQueryError('a column is not a valid dotted path into the document');
  }
  return column;
}

/** The path read by a plain column ref, or undefined for a computed value. */
export function pathOf(ref: ValueRef): string | undefined {
  return 'column' in ref ? columnPath(ref.column) : undefined;
}

function fieldExpression(column: string): Expression {
  let expression: Expression | undefined;
  let names: string[] = [];
  const flush = () => {
    if (names.length === 0) return;
    const rest = names.join('.');
    // '$$v.a.b' reads fields of a value computed so far, as '$a.b' reads the document's.
    expression = expression === undefined ? `$${rest}` : { $let: { vars: { v: expression }, in: `$$v.${rest}` } };
    names = [];
  };
  columnPath(column)
    .split('.')
    .forEach((segment, i) => {
      if (i === 0 || !/^\d+$/.test(segment)) {
        names.push(segment);
        return;
      }
      flush();
      expression = {
        $let: { vars: { v: expression }, in: { $cond: [{ $isArray: '$$v' }, { $arrayElemAt: ['$$v', Number(segment)] }, null] } },
      };
    });
  flush();
  return expression;
}

/** True for null and missing alike (an aggregation `$eq` would tell them apart). */
export function isNullExpression(expression: Expression): Expression {
  return { $eq: [{ $ifNull: [expression, null] }, null] };
}

/** The steps of normalizeAddress as one constant, applied by $reduce: nesting 44 $replaceAll would pass MongoDB's depth limit. */
const STEPS = { $literal: ADDRESS_STEPS.map(([from, to]) => [from, to]) };

/**
 * `normalizeAddress` in the pipeline: upper-case ' ' + text + ' ', replace each step's text
 * in order ($replaceAll replaces non-overlapping occurrences left to right, as split/join
 * does), trim spaces. A number is spelled with $toString; NULL stays NULL ($toUpper would
 * turn it into '').
 */
function normalizedAddress(value: Expression): Expression {
  const text = { $cond: [{ $eq: [{ $type: '$$a' }, 'string'] }, '$$a', { $toString: '$$a' }] };
  const replaced = {
    $reduce: {
      input: STEPS,
      initialValue: { $toUpper: { $concat: [' ', text, ' '] } },
      in: { $replaceAll: { input: '$$value', find: { $arrayElemAt: ['$$this', 0] }, replacement: { $arrayElemAt: ['$$this', 1] } } },
    },
  };
  return { $let: { vars: { a: value }, in: { $cond: [isNullExpression('$$a'), null, { $trim: { input: replaced, chars: ' ' } }] } } };
}

export function refExpression(ref: ValueRef): Expression {
  if ('normalize' in ref) return normalizedAddress(refExpression(ref.of));
  if ('column' in ref) return fieldExpression(ref.column);
  throw new InvalidMongoQueryError('SQL expressions cannot be evaluated by MongoDB');
}
