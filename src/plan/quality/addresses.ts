/**
 * Street addresses that do not normalise: values the hundred-block program
 * (src/privacy/hundred-block.ts) cannot read as a house number and a street, so the public
 * reads null where the department has an address, and `address(line:)` cannot find the row.
 * The source computes the program itself, as it does for the public's filters.
 */
import type { TransformRef } from '../../source/source.js';
import { readsRaw, type ScalarBinding } from '../served-dataset.js';
import { all, countOf, isNull, notNull, QUALITY_LIST_LIMIT, type Measure } from './context.js';
import type { AddressQuality } from './profile-types.js';

/** Fields the role reads raw that the mapping normalises as street addresses. */
function addressFields(measure: Measure): ScalarBinding[] {
  return [...measure.view.fields.values()].flatMap((binding) => (binding.kind === 'scalar' && readsRaw(binding) && binding.scalar.mapping.normalize === 'address' ? [binding.scalar] : []));
}

export async function measureAddresses(measure: Measure): Promise<AddressQuality[]> {
  const { table } = measure.view.mapping;
  const out: AddressQuality[] = [];
  for (const field of addressFields(measure)) {
    const block: TransformRef = { transform: 'hundredBlock', of: field.ref };
    const [totals = {}] = await measure.source.aggregate({
      table,
      groupBy: {},
      aggregates: { values: { fn: 'count', ref: field.ref }, blocks: { fn: 'count', ref: block } },
    });
    const values = countOf(totals.values);
    const notNormalised = values - countOf(totals.blocks);
    const examples =
      notNormalised === 0
        ? []
        : await measure.source.aggregate({
            table,
            // The stored spelling, which is what the department would correct.
            where: all(notNull(field.ref), isNull(block)),
            groupBy: { address: { ref: field.mapping.ref } },
            aggregates: { n: { fn: 'count' } },
            orderBy: [{ alias: 'n', direction: 'desc' }, { alias: 'address', direction: 'asc' }],
            limit: QUALITY_LIST_LIMIT,
          });
    out.push({ field: field.path, values, notNormalised, examples: examples.map((row) => ({ address: String(row.address), rows: countOf(row.n) })) });
  }
  return out;
}
