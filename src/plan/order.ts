/**
 * `orderBy` enum values (e.g. `REQUESTED_AT_DESC`) → source order keys. The dataset's key
 * always ends the order, so that pages are stable and never skip or repeat a row.
 */
import type { OrderKey } from '../source/source.js';
import type { ScalarBinding, ServedDataset } from './served-dataset.js';

export interface OrderChoice {
  field: ScalarBinding;
  direction: 'asc' | 'desc';
}

/** `requestedAt` → `REQUESTED_AT`; `location.latitude` → `LOCATION_LATITUDE`. */
export function orderEnumStem(path: string): string {
  return path.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every enum value a dataset offers, for the fields a role may sort by. */
export function orderChoices(fields: Iterable<ScalarBinding>): Map<string, OrderChoice> {
  const choices = new Map<string, OrderChoice>();
  for (const field of fields) {
    const stem = orderEnumStem(field.path);
    choices.set(`${stem}_ASC`, { field, direction: 'asc' });
    choices.set(`${stem}_DESC`, { field, direction: 'desc' });
  }
  return choices;
}

export function planOrder(dataset: ServedDataset, chosen: readonly OrderChoice[]): OrderKey[] {
  const keys = chosen.map(({ field, direction }): OrderKey => {
    const { codes } = field.mapping;
    const { ref } = field;
    return codes ? { ref, direction, recode: codes } : { ref, direction };
  });
  if (!chosen.some(({ field }) => field === dataset.key)) keys.push({ ref: dataset.key.ref, direction: 'asc' });
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
