/**
 * Reads a mapping file's `types:` — public types a department declares because `schemas/` has
 * none that fits its data (a code-compliance case, say). Each is checked here against the
 * curated schema, with file:line errors, so that the SDL generated from it (schema/declared-sdl.ts)
 * always builds; from then on it is a dataset type like any curated one.
 */
import { getNamedType, isEnumType, isObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { relative } from 'node:path';
import { datasetTypes } from '../schema/datasets.js';
import type { DeclaredField, DeclaredTypeMapping } from './mapping.js';
import { pathString, type Problem } from './problem.js';
import { didYouMean } from './suggest.js';
import { pointer, type KeyPath, type YamlSource } from './yaml-document.js';

interface RawDeclaredField {
  type: string;
  description?: string;
  standard?: string;
  values?: string[];
}

interface RawDeclaredType {
  description: string;
  one?: string;
  many?: string;
  fields: Record<string, RawDeclaredField>;
}

/**
 * Names the gateway generates for every role's schema (src/schema/*-sdl.ts): a declared type or
 * enum so named would collide with them when a role's schema is built.
 */
const GENERATED = /^(Node|Address)$|(Connection|Edge|Filter|OrderBy|GroupBy|StatsGroup|StatsKey|StatsNumbers|StatsValues)$/;

/** The scalars every dataset field may have: GraphQL's own and the gateway's dates. */
const SCALARS = ['ID', 'String', 'Int', 'Float', 'Boolean', 'DateTime', 'Date'];

/** Where a curated type is written, for messages that point at both places. */
export function curatedPlace(type: GraphQLNamedType): string {
  // The name, not the node: a node starts at its description.
  const location = type.astNode?.name.loc;
  if (!location) return 'the public schema';
  const line = location.source.body.slice(0, location.start).split('\n').length;
  return `${relative(process.cwd(), location.source.name) || location.source.name}:${line}`;
}

/**
 * The types a file declares, as far as they are correct: a field with an unknown type is
 * reported and left out, so the file's other mistakes are still found against the rest.
 * @param schemaErrorAt JSON pointers the JSON Schema already rejected (not reported twice).
 */
export function resolveDeclaredTypes(source: YamlSource, curated: GraphQLSchema, schemaErrorAt: readonly string[]): { types: DeclaredTypeMapping[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const raw = (source.data as { types?: unknown } | undefined)?.types;
  if (!isMap(raw) || schemaErrorAt.includes('/types')) return { types: [], problems };
  const report = (path: KeyPath, message: string, where: 'key' | 'value' = 'key') =>
    problems.push({ severity: 'error', ...(where === 'key' ? source.keyAt(path) : source.valueAt(path)), path: pathString(path), message });
  const rejected = (path: KeyPath) => schemaErrorAt.some((error) => error === pointer(path) || error.startsWith(pointer(path) + '/'));

  const curatedRoots = new Set([...datasetTypes(curated).values()].flatMap((dataset) => [dataset.one, dataset.many]));
  const shapes = valueShapes(curated);
  const declaredNames = new Set(Object.keys(raw));
  const types: DeclaredTypeMapping[] = [];
  const roots = new Set<string>();
  for (const [name, value] of Object.entries(raw)) {
    const base: KeyPath = ['types', name];
    // A type whose own shape is wrong is still declared with what is right, so the datasets filling it are checked too.
    if (!isMap(value) || !isMap(value.fields) || schemaErrorAt.includes(pointer(base)) || schemaErrorAt.includes(pointer([...base, 'fields']))) continue;
    const declared = value as unknown as RawDeclaredType;
    const description = rejected([...base, 'description']) ? '' : declared.description;
    const existing = curated.getType(name);
    if (GENERATED.test(name)) {
      report(base, `"${name}" is a name the gateway gives the types it generates (Node, Address, …Connection, …Edge, …Filter, …OrderBy, …GroupBy, …Stats…): name the type another way`);
      continue;
    }
    if (existing) {
      report(base, `${name} is already a type of the public schema (${curatedPlace(existing)}): fill it under datasets without declaring it, or give the new type another name`);
      continue;
    }
    const one = (!rejected([...base, 'one']) && declared.one) || name[0]!.toLowerCase() + name.slice(1);
    const many = (!rejected([...base, 'many']) && declared.many) || `${one}s`;
    for (const [root, key] of [[one, 'one'], [many, 'many']] as const) {
      if (curatedRoots.has(root) || roots.has(root)) report(declared[key] === undefined ? base : [...base, key], `the root field "${root}" is already taken${curatedRoots.has(root) ? ' by a type of the public schema' : ''}: set ${key}: to another name`, declared[key] === undefined ? 'key' : 'value');
      roots.add(root);
    }
    const fields: DeclaredField[] = [];
    for (const [fieldName, field] of Object.entries(declared.fields)) {
      const path: KeyPath = [...base, 'fields', fieldName];
      if (rejected(path)) continue;
      const typeName = field.type.replace(/!$/, '');
      const enumValues = field.values;
      if (enumValues && GENERATED.test(typeName)) {
        report([...path, 'type'], `"${typeName}" is a name the gateway gives the types it generates: name the enum another way (e.g. ${name}${fieldName[0]!.toUpperCase()}${fieldName.slice(1)})`, 'value');
        continue;
      }
      if (enumValues) {
        const clash = curated.getType(typeName) ?? (declaredNames.has(typeName) ? typeName : undefined);
        if (SCALARS.includes(typeName) || shapes.has(typeName) || clash) {
          report([...path, 'type'], `"${typeName}" cannot be declared as an enum with values: it is already ${typeof clash === 'object' ? `a type of the public schema (${curatedPlace(clash)})` : 'a type'}; name the new enum another way (e.g. ${name}${fieldName[0]!.toUpperCase()}${fieldName.slice(1)})`, 'value');
          continue;
        }
        if (types.some((type) => type.fields.some((other) => other.values && other.type === typeName)) || fields.some((other) => other.values && other.type === typeName)) {
          report([...path, 'type'], `the enum "${typeName}" is declared twice in this file: declare it once, and give the other field a name of its own`, 'value');
          continue;
        }
      } else if (!SCALARS.includes(typeName) && !shapes.has(typeName)) {
        const known = [...SCALARS, ...shapes];
        const hint = didYouMean(typeName, known, { ignoreCase: true }) || ` (a declared field is one of ${known.join(', ')}, or an enum declared with values: [...])`;
        report([...path, 'type'], `unknown type "${typeName}"${hint}`, 'value');
        continue;
      }
      const resolved: DeclaredField = { name: fieldName, type: typeName, nonNull: field.type.endsWith('!'), at: source.keyAt(path) };
      if (field.description !== undefined) resolved.description = field.description;
      if (field.standard !== undefined) resolved.standard = field.standard;
      if (enumValues) resolved.values = [...enumValues];
      fields.push(resolved);
    }
    types.push({ name, one, many, description, fields, at: source.keyAt(base) });
  }
  return { types, problems };
}

/**
 * The curated types a declared field may take besides scalars: those the curated datasets'
 * own fields take that are not datasets themselves — enums (RequestChannel) and value
 * objects (Location).
 */
function valueShapes(curated: GraphQLSchema): Set<string> {
  const datasets = datasetTypes(curated);
  const shapes = new Set<string>();
  for (const { type } of datasets.values()) {
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isEnumType(named) || (isObjectType(named) && !datasets.has(named.name))) shapes.add(named.name);
    }
  }
  return shapes;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
