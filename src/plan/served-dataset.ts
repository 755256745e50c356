/**
 * A dataset as the engine serves it: its mapping, the public type it fills, the source
 * that holds its rows, and what the source says about its columns.
 */
import { getNamedType, isEnumType, isObjectType, isScalarType, type GraphQLEnumType, type GraphQLObjectType, type GraphQLScalarType } from 'graphql';
import { keyConverter, type KeyConverter } from '../config/key-format.js';
import type { ConnectorMapping, DatasetMapping, JoinMapping, ScalarFieldMapping } from '../config/mapping.js';
import type { PlaceBinding } from '../privacy/place-points.js';
import type { ColumnDescription, ColumnType, Source, TransformRef, ValueRef } from '../source/source.js';
import type { RequestMemo } from './request-memo.js';

/** A public scalar or enum value backed by one source value. */
export interface ScalarBinding {
  /** `location.latitude` for a sub-field, `status` for a top-level field. */
  path: string;
  mapping: ScalarFieldMapping;
  /** What the source computes for the field: the mapped value, normalised when the mapping says so. */
  ref: ValueRef;
  /** Converts between the raw and public spellings of a formatted key. */
  keyFormat: KeyConverter | undefined;
  /**
   * The privacy transform a role reads this value through (hundred block, rounding,
   * redaction…). A transformed value's raw value is never filtered, sorted or grouped on:
   * the schema offers no argument that could compare it.
   */
  transform?: (value: unknown) => unknown;
  /**
   * The transform as the source computes it, when it has a source-side form
   * (src/privacy/served-forms.ts): what a role that reads the value transformed filters,
   * sorts and groups on instead. Set on the sub-fields of an object read transformed too.
   */
  served?: TransformRef;
  type: GraphQLScalarType | GraphQLEnumType;
  /** What the source stores, once it has described its table; `undefined` for expressions or before then. */
  columnType: ColumnType | undefined;
  /** The source's zone for date-times stored without offset. */
  timezone: string;
}

export type FieldBinding =
  | { kind: 'scalar'; name: string; scalar: ScalarBinding }
  /**
   * An object value (a Location); `transform` applies to the whole object. A position a role reads
   * generalised is read through its `place` (src/privacy/place-points.ts): `transform` then takes
   * the row's hundred block, never its coordinates.
   */
  | { kind: 'object'; name: string; type: GraphQLObjectType; fields: ReadonlyMap<string, ScalarBinding>; transform?: (value: unknown) => unknown; place?: PlaceBinding };

/** A relationship to another served dataset: its rows whose `to` equals this row's `from`. */
export interface JoinBinding {
  mapping: JoinMapping;
  target: ServedDataset;
  from: ScalarBinding;
  to: ScalarBinding;
}

export interface ServedDataset {
  connector: ConnectorMapping;
  mapping: DatasetMapping;
  type: GraphQLObjectType;
  one: string;
  many: string;
  /**
   * The source as one request may read it. For a role's view it only ever returns the rows
   * the role may see and only the key values it may read: its row rule can depend on other
   * datasets' rows, which are looked up once per request (see privacy/role-views.ts). Held to
   * the request's budget, when it has one.
   */
  sourceFor(request: RequestMemo): Source;
  fields: ReadonlyMap<string, FieldBinding>;
  key: ScalarBinding;
  /** Filled once every dataset is bound, since targets may live in other departments' sources. */
  joins: Map<string, JoinBinding>;
  /** The field that places a row at a normalised street address. */
  address: ScalarBinding | undefined;
  /** Whether rows can be fetched by id: not when the role reads the key only transformed. */
  byId: boolean;
  /** Statistics cells counting fewer rows are suppressed. */
  minimumCellCount: number | undefined;
  /** Fields this role reads raw that the public role cannot: returning them is audited. */
  audited: ReadonlySet<string>;
  /** Roughly how many rows the table holds, as its source estimates them; what counts and statistics cost (src/plan/cost.ts). */
  rowEstimate?: number;
}

/** Whether a role reads the field's raw value, so that filtering, sorting and grouping on it reveal nothing more. */
export function readsRaw(field: FieldBinding | ScalarBinding): boolean {
  return 'scalar' in field ? !field.scalar.transform : !field.transform;
}

/** A value a role may compare in filters, orders and groups. */
export interface ComparedValue {
  field: ScalarBinding;
  /** What the source computes for it: the raw value, or (`served`) the transform the role reads it through. */
  ref: ValueRef;
  served?: TransformRef;
  /** A coordinate of a position read through its place: `ref` and `served` are the row's hundred block, the value compared is `place`'s point. */
  place?: { binding: PlaceBinding; axis: 'latitude' | 'longitude' };
}

/**
 * The values of `field` a role may compare: every value of a field it reads raw, and of a
 * field it reads transformed only what the source computes of the transform (`served`) —
 * all of an object's sub-fields or none. Everything that filters, sorts or groups asks here,
 * so that no path reaches the raw value of a transformed field.
 */
export function comparedValues(field: FieldBinding): ComparedValue[] {
  const scalars = field.kind === 'scalar' ? [field.scalar] : [...field.fields.values()];
  if (field.kind === 'object' && field.place) {
    const binding = field.place;
    return (['latitude', 'longitude'] as const).map((axis) => ({ field: field.fields.get(axis)!, ref: binding.block, served: binding.block, place: { binding, axis } }));
  }
  if (readsRaw(field)) return scalars.map((scalar) => ({ field: scalar, ref: scalar.ref }));
  if (!scalars.every((scalar) => scalar.served)) return [];
  return scalars.map((scalar) => ({ field: scalar, ref: scalar.served!, served: scalar.served! }));
}

/**
 * The value at `path` ('address', 'location.latitude') that the role may compare in `dataset`,
 * or undefined. Orders and groups are resolved here by path, from the role's own view: the
 * enum values they arrive as are plain data (graphql-jit writes them into compiled code).
 */
export function comparedValue(dataset: ServedDataset, path: string): ComparedValue | undefined {
  const field = dataset.fields.get(path.split('.')[0]!);
  return field ? comparedValues(field).find((value) => value.field.path === path) : undefined;
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
    const ref: ValueRef = field.normalize ? { normalize: field.normalize, of: field.ref } : field.ref;
    return { path, mapping: field, ref, keyFormat: field.format && keyConverter(field.format), type, columnType, timezone };
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
  const address = mapping.addressField ? fields.get(mapping.addressField) : undefined;
  return {
    connector,
    mapping,
    type: dataset.type,
    one: dataset.one,
    many: dataset.many,
    // Every query a request makes reaches the source through its memo: held to its budget, and noted for the cache.
    sourceFor: (request) => request.read(mapping, source),
    fields,
    key: key.scalar,
    joins: new Map(),
    address: address?.kind === 'scalar' ? address.scalar : undefined,
    byId: true,
    minimumCellCount: undefined,
    audited: new Set(),
  };
}

/**
 * Binds each dataset's declared joins to their served targets; a join whose target is not
 * served (its department's mapping is missing or broken) is left out, and said so.
 */
export function bindJoins(datasets: readonly ServedDataset[]): Array<{ dataset: ServedDataset; join: JoinMapping }> {
  const byType = new Map(datasets.map((dataset) => [dataset.type.name, dataset]));
  const omitted: Array<{ dataset: ServedDataset; join: JoinMapping }> = [];
  for (const dataset of datasets) {
    for (const join of dataset.mapping.joins) {
      const target = byType.get(join.target);
      const from = dataset.fields.get(join.from);
      const to = target?.fields.get(join.to);
      if (!target || from?.kind !== 'scalar' || to?.kind !== 'scalar') {
        omitted.push({ dataset, join });
        continue;
      }
      dataset.joins.set(join.name, { mapping: join, target, from: from.scalar, to: to.scalar });
      // The way back is always a list: many rows may link to one, and a list never withholds the rows it hangs from.
      if (join.inverse) {
        const inverse: JoinMapping = { name: join.inverse.name, target: dataset.type.name, cardinality: 'many', from: join.to, to: join.from, at: join.at };
        if (join.inverse.description !== undefined) inverse.description = join.inverse.description;
        target.joins.set(inverse.name, { mapping: inverse, target: dataset, from: to.scalar, to: from.scalar });
      }
    }
  }
  return omitted;
}
