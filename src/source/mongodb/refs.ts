/**
 * ValueRef → aggregation expression.
 *
 * A column is a dotted path into the document. In a query ($match) MongoDB reads a numeric
 * segment as an array index itself; in an aggregation expression '$a.0.b' would look for a
 * field named '0' in every element, so a numeric segment becomes $arrayElemAt there.
 */
import { type NumberEngine, roundSteps, snapSteps, squaredDistanceSteps } from '../../privacy/coordinates.js';
import { compileSteps, HUNDRED_BLOCK, type TextEngine, WHITE_SPACE } from '../../privacy/hundred-block.js';
import { ADDRESS_STEPS } from '../address.js';
import type { TimeBucket, TransformRef, ValueRef } from '../source.js';
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
  if ('transform' in ref) return transformed(ref);
  if ('squaredDistance' in ref) {
    const { latitude, longitude } = ref.squaredDistance;
    return squaredDistanceSteps(numbers(), { $toDouble: refExpression(latitude) }, { $toDouble: refExpression(longitude) }, ref.squaredDistance);
  }
  if ('column' in ref) return fieldExpression(ref.column);
  throw new InvalidMongoQueryError('SQL expressions cannot be evaluated by MongoDB');
}

/** Whether a computed value is a number (compared as one) rather than text. */
export function isNumericRef(ref: ValueRef): boolean {
  return 'squaredDistance' in ref || ('transform' in ref && (ref.transform === 'round' || ref.transform === 'snap'));
}

function transformed(ref: TransformRef): Expression {
  const value = transformedValue(ref);
  if (!ref.whole) return value;
  return { $cond: [{ $and: ref.whole.map((part) => ({ $not: [isNullExpression(refExpression(part))] })) }, value, null] };
}

function transformedValue(ref: TransformRef): Expression {
  switch (ref.transform) {
    case 'hundredBlock':
      return hundredBlock(refExpression(ref.of));
    case 'round':
      return roundSteps(numbers(), { $toDouble: refExpression(ref.of) }, ref.decimals);
    case 'snap':
      return snapSteps(numbers(), { $toDouble: refExpression(ref.of) }, ref.cell);
    case 'truncate':
      return bucketExpression(refExpression(ref.of), ref.unit);
  }
}

/** A value bound to a name for `use`, and the text or null of a regular-expression match. */
const bind = (vars: Record<string, Expression>, use: Expression): Expression => ({ $let: { vars, in: use } });
const lengthOf = (text: Expression): Expression => ({ $strLenCP: text });

/**
 * The program of src/privacy/hundred-block.ts as one expression: the folded address is named
 * once ($let), a match is $regexFind's, and cutting one off keeps the code points before or
 * after it ($substrCP counts code points, as $strLenCP does).
 */
function hundredBlock(value: Expression): Expression {
  const words = { $regexFindAll: { input: '$$t', regex: `[^${WHITE_SPACE}]+` } };
  const folded = { $reduce: { input: words, initialValue: null, in: { $cond: [{ $eq: ['$$value', null] }, '$$this.match', { $concat: ['$$value', ' ', '$$this.match'] }] } } };
  const found = (of: Expression, pattern: string, use: Expression): Expression => bind({ x: of }, bind({ m: { $regexFind: { input: '$$x', regex: pattern } } }, use));
  const cut = (of: Expression, pattern: string, rest: Expression): Expression => found(of, pattern, { $cond: [isNullExpression('$$m'), '$$x', rest] });
  const engine: TextEngine<Expression> = {
    address: '$$address',
    text: (text) => ({ $literal: text }),
    cutStart: (of, pattern) => cut(of, pattern, { $substrCP: ['$$x', lengthOf('$$m.match'), lengthOf('$$x')] }),
    cutEnd: (of, pattern) => cut(of, pattern, { $substrCP: ['$$x', 0, { $subtract: [lengthOf('$$x'), lengthOf('$$m.match')] }] }),
    match: (of, pattern) => found(of, pattern, { $cond: [{ $or: [isNullExpression('$$m'), { $eq: ['$$m.match', ''] }] }, null, '$$m.match'] }),
    concat: (parts) => ({ $concat: parts }),
    orElse: (of, text) => bind({ x: of }, { $cond: [{ $eq: ['$$x', ''] }, text, '$$x'] }),
    when: (pattern, then, otherwise) => ({ $cond: [{ $regexMatch: { input: '$$address', regex: pattern } }, then, otherwise] }),
  };
  // An empty or all-space address folds to '' (the $reduce starts from null for no word).
  const address = bind({ t: value }, { $cond: [isNullExpression('$$t'), null, { $ifNull: [folded, ''] }] });
  return bind({ address }, { $cond: [isNullExpression('$$address'), null, compileSteps(HUNDRED_BLOCK, engine)] });
}

/** Double arithmetic in the pipeline; a value used twice is named once. */
function numbers(): NumberEngine<Expression> {
  let names = 0;
  return {
    number: (value) => ({ $literal: value }),
    add: (a, b) => ({ $add: [a, b] }),
    subtract: (a, b) => ({ $subtract: [a, b] }),
    multiply: (a, b) => ({ $multiply: [a, b] }),
    divide: (a, b) => ({ $divide: [a, b] }),
    floor: (value) => ({ $floor: value }),
    atLeastHalf: (value) => ({ $cond: [{ $gte: [value, 0.5] }, 1, 0] }),
    share: (value, use) => {
      const name = `n${names++}`;
      return bind({ [name]: value }, use(`$$${name}`));
    },
  };
}

const DAY_MS = 86_400_000;
const BUCKET_FORMATS: Record<TimeBucket, string> = { day: '%Y-%m-%d', week: '%Y-%m-%d', month: '%Y-%m-01', year: '%Y-01-01' };

/**
 * The 'YYYY-MM-DD' that starts the value's day, ISO week (Monday), month or year. A BSON
 * Date is bucketed on its UTC fields (an instant in UTC; a wall-clock value stored as UTC
 * on its own fields); an ISO string on its date part.
 */
export function bucketExpression(value: Expression, bucket: TimeBucket): Expression {
  const asDate = {
    $switch: {
      branches: [
        { case: { $eq: [{ $type: '$$b' }, 'date'] }, then: '$$b' },
        {
          case: { $eq: [{ $type: '$$b' }, 'string'] },
          then: { $dateFromString: { dateString: { $substrCP: ['$$b', 0, 10] }, format: '%Y-%m-%d', onError: null, onNull: null } },
        },
      ],
      default: null,
    },
  };
  const start = bucket === 'week' ? { $subtract: ['$$d', { $multiply: [{ $subtract: [{ $isoDayOfWeek: '$$d' }, 1] }, DAY_MS] }] } : '$$d';
  const formatted = { $cond: [isNullExpression('$$d'), null, { $dateToString: { format: BUCKET_FORMATS[bucket], date: start } }] };
  return { $let: { vars: { b: value }, in: { $let: { vars: { d: asDate }, in: formatted } } } };
}
