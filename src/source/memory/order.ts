/** OrderKey[] → a comparator over records, with recoding and nulls placed as every source places them. */
import type { OrderKey, SourceValue } from '../source.js';
import { compareForOrder, sortForm } from './compare.js';
import { readValue } from './read-value.js';
import type { RawRecord } from './scanner.js';

/** The value a key sorts by: the raw value, or the public value its code maps to (unmapped codes sort as NULL). */
function sortValue(key: OrderKey, record: RawRecord, source: string): SourceValue {
  const raw = readValue(record, key.ref, source);
  if (!key.recode || key.recode.length === 0 || raw === null) return raw;
  const entry = key.recode.find(([code]) => code === raw || String(code) === String(raw));
  return entry ? entry[1] : null;
}

/** Sorts a copy; ties keep the records' order (Array.prototype.sort is stable). */
export function sortRecords(records: readonly RawRecord[], keys: readonly OrderKey[], source: string): RawRecord[] {
  if (keys.length === 0) return [...records];
  // Each record's keys are read once, not once per comparison.
  const keyed = records.map((record) => ({ record, values: keys.map((key) => sortForm(sortValue(key, record, source))) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const order = compareForOrder(a.values[i]!, b.values[i]!, keys[i]!.direction);
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map(({ record }) => record);
}
