/**
 * A collection's columns, inferred from a sample of its documents: MongoDB has no schema.
 * Nested documents are flattened to dotted paths; an array is a column of type 'other'
 * and the fields of its first element are described under `path.0.field`.
 */
import type { ColumnDescription, ColumnType, DeclaredType } from '../source.js';

/** How many documents describing a collection reads. */
export const SAMPLE_SIZE = 100;

/** What the sample holds at one path: how many documents store each BSON type there (null and missing aside). */
interface FieldShape {
  types: Map<string, number>;
}

/** The paths in the order they first appear, and how many documents were sampled. */
export interface CollectionShape {
  documents: number;
  fields: ReadonlyMap<string, FieldShape>;
}

const BSON_CLASSES: Readonly<Record<string, string>> = {
  Int32: 'int',
  Double: 'double',
  Long: 'long',
  Decimal128: 'decimal',
  ObjectId: 'objectId',
  Binary: 'binData',
  Timestamp: 'timestamp',
  BSONRegExp: 'regex',
  BSONSymbol: 'symbol',
  Code: 'javascript',
  MinKey: 'minKey',
  MaxKey: 'maxKey',
  DBRef: 'dbPointer',
};

/**
 * The MongoDB $type name of a value read without promotion (numbers arrive as Int32,
 * Double, Long wrappers, so that 42 stored as a double is told from 42 stored as an int).
 */
function bsonTypeOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'double';
    case 'bigint':
      return 'long';
  }
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  if (Array.isArray(value)) return 'array';
  const bsonType = (value as { _bsontype?: unknown })._bsontype;
  if (typeof bsonType === 'string') return BSON_CLASSES[bsonType] ?? bsonType;
  return 'object';
}

/** Every path of one document with the BSON type stored there, or undefined for null. */
function flatten(document: Readonly<Record<string, unknown>>, prefix: string, into: Map<string, string | undefined>): void {
  for (const [key, value] of Object.entries(document)) {
    const path = prefix + key;
    const type = bsonTypeOf(value);
    into.set(path, type);
    if (type === 'object') flatten(value as Record<string, unknown>, `${path}.`, into);
    if (type === 'array') {
      const first = (value as unknown[])[0];
      const firstType = bsonTypeOf(first);
      if (firstType === 'object') flatten(first as Record<string, unknown>, `${path}.0.`, into);
      else if ((value as unknown[]).length > 0) into.set(`${path}.0`, firstType);
    }
  }
}

export function shapeOf(documents: ReadonlyArray<Readonly<Record<string, unknown>>>): CollectionShape {
  const fields = new Map<string, FieldShape>();
  for (const document of documents) {
    const paths = new Map<string, string | undefined>();
    flatten(document, '', paths);
    for (const [path, type] of paths) {
      let field = fields.get(path);
      if (!field) fields.set(path, (field = { types: new Map() }));
      if (type !== undefined) field.types.set(type, (field.types.get(type) ?? 0) + 1);
    }
  }
  return { documents: documents.length, fields };
}

/** The BSON types stored at a path, most frequent first. */
export function storedTypes(shape: CollectionShape, path: string): string[] {
  const types = shape.fields.get(path)?.types;
  return types ? [...types].sort(([, a], [, b]) => b - a).map(([type]) => type) : [];
}

const CLASSES: Readonly<Record<string, ColumnType>> = {
  string: 'text',
  objectId: 'text',
  symbol: 'text',
  int: 'integer',
  long: 'integer',
  double: 'decimal',
  decimal: 'decimal',
  bool: 'boolean',
  date: 'timestamptz',
};

/** One column type for the BSON types of a path: integers mixed with doubles are decimals; any other mix is 'other'. */
function classify(types: readonly string[]): ColumnType {
  const classes = new Set(types.map((type) => CLASSES[type] ?? 'other'));
  if (classes.size === 2 && classes.has('integer') && classes.has('decimal')) return 'decimal';
  const [only] = classes;
  return classes.size === 1 && only !== undefined ? only : 'other';
}

/**
 * The columns of a sampled collection. A nested document is described by its fields only;
 * a path is nullable when some sampled document lacks it or holds null there. A declared
 * column type replaces the inferred one (a string or Date may hold a calendar date).
 */
export function describeShape(shape: CollectionShape, declared: ReadonlyMap<string, DeclaredType> | undefined): ColumnDescription[] {
  const columns: ColumnDescription[] = [];
  for (const [path, field] of shape.fields) {
    const types = storedTypes(shape, path);
    if (types.length === 1 && types[0] === 'object') continue;
    const stored = [...field.types.values()].reduce((sum, n) => sum + n, 0);
    columns.push({
      name: path,
      type: declared?.get(path) ?? classify(types),
      nativeType: types.length > 0 ? types.join('/') : 'null',
      nullable: stored < shape.documents,
    });
  }
  return columns;
}
