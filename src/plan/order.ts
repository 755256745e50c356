/**
 * `orderBy` enum values (e.g. `REQUESTED_AT_DESC`) → source order keys. The dataset's key
 * always ends the order, so that pages are stable and never skip or repeat a row.
 */
import type { OrderKey } from '../source/source.js';
import { badRequest } from './bad-request.js';
import { comparedValue, type ComparedValue, type ScalarBinding, type ServedDataset } from './served-dataset.js';

export interface OrderChoice {
  field: ScalarBinding;
  direction: 'asc' | 'desc';
}

/** `requestedAt` → `REQUESTED_AT`; `location.latitude` → `LOCATION_LATITUDE`. */
export function orderEnumStem(path: string): string {
  return path.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every enum value a dataset offers, for the values a role may sort by. */
export function orderChoices(values: Iterable<ComparedValue>): Map<string, OrderChoice> {
  const choices = new Map<string, OrderChoice>();
  for (const value of values) {
    const stem = orderEnumStem(value.field.path);
    choices.set(`${stem}_ASC`, { field: value.field, direction: 'asc' });
    choices.set(`${stem}_DESC`, { field: value.field, direction: 'desc' });
  }
  return choices;
}

/**
 * A value read transformed sorts by its transform, then by the key like every order: rows that
 * read alike (one hundred block, one rounded position) keep the key's order, which tells
 * nothing of their raw values.
 */
export function planOrder(dataset: ServedDataset, chosen: readonly OrderChoice[]): OrderKey[] {
  const values = chosen.map(({ field, direction }) => {
    const value = comparedValue(dataset, field.path);
    if (!value) throw badRequest('orderBy', `${field.path} cannot be sorted on`);
    return { value, direction };
  });
  const keys = values.flatMap(({ value, direction }): OrderKey[] => {
    if (value.place) {
      // A position read through its place sorts by its block's point: each block recoded to its coordinate.
      const recode = [...value.place.binding.places.all].map(([block, point]) => [block, point[value.place!.axis]] as const);
      // No place has a point: every row reads null, and the key alone orders them (an empty recode would order by the block).
      return recode.length === 0 ? [] : [{ ref: value.ref, direction, recode }];
    }
    const { codes } = value.field.mapping;
    return [codes && !value.served ? { ref: value.ref, direction, recode: codes } : { ref: value.ref, direction }];
  });
  if (!values.some(({ value }) => value.field.path === dataset.key.path && !value.served)) keys.push({ ref: dataset.key.ref, direction: 'asc' });
  return keys;
}

/**
 * The exact reverse of an order: every key's direction flipped. Empty values sort last
 * ascending and first descending on every kind of source, and the key ends every order, so
 * this reverses the rows one by one: how a backward page reads from the end.
 */
export function reverseOrder(keys: readonly OrderKey[]): OrderKey[] {
  return keys.map((key) => ({ ...key, direction: key.direction === 'asc' ? 'desc' : 'asc' }));
}
