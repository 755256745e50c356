/**
 * Turns one `datasets.<Type>` entry (already shape-checked by the JSON Schema) into a
 * DatasetMapping, checking it against the public GraphQL type it claims to fill. Done
 * together because a code map's values are only meaningful for the field's type. Joins are
 * checked here against the schema only; whether their target is filled, and fills the
 * field they match on, depends on the other files (see `checkJoinTargets`).
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
  type GraphQLType,
} from 'graphql';
import { datasetTypes } from '../schema/datasets.js';
import type { DeclaredType } from '../source/source.js';
import { resolveAccess, type RawRoleAccess } from './access.js';
import { keyConverter, KeyFormatError } from './key-format.js';
import type {
  AccessLevel,
  CodeMap,
  DatasetMapping,
  FilterParam,
  FieldMapping,
  JoinMapping,
  KeyFormat,
  ObjectFieldMapping,
  Publication,
  ScalarFieldMapping,
  ValueRef,
} from './mapping.js';
import { pathString, type Problem } from './problem.js';
import type { RolesConfig } from './roles.js';
import { didYouMean } from './suggest.js';
import { shown } from './validate-raw.js';
import { cacheMaxAge } from './cache-max-age.js';
import { pointer, type KeyPath, type YamlSource } from './yaml-document.js';

type CodeValue = string | number | boolean;
export type RawValue =
  | string
  | { column?: string; expression?: string; codes?: Record<string, CodeValue>; format?: KeyFormat; normalize?: 'address' };
export type RawField = RawValue | { fields?: Record<string, RawValue>; codes?: Record<string, CodeValue>; format?: KeyFormat; normalize?: 'address'; column?: string; expression?: string };

export interface RawJoin {
  target: string;
  many?: boolean;
  on: Record<string, string>;
  description?: string;
  inverse?: { name: string; description?: string };
}

export interface RawDataset {
  title: string;
  description: string;
  keywords: string[];
  accessLevel: AccessLevel;
  publication: Publication;
  license?: string;
  accrualPeriodicity?: string;
  rights?: string;
  spatial?: string;
  landingPage?: string;
  usageNotes?: string;
  contact?: { name: string; email: string };
  cache?: { maxAge: string | number };
  table: string;
  columns?: Record<string, DeclaredType>;
  filterParams?: Record<string, Partial<Record<FilterParam['op'], string>>>;
  key?: string;
  fields: Record<string, RawField>;
  addressField?: string;
  since?: string;
  joins?: Record<string, RawJoin>;
  access?: Record<string, RawRoleAccess>;
}

/** A field's value is altered on its way out by at most one of these. */
const TRANSFORMS = ['codes', 'format', 'normalize'] as const;


/**
 * @param schemaErrorAt JSON pointers of values the JSON Schema already rejected; they are
 *   not checked again (one message per mistake), but a rejected field still counts as mapped.
 * @param roles roles.yaml, to check the access rules' role names and apply inheritance;
 *   undefined when it did not load (the rules are then checked against the type only).
 */
export function resolveDataset(
  source: YamlSource,
  typeName: string,
  raw: RawDataset,
  schema: GraphQLSchema,
  schemaErrorAt: readonly string[],
  roles?: RolesConfig,
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
  const joins = resolveJoins();
  checkAddressField();
  const resolvedAccess = resolveAccess(
    {
      source,
      schema,
      typeName,
      type,
      fields,
      written: new Set(Object.keys(raw.fields)),
      keyField,
      joins: new Map(
        Object.entries(isMap(raw.joins) ? raw.joins : {}).map(([name, join]) => [
          name,
          { many: isMap(join) && join.many === true, target: isMap(join) ? datasets.get(join.target)?.type : undefined },
        ]),
      ),
      roles,
      schemaErrorAt,
    },
    raw.access,
  );
  problems.push(...resolvedAccess.problems);
  // A dataset with values the JSON Schema rejected is never served, but its fields are still
  // checked against the live table, so one run of validate reports every mistake. That needs
  // the table; the rest it gets only where well formed (a rejected value may be anything).
  if (rejected([...base, 'table'])) return { problems };
  const wellFormed = (path: KeyPath) => !rejected([...base, ...path]);

  const metadata: DatasetMapping['metadata'] = wellFormed([])
    ? { title: raw.title, description: raw.description, keywords: [...raw.keywords], accessLevel: raw.accessLevel }
    : { title: '', description: '', keywords: [], accessLevel: 'non-public' };
  if (wellFormed([])) {
    if (raw.license !== undefined) metadata.license = raw.license;
    if (raw.accrualPeriodicity !== undefined) metadata.accrualPeriodicity = raw.accrualPeriodicity;
    if (raw.rights !== undefined) metadata.rights = raw.rights;
    if (raw.spatial !== undefined) metadata.spatial = raw.spatial;
    if (raw.landingPage !== undefined) metadata.landingPage = raw.landingPage;
    if (raw.usageNotes !== undefined) metadata.usageNotes = raw.usageNotes;
    if (raw.contact !== undefined) metadata.contact = { name: raw.contact.name, email: raw.contact.email };
  }
  const dataset: DatasetMapping = {
    typeName,
    table: raw.table,
    keyField,
    fields,
    joins,
    publication: raw.publication,
    access: resolvedAccess.access,
    metadata,
    cacheMaxAgeMs: wellFormed(['cache']) ? cacheMaxAge(raw, (message) => report('error', [...base, 'cache', 'maxAge'], message, 'value')) : 0,
    at: source.keyAt(base),
  };
  if (raw.addressField !== undefined) dataset.addressField = raw.addressField;
  if (raw.since !== undefined && wellFormed(['since'])) dataset.since = raw.since;
  if (raw.columns !== undefined && wellFormed(['columns'])) dataset.columns = new Map(Object.entries(raw.columns));
  if (raw.filterParams !== undefined && wellFormed(['filterParams'])) {
    dataset.filterParams = Object.entries(raw.filterParams).flatMap(([column, params]) =>
      Object.entries(params).map(([op, param]) => ({ column, op: op as FilterParam['op'], param: param! })),
    );
  }
  return { dataset, problems };

  /** Checks each join against the public schema; only the ones without a problem are returned. */
  function resolveJoins(): JoinMapping[] {
    const joinsPath: KeyPath = [...base, 'joins'];
    if (raw.joins === undefined || !isMap(raw.joins) || schemaErrorAt.includes(pointer(joinsPath))) return [];
    const resolved: JoinMapping[] = [];
    const names = [...datasets.keys()].sort();
    for (const [name, join] of Object.entries(raw.joins)) {
      const path: KeyPath = [...joinsPath, name];
      const before = problems.length;
      if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name) || name.startsWith('__')) {
        report('error', path, `"${name}" cannot be a field name: use letters, digits and _, starting with a letter (e.g. serviceRequest)`);
      } else if (publicFields[name]) {
        report('error', path, `"${name}" is already a field of ${typeName}; a join becomes a new field, so give it another name`);
      }
      if (!isMap(join) || schemaErrorAt.includes(pointer(path))) continue;

      let target: GraphQLObjectType | undefined;
      if (!rejected([...path, 'target'])) {
        target = datasets.get(join.target)?.type;
        if (!target) {
          const exists = schema.getType(join.target) !== undefined;
          const hint = didYouMean(join.target, names, { ignoreCase: true }) || ` (dataset types: ${names.join(', ')})`;
          report('error', [...path, 'target'], `target ${shown(source, [...path, 'target'], join.target)} is ${exists ? 'not a dataset type' : 'not a type of the public schema'}${hint}`, 'value');
        }
      }
      if (rejected([...path, 'on']) || !isMap(join.on)) continue;
      const [entry] = Object.entries(join.on);
      if (!entry) continue;
      const [from, to] = entry;
      const onPath: KeyPath = [...path, 'on', from];

      const fromField = publicFields[from];
      const fromMapping = fields.get(from);
      if (!fromField) {
        report('error', onPath, `${typeName} has no field "${from}" to join from${didYouMean(from, Object.keys(publicFields), { ignoreCase: true })}`);
      } else if (!fromMapping) {
        // A field the JSON Schema rejected is reported there; one that is not written at all, here.
        if (!(from in raw.fields)) report('error', onPath, `"${from}" must be mapped under "fields" to join on it`);
      } else if (fromMapping.kind !== 'scalar') {
        report('error', onPath, `"${from}" is a ${getNamedType(fromField.type).name} made of several values; a join matches on a single value`);
      }

      const toField = target?.getFields()[to];
      if (target && !toField) {
        report('error', onPath, `${target.name} has no field "${to}"${didYouMean(to, Object.keys(target.getFields()), { ignoreCase: true })}`, 'value');
      }
      if (toField && fromField && fromMapping?.kind === 'scalar') {
        const mismatch = keyMismatch(fromField.type, toField.type);
        if (mismatch) {
          report('error', onPath, `${typeName}.${from} (${String(fromField.type)}) cannot be joined to ${target!.name}.${to} (${String(toField.type)}): ${mismatch}`);
        }
      }
      if (problems.length > before || !target || rejected(path)) continue;
      const mapping: JoinMapping = { name, target: target.name, cardinality: join.many === true ? 'many' : 'one', from, to, at: source.keyAt(path) };
      if (join.description !== undefined) mapping.description = join.description;
      if (join.inverse !== undefined && !rejected([...path, 'inverse'])) {
        const inverse = join.inverse;
        if (target.getFields()[inverse.name]) {
          report('error', [...path, 'inverse', 'name'], `"${inverse.name}" is already a field of ${target.name}; the inverse join becomes a new field there, so give it another name`, 'value');
          continue;
        }
        mapping.inverse = inverse.description === undefined ? { name: inverse.name } : { name: inverse.name, description: inverse.description };
      }
      resolved.push(mapping);
    }
    return resolved;
  }

  /** The address field must hold a normalised text address, or rows would never meet across departments. */
  function checkAddressField() {
    const path: KeyPath = [...base, 'addressField'];
    const name = raw.addressField;
    if (name === undefined || rejected(path)) return;
    const written = shown(source, path, name);
    const field = publicFields[name];
    const mapping = fields.get(name);
    let problem: string | undefined;
    if (!field) {
      problem = `addressField ${written} is not a field of ${typeName}${didYouMean(name, Object.keys(publicFields), { ignoreCase: true })}`;
    } else if (!mapping) {
      if (!(name in raw.fields)) problem = `addressField ${written} must be mapped under "fields"`;
    } else if (mapping.kind !== 'scalar' || getNamedType(field.type).name !== 'String') {
      problem = `addressField ${written} must be a String field, not ${String(field.type)}`;
    } else if (mapping.normalize !== 'address') {
      problem = `addressField ${written} must be mapped with "normalize: address", so that the same address matches across departments`;
    }
    if (problem) report('error', path, problem, 'value');
  }

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
      const objectField = rawField as { fields: Record<string, RawValue> } & Partial<Record<(typeof TRANSFORMS)[number], unknown>>;
      for (const key of TRANSFORMS) {
        if (objectField[key] !== undefined) {
          report('error', [...path, key], `"${key}" cannot be used with "fields": give it to each of ${named.name}'s fields that needs it`);
        }
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
    if (typeof rawValue !== 'object') return mapping;
    const named = getNamedType(field.type);
    // One way to alter a value: codes pick public values themselves, a format or a
    // normalised spelling would then change them again.
    const given = Object.keys(rawValue).filter((key): key is (typeof TRANSFORMS)[number] => (TRANSFORMS as readonly string[]).includes(key));
    for (const key of given.slice(1)) {
      report('error', [...path, key], `"${key}" cannot be used with "${given[0]}": a field takes only one of ${TRANSFORMS.map((name) => `"${name}"`).join(', ')}`);
    }
    for (const key of ['format', 'normalize'] as const) {
      if (rawValue[key] === undefined || rejected([...path, key])) continue;
      if (named.name !== 'ID' && named.name !== 'String') {
        report('error', [...path, key], `"${key}" is only for ID and String fields, and "${field.name}" is ${String(field.type)}`);
      } else if (key === 'format') {
        const format = rawValue.format!;
        try {
          keyConverter(format);
          mapping.format = { raw: format.raw, public: format.public };
        } catch (error) {
          if (!(error instanceof KeyFormatError)) throw error;
          // Point at the template the message is about, when it names one.
          const which = /^(raw|public) template/.exec(error.message)?.[1];
          report('error', which ? [...path, 'format', which] : [...path, 'format'], `invalid format: ${error.message}`, which ? 'value' : 'key');
        }
      } else {
        mapping.normalize = rawValue.normalize!;
      }
    }
    if (rawValue.codes !== undefined) {
      const codes: [CodeValue, CodeValue][] = [];
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

/**
 * Why a join cannot compare values of these two types, or '' when it can: both must be
 * single scalars of one type, except that ID and String compare as the same text.
 */
function keyMismatch(from: GraphQLType, to: GraphQLType): string {
  const single = (type: GraphQLType) => !isListType(getNullableType(type)) && isScalarType(getNamedType(type));
  if (!single(from) || !single(to)) return 'a join compares single scalar values (ID, String, Int, …)';
  const text = (name: string) => (name === 'ID' || name === 'String' ? 'text' : name);
  if (text(getNamedType(from).name) !== text(getNamedType(to).name)) return 'both must have the same type (ID and String match each other)';
  return '';
}
