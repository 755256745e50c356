/**
 * Rows by key, batched: every look-up of one dataset with the same shape during one
 * request becomes a single `findByKeys` query (DataLoader, one loader per request).
 */
import DataLoader from 'dataloader';
import { KEY_ALIAS, RowShape } from './row-shape.js';
import type { ServedDataset } from './served-dataset.js';
import { toSourceValues } from './to-source-value.js';
import type { SourceValue } from '../source/source.js';

export type PublicObject = Record<string, unknown>;

/** Per-request loaders; a new one for every request so nothing is cached across callers. */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<string, PublicObject | null>>();

  byKey(dataset: ServedDataset, fields: readonly string[]): DataLoader<string, PublicObject | null> {
    const shape = new RowShape(dataset, fields);
    const id = `${dataset.type.name}|${shape.signature}`;
    let loader = this.loaders.get(id);
    if (!loader) {
      loader = new DataLoader((keys) => loadByKeys(dataset, shape, keys));
      this.loaders.set(id, loader);
    }
    return loader;
  }
}

async function loadByKeys(dataset: ServedDataset, shape: RowShape, keys: readonly string[]): Promise<Array<PublicObject | null>> {
  const sourceKeys: SourceValue[] = keys.flatMap((key) => toSourceValues(dataset.key, key));
  const found = new Map<string, PublicObject>();
  if (sourceKeys.length > 0) {
    const rows = await dataset.source.findByKeys({
      table: dataset.mapping.table,
      select: shape.selection,
      key: dataset.key.mapping.ref,
      keyAlias: KEY_ALIAS,
      keys: sourceKeys,
    });
    for (const row of rows) found.set(String(row[KEY_ALIAS]), shape.toObject(row));
  }
  return keys.map((key) => found.get(key) ?? null);
}
