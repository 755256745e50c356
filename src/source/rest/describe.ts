/**
 * An endpoint's columns, inferred from sample records: an API publishes no schema the
 * gateway could read, so nested objects become dotted paths (address.street) and JSON's
 * types become column types. The mapping's declared types win, as only they know dates.
 */
import type { ColumnDescription, ColumnType, DeclaredType } from '../source.js';

type JsonKind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

export function describeRecords(records: readonly unknown[], declared: ReadonlyMap<string, DeclaredType>): ColumnDescription[] {
  const kinds = new Map<string, Set<JsonKind>>();
  for (const record of records) collect(record, '', kinds);
  // A path that is null in some records and an object in others is described by its nested paths alone.
  const parents = new Set<string>();
  for (const name of kinds.keys()) {
    for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) parents.add(name.slice(0, dot));
  }
  const columns = [...kinds].filter(([name, seen]) => seen.size > 0 || !parents.has(name)).map(([name, seen]): ColumnDescription => {
    const { type, nativeType } = inferred(seen);
    return { name, type: declared.get(name) ?? type, nativeType, nullable: true };
  });
  // A declared column may be absent from a first page that happens to lack it; the mapping vouches for it.
  const described = new Set(columns.map((column) => column.name));
  for (const [name, type] of declared) {
    if (!described.has(name)) columns.push({ name, type, nativeType: 'json, absent from the first page', nullable: true });
  }
  return columns;
}

function collect(value: unknown, path: string, kinds: Map<string, Set<JsonKind>>): void {
  if (value === null || value === undefined) {
    if (path !== '' && !kinds.has(path)) kinds.set(path, new Set());
    return;
  }
  const isNested = typeof value === 'object' && !Array.isArray(value);
  if (isNested && (path === '' || Object.keys(value).length > 0)) {
    for (const [key, member] of Object.entries(value)) collect(member, path === '' ? key : `${path}.${key}`, kinds);
    return;
  }
  if (path === '') return;
  let seen = kinds.get(path);
  if (!seen) kinds.set(path, (seen = new Set()));
  seen.add(kindOf(value));
}

function kindOf(value: unknown): JsonKind {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return 'object';
}

function inferred(kinds: ReadonlySet<JsonKind>): { type: ColumnType; nativeType: string } {
  const names = [...new Set([...kinds].map((kind) => (kind === 'integer' ? 'number' : kind)))];
  const nativeType = names.length === 0 ? 'json null' : `json ${names.join(' or ')}`;
  if (names.length !== 1) return { type: 'other', nativeType };
  switch (names[0]) {
    case 'number':
      return { type: kinds.has('number') ? 'decimal' : 'integer', nativeType };
    case 'string':
      return { type: 'text', nativeType };
    case 'boolean':
      return { type: 'boolean', nativeType };
    default:
      return { type: 'other', nativeType };
  }
}
