/**
 * Pipeline results → Rows: each value read as the SourceValue its ref's declared type
 * asks for (see ./values.ts).
 */
import type { AggregateQuery, DeclaredType, Row, Selection, ValueRef } from '../source.js';
import { aggregateField, groupField, nonNullField } from './pipeline.js';
import { type FieldTypes, readValue, refTypes } from './values.js';

type Document = Readonly<Record<string, unknown>>;

const declaredOf = (ref: ValueRef, types: FieldTypes): DeclaredType | undefined => refTypes(ref, types).declared;

export function readRow(document: Document, select: Selection, types: FieldTypes): Row {
  const row: Row = {};
  for (const [alias, ref] of Object.entries(select)) row[alias] = readValue(document[alias], declaredOf(ref, types));
  return row;
}

/**
 * The $group output as rows. Without groups there is always one row, the totals, even over
 * no documents (where $group returns nothing): counts 0, other aggregates null.
 */
export function readAggregateRows(query: AggregateQuery, documents: readonly Document[], types: FieldTypes): Row[] {
  const groups = Object.entries(query.groupBy);
  const aggregates = Object.entries(query.aggregates);
  const results = groups.length === 0 && documents.length === 0 ? [{}] : documents;
  return results.map((document) => {
    const row: Row = {};
    const key = (document._id ?? {}) as Document;
    groups.forEach(([alias, group], i) => {
      // A bucket is already its 'YYYY-MM-DD' text.
      row[alias] = readValue(key[groupField(i)], group.bucket ? undefined : declaredOf(group.ref, types));
    });
    aggregates.forEach(([alias, aggregate], i) => {
      const value = document[aggregateField(i)];
      if (aggregate.fn === 'count' || aggregate.fn === 'countDistinct') row[alias] = readValue(value ?? 0, undefined);
      else if (aggregate.fn === 'sum') row[alias] = document[nonNullField(i)] ? readValue(value, undefined) : null;
      else row[alias] = readValue(value, 'ref' in aggregate ? declaredOf(aggregate.ref, types) : undefined);
    });
    return row;
  });
}
