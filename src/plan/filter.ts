/**
 * A `filter` argument → a source-neutral predicate over source values: raw values where the
 * role reads them raw, and where it reads a field only through a transform, the transform as
 * the source computes it (./served-filter.ts).
 * Every condition is pushed into the source's query; a coded field's condition is first
 * evaluated over the code map (a handful of entries) and becomes a set of raw codes.
 */
import { normalizeAddressFragment } from '../source/address.js';
import type { ComparisonOp, Predicate, SourceValue } from '../source/source.js';
import { badRequest } from './bad-request.js';
import { comparedValues, type ComparedValue, type FieldBinding, type ScalarBinding, type ServedDataset } from './served-dataset.js';
import { placeCondition } from './place-filter.js';
import { boxCondition, servedCondition, withinCondition } from './served-filter.js';
import { toSourceValues } from './to-source-value.js';

type Operand = unknown;
export type FilterInput = { [key: string]: Operand };

const TRUE: Predicate = { kind: 'constant', value: true };
const FALSE: Predicate = { kind: 'constant', value: false };

export function planFilter(dataset: ServedDataset, filter: FilterInput | null | undefined, argument = 'filter'): Predicate | undefined {
  if (!filter) return undefined;
  return conjunction(filterPredicates(dataset.fields, filter, argument));
}

function filterPredicates(fields: ReadonlyMap<string, FieldBinding>, filter: FilterInput, argument: string): Predicate[] {
  const predicates: Predicate[] = [];
  for (const [key, operand] of Object.entries(filter)) {
    if (operand === null || operand === undefined) continue;
    const at = `${argument}.${key}`;
    if (key === 'and' || key === 'or') {
      const items = (operand as FilterInput[]).map((item, index) => conjunction(filterPredicates(fields, item, `${at}[${index}]`)));
      predicates.push(key === 'and' ? conjunction(items) : disjunction(items));
    } else if (key === 'not') {
      predicates.push({ kind: 'not', item: conjunction(filterPredicates(fields, operand as FilterInput, at)) });
    } else {
      const field = fields.get(key);
      // The schema offers no filter on a value the role cannot compare; refusing here too keeps that true for any caller of the planner.
      const values = field ? comparedValues(field) : [];
      if (!field || values.length === 0) throw badRequest(at, 'no such field');
      if (values[0]!.place) predicates.push(placeCondition(values, operand as FilterInput, at));
      else if (field.kind === 'object') predicates.push(...objectPredicates(values, operand as FilterInput, at));
      else predicates.push(...fieldPredicates(values[0]!, operand as FilterInput, at));
    }
  }
  return predicates;
}

/** Conditions on an object's sub-fields, and on a position's distance (`within`) or box. */
function objectPredicates(values: ComparedValue[], conditions: FilterInput, argument: string): Predicate[] {
  const byName = new Map(values.map((value) => [value.field.path.slice(value.field.path.indexOf('.') + 1), value]));
  const latitude = byName.get('latitude');
  const longitude = byName.get('longitude');
  return Object.entries(conditions).flatMap(([key, operand]): Predicate[] => {
    if (operand === null || operand === undefined) return [];
    const at = `${argument}.${key}`;
    if ((key === 'within' || key === 'box') && latitude && longitude) {
      const position = { latitude, longitude };
      return [key === 'within' ? withinCondition(position, operand as never, at) : boxCondition(position, operand as never, at)];
    }
    const value = byName.get(key);
    if (!value) throw badRequest(at, 'no such field');
    return fieldPredicates(value, operand as FilterInput, at);
  });
}

function fieldPredicates(value: ComparedValue, conditions: FilterInput, argument: string): Predicate[] {
  return Object.entries(conditions)
    .filter(([, operand]) => operand !== null && operand !== undefined)
    .map(([op, operand]) => {
      const at = `${argument}.${op}`;
      return value.served ? servedCondition({ ...value, served: value.served }, op as ComparisonOp, operand, at) : condition(value.field, op as ComparisonOp, operand, at);
    });
}

function condition(field: ScalarBinding, op: ComparisonOp, operand: Operand, argument: string): Predicate {
  const ref = field.ref;
  if (op === 'isNull') return { kind: 'compare', ref, op, value: operand as boolean };
  if (field.mapping.codes) return codedCondition(field, op, operand);
  if (field.keyFormat && op !== 'eq' && op !== 'ne' && op !== 'in') {
    throw badRequest(argument, `only eq, ne, in and isNull are available on ${field.path}, a key the source spells differently`);
  }
  switch (op) {
    case 'eq':
    case 'in': {
      const values = (op === 'in' ? (operand as unknown[]) : [operand]).flatMap((value) => toSourceValues(field, value));
      return values.length === 0 ? FALSE : { kind: 'compare', ref, op: 'in', value: values };
    }
    case 'ne': {
      const [value] = toSourceValues(field, operand);
      return value === undefined ? TRUE : { kind: 'compare', ref, op, value };
    }
    case 'contains':
    case 'startsWith':
      if (field.columnType !== undefined && field.columnType !== 'text') {
        throw badRequest(argument, `text matching is not available on ${field.path}, which its source stores as ${field.columnType}`);
      }
      return { kind: 'compare', ref, op, value: field.mapping.normalize === 'address' ? normalizeAddressFragment(operand as string) : (operand as string) };
    default: {
      const [value] = toSourceValues(field, operand);
      return value === undefined ? FALSE : { kind: 'compare', ref, op, value };
    }
  }
}

/** Evaluates the condition on each public value of the code map and keeps the raw codes that pass. */
function codedCondition(field: ScalarBinding, op: ComparisonOp, operand: Operand): Predicate {
  const codes = field.mapping.codes!;
  const ref = field.ref;
  if (op === 'ne') {
    const excluded = codes.filter(([, value]) => value === operand).map(([raw]) => raw);
    return conjunction(excluded.map((raw) => ({ kind: 'compare', ref, op: 'ne', value: raw })));
  }
  const raws = codes.filter(([, value]) => holds(op, value, operand)).map(([raw]) => raw as SourceValue);
  return raws.length === 0 ? FALSE : { kind: 'compare', ref, op: 'in', value: raws };
}

function holds(op: ComparisonOp, value: string | number | boolean, operand: Operand): boolean {
  switch (op) {
    case 'eq':
      return value === operand;
    case 'in':
      return (operand as unknown[]).includes(value);
    case 'lt':
      return value < (operand as typeof value);
    case 'lte':
      return value <= (operand as typeof value);
    case 'gt':
      return value > (operand as typeof value);
    case 'gte':
      return value >= (operand as typeof value);
    case 'contains':
      return String(value).toLowerCase().includes(String(operand).toLowerCase());
    case 'startsWith':
      return String(value).toLowerCase().startsWith(String(operand).toLowerCase());
    default:
      throw new Error(`operator ${op} is handled before code maps`);
  }
}

function conjunction(items: Predicate[]): Predicate {
  if (items.some((item) => item.kind === 'constant' && !item.value)) return FALSE;
  const rest = items.filter((item) => item.kind !== 'constant');
  if (rest.length === 0) return TRUE;
  return rest.length === 1 ? rest[0]! : { kind: 'and', items: rest };
}

function disjunction(items: Predicate[]): Predicate {
  if (items.some((item) => item.kind === 'constant' && item.value)) return TRUE;
  const rest = items.filter((item) => item.kind !== 'constant');
  if (rest.length === 0) return FALSE;
  return rest.length === 1 ? rest[0]! : { kind: 'or', items: rest };
}
