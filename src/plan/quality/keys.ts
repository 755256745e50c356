/**
 * The dataset's key: rows without one, and keys that repeat (a by-id look-up or a join then
 * finds several rows where the API promises one). Counted by the source from the key's count
 * and distinct count; the most repeated keys are its top groups.
 */
import { readsRaw } from '../served-dataset.js';
import { countOf, notNull, publicValue, QUALITY_LIST_LIMIT, type Measure } from './context.js';
import type { FieldQuality, KeyQuality } from './profile-types.js';

export async function measureKey(measure: Measure, rows: number, fields: readonly FieldQuality[]): Promise<KeyQuality | null> {
  const { view } = measure;
  const binding = view.fields.get(view.mapping.keyField);
  const figures = fields.find((quality) => quality.field === view.key.path);
  // A key read transformed (a pseudonym) is not the key the role can look rows up by.
  if (!binding || !readsRaw(binding) || !figures || figures.nulls === null || figures.distinct === null) return null;
  const duplicateRows = rows - figures.nulls - figures.distinct;
  const repeated =
    duplicateRows === 0
      ? []
      : (
          await measure.source.aggregate({
            table: view.mapping.table,
            where: notNull(view.key.ref),
            groupBy: { key: { ref: view.key.ref } },
            aggregates: { n: { fn: 'count' } },
            orderBy: [{ alias: 'n', direction: 'desc' }, { alias: 'key', direction: 'asc' }],
            limit: QUALITY_LIST_LIMIT,
          })
        )
          .filter((row) => countOf(row.n) > 1)
          .map((row) => ({ key: publicValue(view.key, row.key ?? null, view.connector.name), rows: countOf(row.n) }));
  return { field: view.key.path, nulls: figures.nulls, duplicateRows, repeated };
}
