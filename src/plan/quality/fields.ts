/**
 * Per field: nulls, distinct values, least and greatest value — all fields in one grouped
 * aggregate without groups, so one statement answers the whole table. A field the role reads
 * through a transform is measured on what its source computes of the transform (the value
 * the role reads), or not at all.
 */
import type { Aggregate } from '../../source/source.js';
import { comparedValues, readsRaw, type FieldBinding, type ScalarBinding } from '../served-dataset.js';
import { countOf, publicValue, type Measure } from './context.js';
import type { FieldQuality } from './profile-types.js';

interface Measured {
  field: ScalarBinding;
  read: FieldQuality['read'];
  aggregate: { count: Aggregate; distinct: Aggregate; min?: Aggregate; max?: Aggregate } | undefined;
}

function measured(binding: FieldBinding): Measured[] {
  const scalars = binding.kind === 'scalar' ? [binding.scalar] : [...binding.fields.values()];
  if (readsRaw(binding)) {
    return scalars.map((field) => {
      const { ref } = field;
      // A coded field's extremes would be raw codes, which the profile lists with their labels instead.
      const ordered = !field.mapping.codes;
      return {
        field,
        read: 'raw',
        aggregate: {
          count: { fn: 'count', ref },
          distinct: { fn: 'countDistinct', ref },
          ...(ordered ? { min: { fn: 'min', ref }, max: { fn: 'max', ref } } : {}),
        },
      };
    });
  }
  const served = new Map(comparedValues(binding).map((value) => [value.field.path, value.ref]));
  return scalars.map((field) => {
    const ref = served.get(field.path);
    if (!ref) return { field, read: 'withheld', aggregate: undefined };
    return { field, read: 'served', aggregate: { count: { fn: 'count', ref }, distinct: { fn: 'countDistinct', ref } } };
  });
}

/** The dataset's row count and each field's figures, in the view's field order. */
export async function measureFields(measure: Measure): Promise<{ rows: number; fields: FieldQuality[] }> {
  const { view, source } = measure;
  const values = [...view.fields.values()].flatMap(measured);
  const aggregates: Record<string, Aggregate> = { n: { fn: 'count' } };
  values.forEach(({ aggregate }, i) => {
    if (!aggregate) return;
    aggregates[`c${i}`] = aggregate.count;
    aggregates[`d${i}`] = aggregate.distinct;
    if (aggregate.min) aggregates[`lo${i}`] = aggregate.min;
    if (aggregate.max) aggregates[`hi${i}`] = aggregate.max;
  });
  const [totals = {}] = await source.aggregate({ table: view.mapping.table, groupBy: {}, aggregates });
  const rows = countOf(totals.n);
  const name = view.connector.name;
  const fields = values.map(({ field, read, aggregate }, i): FieldQuality => {
    const base = { field: field.path, type: field.type.name, read };
    if (!aggregate) return { ...base, nulls: null, nullShare: null, distinct: null, min: null, max: null };
    const nulls = rows - countOf(totals[`c${i}`]);
    return {
      ...base,
      nulls,
      nullShare: rows === 0 ? null : nulls / rows,
      distinct: countOf(totals[`d${i}`]),
      min: aggregate.min ? publicValue(field, totals[`lo${i}`] ?? null, name) : null,
      max: aggregate.max ? publicValue(field, totals[`hi${i}`] ?? null, name) : null,
    };
  });
  return { rows, fields };
}
