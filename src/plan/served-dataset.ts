/**
 * A dataset as the engine serves it: its mapping, the public type it fills, the source
 * that holds its rows, and what the source says about its columns.
 */
import { getNamedType, isEnumType, isObjectType, isScalarType, type GraphQLEnumType, type GraphQLObjectType, type GraphQLScalarType } from 'graphql';
import type { ConnectorMapping, DatasetMapping, ScalarFieldMapping } from '../config/mapping.js';
import type { ColumnDescription, ColumnType, Source } from '../source/source.js';

/** A public scalar or enum value backed by one source value. */
export interface ScalarBinding {
  /** `location.latitude` for a sub-field, `status` for a top-level field. */
  path: string;
  mapping: ScalarFieldMapping;
  type: GraphQLScalarType | GraphQLEnumType;
  /** What the source stores, once it has described its table; `undefined` for expressions or before then. */
  columnType: ColumnType | undefined;
  /** The source's zone for date-times stored without offset. */
  timezone: string;
}

export type FieldBinding =
  | { kind: 'scalar'; name: string; scalar: ScalarBinding }
  | { kind: 'object'; name: string; type: GraphQLObjectType; fields: ReadonlyMap<string, ScalarBinding> };

export interface ServedDataset {
  connector: ConnectorMapping;
  mapping: DatasetMapping;
  type: GraphQLObjectType;
  one: string;
  many: string;
  source: Source;
  fields: ReadonlyMap<string, FieldBinding>;
  key: ScalarBinding;
}

export function bindDataset(
  connector: ConnectorMapping,
  mapping: DatasetMapping,
  dataset: { type: GraphQLObjectType; one: string; many: string },
  source: Source,
  columns: readonly ColumnDescription[] | undefined,
): ServedDataset {
  const byName = new Map((columns ?? []).map((column) => [column.name.toLowerCase(), column.type]));
  const timezone = connector.source.timezone;
  const scalar = (path: string, field: ScalarFieldMapping, graphqlType: unknown): ScalarBinding => {
    const type = getNamedType(graphqlType as never);
    if (!isScalarType(type) && !isEnumType(type)) throw new Error(`${path} is not a scalar or enum field`);
    const columnType = 'column' in field.ref ? byName.get(field.ref.column.toLowerCase()) : undefined;
    return { path, mapping: field, type, columnType, timezone };
  };

  const fields = new Map<string, FieldBinding>();
  const publicFields = dataset.type.getFields();
  for (const [name, field] of mapping.fields) {
    const publicType = publicFields[name]!.type;
    if (field.kind === 'scalar') {
      fields.set(name, { kind: 'scalar', name, scalar: scalar(name, field, publicType) });
      continue;
    }
    const objectType = getNamedType(publicType);
    if (!isObjectType(objectType)) throw new Error(`${dataset.type.name}.${name} is not an object field`);
    const subFields = objectType.getFields();
    const bound = new Map<string, ScalarBinding>();
    for (const [subName, sub] of field.fields) bound.set(subName, scalar(`${name}.${subName}`, sub, subFields[subName]!.type));
    fields.set(name, { kind: 'object', name, type: objectType, fields: bound });
  }

  const key = fields.get(mapping.keyField);
  if (key?.kind !== 'scalar') throw new Error(`${dataset.type.name}: key field ${mapping.keyField} is not a mapped scalar`);
  return { connector, mapping, type: dataset.type, one: dataset.one, many: dataset.many, source, fields, key: key.scalar };
}
