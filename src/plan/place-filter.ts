/**
 * Conditions on a position read through its place (src/privacy/place-points.ts). Every row at
 * one hundred block serves that block's point, so a condition on the served position holds for
 * whole blocks: the gateway evaluates it, with the memory engine's own logic, on each block's
 * point, and the source selects the rows of the blocks it holds for (`block IN (…)`), computing
 * the block as the role reads it in `address`. No coordinate of a row takes part, and the
 * answer is, by construction, the one filtering the served rows would give.
 */
import { matches } from '../source/memory/evaluate.js';
import type { ComparisonOp, Predicate, SourceValue, ValueRef } from '../source/source.js';
import type { ComparedValue } from './served-dataset.js';
import { boxCondition, withinCondition } from './served-filter.js';
import { badRequest } from './bad-request.js';

const FALSE: Predicate = { kind: 'constant', value: false };
const TRUE: Predicate = { kind: 'constant', value: true };
/** The served point's coordinates, as a record the memory engine reads. */
const POINT = { latitude: { column: 'latitude' }, longitude: { column: 'longitude' } } satisfies Record<string, ValueRef>;

type Conditions = Record<string, unknown>;

export function placeCondition(values: readonly ComparedValue[], conditions: Conditions, argument: string): Predicate {
  const { binding } = values[0]!.place!;
  const byAxis = new Map(values.map((value) => [value.place!.axis, value]));
  const position = { latitude: { ...byAxis.get('latitude')!, ref: POINT.latitude }, longitude: { ...byAxis.get('longitude')!, ref: POINT.longitude } };
  const items = Object.entries(conditions).flatMap(([key, operand]): Predicate[] => {
    if (operand === null || operand === undefined) return [];
    const at = `${argument}.${key}`;
    if (key === 'within') return [withinCondition(position, operand as never, at)];
    if (key === 'box') return [boxCondition(position, operand as never, at)];
    if (key !== 'latitude' && key !== 'longitude') throw badRequest(at, 'no such field');
    return Object.entries(operand as Conditions).flatMap(([op, value]) => (value === null || value === undefined ? [] : [axisCondition(POINT[key], op as ComparisonOp, value, `${at}.${op}`)]));
  });
  const onPoint: Predicate = items.length === 1 ? items[0]! : { kind: 'and', items };

  const all = binding.places.all;
  const holding = [...all].filter(([, point]) => matches(onPoint, { ...point }, 'places')).map(([block]) => block);
  const onBlocks: Predicate = holding.length === 0 ? FALSE : { kind: 'compare', ref: binding.block, op: 'in', value: holding };
  // Rows without a point (no block, or a block without a position) serve null, which some conditions hold for (`isNull`).
  if (!matches(onPoint, { latitude: null, longitude: null }, 'places')) return onBlocks;
  const unplaced: Predicate =
    all.size === 0
      ? TRUE
      : { kind: 'or', items: [{ kind: 'compare', ref: binding.block, op: 'isNull', value: true }, { kind: 'not', item: { kind: 'compare', ref: binding.block, op: 'in', value: [...all.keys()] } }] };
  return onBlocks === FALSE ? unplaced : { kind: 'or', items: [onBlocks, unplaced] };
}

function axisCondition(ref: ValueRef, op: ComparisonOp, operand: unknown, argument: string): Predicate {
  switch (op) {
    case 'isNull':
      return { kind: 'compare', ref, op, value: operand as boolean };
    case 'eq':
    case 'in': {
      const values = (op === 'in' ? (operand as SourceValue[]) : [operand as SourceValue]);
      return values.length === 0 ? FALSE : { kind: 'compare', ref, op: 'in', value: values };
    }
    case 'ne':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { kind: 'compare', ref, op, value: operand as SourceValue };
    default:
      throw badRequest(argument, `${op} is not available on a coordinate`);
  }
}
