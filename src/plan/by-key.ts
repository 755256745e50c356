/**
 * Rows by key, batched: every look-up of one dataset with the same shape during one
 * request becomes a single `findByKeys` query (DataLoader, one loader per request).
 */
import DataLoader from 'dataloader';
import { KEY_ALIAS, RowShape } from './row-shape.js';
import { joinLoader, type JoinArgs, type PublicObject } from './join.js';
import type { JoinBinding, ServedDataset } from './served-dataset.js';
import { toSourceValues } from './to-source-value.js';
import type { Source, SourceValue } from '../source/source.js';
import type { RequestBudget } from './budget.js';
import { RequestMemo } from './request-memo.js';

/** Per-request loaders; a new one for every request so nothing is cached across callers. */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();
  /** What the request's row rules looked up, shared by all its queries, and its budget. */
  readonly memo: RequestMemo;

  constructor(budget?: RequestBudget) {
    this.memo = new RequestMemo(budget);
  }

  byKey(dataset: ServedDataset, fields: readonly string[]): DataLoader<string, PublicObject | null> {
    const shape = RowShape.of(dataset, fields);
    return this.shared(`key|${dataset.type.name}|${shape.signature}`, () => new DataLoader((keys) => loadByKeys(dataset.sourceFor(this.memo), dataset, shape, keys)));
  }

  /** `argsKey` is the same text for the same arguments: only look-ups that can share a query are batched. */
  join(owner: ServedDataset, join: JoinBinding, args: JoinArgs, argsKey: string, fields: readonly string[]): DataLoader<string, PublicObject[]> {
    const shape = RowShape.of(join.target, fields);
    return this.shared(`join|${owner.type.name}.${join.mapping.name}|${argsKey}|${shape.signature}`, () => joinLoader(join, args, shape, this.memo));
  }

  /** One loader per distinct query shape, so that only look-ups that can share a query are batched together. */
  private shared<V>(id: string, create: () => DataLoader<string, V>): DataLoader<string, V> {
    let loader = this.loaders.get(id) as DataLoader<string, V> | undefined;
    if (!loader) {
      loader = create();
      this.loaders.set(id, loader as DataLoader<string, unknown>);
    }
    return loader;
  }
}

async function loadByKeys(source: Source, dataset: ServedDataset, shape: RowShape, keys: readonly string[]): Promise<Array<PublicObject | null>> {
  const sourceKeys: SourceValue[] = keys.flatMap((key) => toSourceValues(dataset.key, key));
  const found = new Map<string, PublicObject>();
  if (sourceKeys.length > 0) {
    const rows = await source.findByKeys({
      table: dataset.mapping.table,
      select: shape.selection,
      key: dataset.key.ref,
      keyAlias: KEY_ALIAS,
      keys: sourceKeys,
    });
    for (const row of rows) found.set(String(row[KEY_ALIAS]), shape.toObject(row));
  }
  return keys.map((key) => found.get(key) ?? null);
}
