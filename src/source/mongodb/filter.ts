/**
 * Predicate → $match document, with the SQL connector's two-valued NULL logic (see the
 * comment at the top of ../sql/predicate.ts): a missing field and null are both NULL, and
 * NULL is simply unequal to every value.
 *
 *   eq x           → { f: { $eq: x } }           NULL: false
 *   ne x           → { f: { $nin: [x] } }        NULL: true
 *   lt/lte/gt/gte  → { f: { $lt: x } }           NULL: false (MongoDB compares within a type)
 *   in [a, null]   → { f: { $in: [a, null] } }   `$in: [null]` matches missing and null
 *   isNull         → { f: { $eq: null } } / { $ne: null }
 *   contains       → { f: { $regex: <escaped>, $options: 'i' } }  only strings match
 *   not p          → { $nor: [p] }               the exact complement
 *
 * A plain column is compared in query form, so that MongoDB can use its indexes; a computed
 * value (a normalised address) in $expr form, guarded the same way. User values are only
 * ever operands ($eq, $in, $literal), never keys, so '$gt' is just text.
 */
import type { Predicate, SourceValue } from '../source.js';
import { InvalidMongoQueryError } from './errors.js';
import { type Expression, isNullExpression, isNumericRef, pathOf, refExpression } from './refs.js';
import { type BsonValue, checkValue, type FieldTypes, storedForms } from './values.js';

type Filter = Record<string, unknown>;

const MATCH_ALL: Filter = {};
const MATCH_NONE: Filter = { $expr: false };

type Compare = Extract<Predicate, { kind: 'compare' }>;
type Scalar = Exclude<SourceValue, null>;

const ORDERING = { lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte' } as const;

/** `text` as a regular expression matching itself: every character with a meaning in PCRE (and JS, for test servers) is escaped. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(/\0/g, '\\x00');
}

function likeText(value: Scalar): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

function pattern(op: 'contains' | 'startsWith', value: Scalar): string {
  return `${op === 'startsWith' ? '^' : ''}${escapeRegex(likeText(value))}`;
}

export function compileFilter(predicate: Predicate, types: FieldTypes): Filter {
  switch (predicate.kind) {
    case 'constant':
      return predicate.value ? MATCH_ALL : MATCH_NONE;
    case 'and':
      return predicate.items.length === 0 ? MATCH_ALL : { $and: predicate.items.map((item) => compileFilter(item, types)) };
    case 'or':
      return predicate.items.length === 0 ? MATCH_NONE : { $or: predicate.items.map((item) => compileFilter(item, types)) };
    case 'not':
      return { $nor: [compileFilter(predicate.item, types)] };
    case 'compare': {
      const path = pathOf(predicate.ref);
      return path === undefined ? { $expr: compareExpression(predicate) } : compareField(path, predicate, types);
    }
    case 'related':
      throw new InvalidMongoQueryError('a related-rows condition reached MongoDB; the planner sends these to SQL sources only');
  }
}

/** The operand of a comparison, checked to be what the operator needs. */
function operand(predicate: Compare): { list: Scalar[]; hasNull: boolean } | { value: SourceValue } {
  const { op, value } = predicate;
  if (op === 'in') {
    if (!Array.isArray(value)) throw new InvalidMongoQueryError('operator "in" needs a list of values');
    const checked = value.map(checkValue);
    return { list: checked.filter((v): v is Scalar => v !== null), hasNull: checked.includes(null) };
  }
  if (Array.isArray(value)) throw new InvalidMongoQueryError(`operator "${op}" needs a single value`);
  if (op === 'isNull' && typeof value !== 'boolean') throw new InvalidMongoQueryError('operator "isNull" needs true or false');
  return { value: checkValue(value) };
}

function compareField(path: string, predicate: Compare, types: FieldTypes): Filter {
  const forms = (values: Scalar[]): BsonValue[] => storedForms(values, types.stored(path), types.declared(path));
  const field = (condition: Filter): Filter => ({ [path]: condition });
  const checked = operand(predicate);
  if ('list' in checked) {
    const members: BsonValue[] = forms(checked.list);
    if (checked.hasNull) members.push(null);
    return members.length === 0 ? MATCH_NONE : field({ $in: members });
  }
  const { value } = checked;
  const { op } = predicate;
  if (op === 'isNull') return field(value ? { $eq: null } : { $ne: null });
  if (value === null) {
    if (op === 'eq') return field({ $eq: null });
    if (op === 'ne') return field({ $ne: null });
    return MATCH_NONE;
  }
  switch (op) {
    case 'eq': {
      const all = forms([value]);
      return field(all.length === 1 ? { $eq: all[0] } : { $in: all });
    }
    case 'ne':
      return field({ $nin: forms([value]) });
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      // A field stored as several types is compared with the value's spelling in each: MongoDB compares within a type only.
      const each = forms([value]).map((form) => field({ [ORDERING[op]]: form }));
      return each.length === 1 ? each[0]! : { $or: each };
    }
    case 'contains':
    case 'startsWith':
      return field({ $regex: pattern(op, value), $options: 'i' });
    default:
      throw new InvalidMongoQueryError('an unknown comparison operator');
  }
}

/** A literal in an aggregation expression: a string starting with '$' would otherwise be read as a field path. */
const literal = (value: unknown): Expression => ({ $literal: value });

/**
 * A comparison of a computed value, as an aggregation expression that is true or false
 * (never null). A computed value is a number (a rounded coordinate, a distance) or text (an
 * address, a time bucket), and the operands are compared as the same.
 */
function compareExpression(predicate: Compare): Expression {
  const text = (values: Scalar[]) => values.map((value) => (isNumericRef(predicate.ref) && typeof value === 'number' ? value : likeText(value)));
  const nullable = (condition: Expression): Expression => ({ $let: { vars: { v: refExpression(predicate.ref) }, in: condition } });
  const isNull = isNullExpression('$$v');
  const checked = operand(predicate);
  if ('list' in checked) {
    const members: Array<string | number | null> = text(checked.list);
    if (checked.hasNull) members.push(null);
    return members.length === 0 ? false : nullable({ $in: [{ $ifNull: ['$$v', null] }, literal(members)] });
  }
  const { value } = checked;
  const { op } = predicate;
  if (op === 'isNull') return nullable(value ? isNull : { $not: [isNull] });
  if (value === null) {
    if (op === 'eq') return nullable(isNull);
    if (op === 'ne') return nullable({ $not: [isNull] });
    return false;
  }
  const [operandText] = text([value]);
  const equal = { $eq: [{ $ifNull: ['$$v', null] }, literal(operandText)] };
  switch (op) {
    case 'eq':
      return nullable(equal);
    case 'ne':
      return nullable({ $not: [equal] });
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      // Aggregation comparisons order null below everything: guard it.
      return nullable({ $cond: [isNull, false, { [ORDERING[op]]: ['$$v', literal(operandText)] }] });
    case 'contains':
    case 'startsWith':
      return nullable({
        $cond: [
          { $eq: [{ $type: '$$v' }, 'string'] },
          { $regexMatch: { input: '$$v', regex: literal(pattern(op, value)), options: 'i' } },
          false,
        ],
      });
    default:
      throw new InvalidMongoQueryError('an unknown comparison operator');
  }
}
