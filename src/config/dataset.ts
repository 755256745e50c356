import { datasetTypes } from '../schema/datasets.js';
/**
 * Turns one `datasets.<Type>` entry (already shape-checked by the JSON Schema) into a
 * DatasetMapping, checking it against the public GraphQL type it claims to fill. Done
 * together because a code map's values are only meaningful for the field's type.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { AccessLevel, CodeMap, DatasetMapping, FieldMapping, ObjectFieldMapping, ScalarFieldMapping, ValueRef } from './mapping.js';
import { pathString, type Problem } from './problem.js';
import { didYouMean } from './suggest.js';
import { shown } from './validate-raw.js';
import { pointer, type KeyPath, type YamlSource } from './yaml-document.js';

type CodeValue = string | number | boolean;
export type RawValue = string | { column?: string; expression?: string; codes?: Record<string, CodeValue> };
export type RawField = RawValue | { fields?: Record<string, RawValue>; codes?: Record<string, CodeValue>; column?: string; expression?: string };

export interface RawDataset {
  title: string;
  description: string;
  keywords: string[];
  accessLevel: AccessLevel;
  license?: string;
  accrualPeriodicity?: string;
  table: string;
  key?: string;
  fields: Record<string, RawField>;
}

/**
 * @param schemaErrorAt JSON pointers of values the JSON Schema already rejected; they are
 *   not checked again (one message per mistake), but a rejected field still counts as mapped.
 */
export function resolveDataset(
  source: YamlSource,
  typeName: string,
  raw: RawDataset,
  schema: GraphQLSchema,
  schemaErrorAt: readonly string[],
): { dataset?: DatasetMapping; problems: Problem[] } {
  const problems: Problem[] = [];
  const base: KeyPath = ['datasets', typeName];
  const report = (severity: Problem['severity'], path: KeyPath, message: string, where: 'key' | 'value' = 'key') =>
    problems.push({ severity, ...(where === 'key' ? source.keyAt(path) : source.valueAt(path)), path: pathString(path), message });
  const rejected = (path: KeyPath) => {
    const at = pointer(path);
    return schemaErrorAt.some((error) => error === at || error.startsWith(at + '/'));
  };

  const datasets = datasetTypes(schema);
  const type = datasets.get(typeName)?.type;
  if (!type) {
    const names = [...datasets.keys()].sort();
    const exists = schema.getType(typeName);
    report(
      'error',
      base,
      exists
        ? `"${typeName}" is not a dataset type: only types marked @dataset can be filled (${names.join(', ')})`
        : `unknown type "${typeName}"${didYouMean(typeName, names, { ignoreCase: true }) || ` (dataset types: ${names.join(', ')})`}`,
    );
    return { problems };
  }
  // Check as much as the JSON Schema left intact, so one typo does not hide the next mistake.
  const fieldsPath: KeyPath = [...base, 'fields'];
  if (!isMap(raw) || !isMap(raw.fields) || schemaErrorAt.includes(pointer(fieldsPath))) return { problems };

  const publicFields = type.getFields();
  const fields = new Map<string, FieldMapping>();
  for (const [name, rawField] of Object.entries(raw.fields)) {
    const path: KeyPath = [...fieldsPath, name];
    if (rejected(path)) continue;
    const field = publicFields[name];
    if (!field) {
      report('error', path, `${typeName} has no field "${name}"${didYouMean(name, Object.keys(publicFields), { ignoreCase: true })}`);
      continue;
    }
    const mapped = resolveField(path, field, rawField);
    if (mapped) fields.set(name, mapped);
  }

  // The key must identify a row with one value, so it has to be a mapped scalar.
  const keyField = raw.key ?? 'id';
  const keyPath: KeyPath = raw.key === undefined ? base : [...base, 'key'];
  const keyWhere = raw.key === undefined ? 'key' : 'value';
  const keyDefault = raw.key === undefined ? ' (the default key)' : '';
  const keyShown = raw.key === undefined ? `"${keyField}"` : shown(source, [...base, 'key'], keyField);
  const keyProblem = rejected([...base, 'key'])
    ? undefined
    : !publicFields[keyField]
      ? `key ${keyShown}${keyDefault} is not a field of ${typeName}${didYouMean(keyField, Object.keys(publicFields))}`
      : !(keyField in raw.fields)
        ? `key ${keyShown}${keyDefault} must be mapped under "fields"`
        : !isLeaf(publicFields[keyField]) && !rejected([...fieldsPath, keyField])
          ? `key ${keyShown} must be a single value, not an object`
          : undefined;
  if (keyProblem) report('error', keyPath, keyProblem, keyWhere);

  reportUnmapped([...fieldsPath], typeName, type, new Set(Object.keys(raw.fields)));
  // The checks above tolerate rejected values; building the mapping does not.
  if (rejected(base)) return { problems };

  const metadata: DatasetMapping['metadata'] = {
    title: raw.title,
    description: raw.description,
    keywords: [...raw.keywords],
    accessLevel: raw.accessLevel,
  };
  if (raw.license !== undefined) metadata.license = raw.license;
  if (raw.accrualPeriodicity !== undefined) metadata.accrualPeriodicity = raw.accrualPeriodicity;
  const dataset: DatasetMapping = { typeName, table: raw.table, keyField, fields, metadata, at: source.keyAt(base) };
  return { dataset, problems };

  function reportUnmapped(path: KeyPath, owner: string, objectType: GraphQLObjectType, mapped: ReadonlySet<string>) {
    for (const field of Object.values(objectType.getFields())) {
      if (mapped.has(field.name) || unmappable(field, datasets)) continue;
      const written = `${field.name}: ${String(field.type)}`;
      if (isNonNullType(field.type)) {
        report('error', path, `non-null field "${written}" of ${owner} is not mapped; every row must have it`);
      } else {
        report('warning', path, `field "${written}" of ${owner} is not mapped; it will always be null`);
      }
    }
  }

  function resolveField(path: KeyPath, field: GraphQLField<unknown, unknown>, rawField: RawField): FieldMapping | undefined {
    const why = unmappable(field, datasets);
    if (why) {
      report('error', path, `"${field.name}" (${String(field.type)}) cannot be mapped: ${why}`);
      return undefined;
    }
    const named = getNamedType(field.type);
    const hasFields = typeof rawField === 'object' && 'fields' in rawField && rawField.fields !== undefined;
    if (isObjectType(named)) {
      if (!hasFields) {
        const example = Object.keys(named.getFields()).map((name) => `${name}: …`).join(', ');
        report('error', path, `"${field.name}" is a ${named.name}, which has fields of its own: map them with { fields: { ${example} } }`);
        return undefined;
      }
      const objectField = rawField as { fields: Record<string, RawValue>; codes?: unknown };
      if (objectField.codes !== undefined) {
        report('error', [...path, 'codes'], `"codes" cannot be used with "fields": give each of ${named.name}'s fields its own codes`);
      }
      const subFields = new Map<string, ScalarFieldMapping>();
      const available = named.getFields();
      for (const [name, rawValue] of Object.entries(objectField.fields)) {
        const subPath: KeyPath = [...path, 'fields', name];
        if (rejected(subPath)) continue;
        const subField = available[name];
        if (!subField) {
          report('error', subPath, `${named.name} has no field "${name}"${didYouMean(name, Object.keys(available), { ignoreCase: true })}`);
          continue;
        }
        if (!isLeaf(subField)) {
          report('error', subPath, `"${name}" (${String(subField.type)}) cannot be mapped: only values can be nested one level deep`);
          continue;
        }
        const mapped = resolveScalar(subPath, subField, rawValue);
        if (mapped) subFields.set(name, mapped);
      }
      reportUnmapped([...path, 'fields'], `${typeName}.${field.name}`, named, new Set(Object.keys(objectField.fields)));
      const mapping: ObjectFieldMapping = { kind: 'object', name: field.name, fields: subFields, at: source.keyAt(path) };
      return mapping;
    }
    if (hasFields) {
      report('error', [...path, 'fields'], `"${field.name}" is a single ${named.name} value, so it takes a column or an expression, not "fields"`);
      return undefined;
    }
    return resolveScalar(path, field, rawField as RawValue);
  }

  function resolveScalar(path: KeyPath, field: GraphQLField<unknown, unknown>, rawValue: RawValue): ScalarFieldMapping | undefined {
    const ref: ValueRef =
      typeof rawValue === 'string'
        ? { column: rawValue }
        : rawValue.column !== undefined
          ? { column: rawValue.column }
          : { expression: rawValue.expression ?? '' };
    const mapping: ScalarFieldMapping = { kind: 'scalar', name: field.name, ref, at: source.keyAt(path) };
    if (typeof rawValue === 'object' && rawValue.codes !== undefined) {
      const codes: [CodeValue, CodeValue][] = [];
      const named = getNamedType(field.type);
      for (const [written, value] of Object.entries(rawValue.codes)) {
        const codePath: KeyPath = [...path, 'codes', written];
        const checked = publicValue(named, value, shown(source, codePath, value));
        if ('problem' in checked) {
          report('error', codePath, `code "${written}": ${checked.problem}`, 'value');
          continue;
        }
        codes.push([rawCode(written, source.keyIsQuoted(codePath)), checked.value]);
      }
      mapping.codes = codes satisfies CodeMap;
    }
    return mapping;
  }
}

/**
 * A code's raw value, from its key as written. YAML keys are text, but a source column may
 * hold numbers or booleans: an unquoted key that reads back exactly as a number (`1`, `-2`,
 * `2.5`) becomes that number and `true`/`false` a boolean. Anything else stays text, so
 * zero-padded or formatted codes (`01`, `1.50`, `1e3`) keep their digits; quoting a key
 * (`"1"`) always keeps it text.
 */
export function rawCode(written: string, quoted: boolean): CodeValue {
  if (quoted) return written;
  if (written === 'true') return true;
  if (written === 'false') return false;
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/.test(written) && written !== '-0') return Number(written);
  return written;
}

/** The public value a code maps to, or why it cannot be a value of `type`. */
function publicValue(type: GraphQLNamedType, value: CodeValue, written: string): { value: CodeValue } | { problem: string } {
  if (isEnumType(type)) {
    const names = type.getValues().map((enumValue) => enumValue.name);
    if (typeof value === 'string' && names.includes(value)) return { value };
    const hint = written.startsWith('the value of') ? '' : didYouMean(String(value), names, { ignoreCase: true });
    return { problem: `${written} is not a ${type.name} value${hint}; allowed: ${names.join(', ')}` };
  }
  if (!isScalarType(type)) return { value };
  switch (type.name) {
    case 'Int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1
        ? { value }
        : { problem: `${written} is not an Int (a whole number)` };
    case 'Float':
      return typeof value === 'number' ? { value } : { problem: `${written} is not a Float (a number)` };
    case 'Boolean':
      return typeof value === 'boolean' ? { value } : { problem: `${written} is not a Boolean (true or false)` };
    case 'String':
    case 'ID':
      // Public values are compared as they are typed downstream; `statusCode: 404` means "404".
      return { value: String(value) };
    case 'DateTime':
    case 'Date':
      return typeof value === 'string' ? { value } : { problem: `${written} is not a ${type.name} (write it as text)` };
    default:
      return { value };
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(field: GraphQLField<unknown, unknown>): boolean {
  const nullable = getNullableType(field.type);
  return !isListType(nullable) && (isScalarType(nullable) || isEnumType(nullable));
}

/** Why a field cannot be filled from a mapping (lists, relations), or '' when it can. */
function unmappable(field: GraphQLField<unknown, unknown>, datasets: ReadonlyMap<string, unknown>): string {
  const nullable = getNullableType(field.type);
  if (isListType(nullable)) return 'lists are not supported in mappings';
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isObjectType(named) && !datasets.has(named.name)) return '';
  return 'it refers to another dataset or an abstract type, which the gateway links itself';
}
