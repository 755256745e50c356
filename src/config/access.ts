/**
 * Resolves a dataset's `access:` block — what each role sees of its fields and rows —
 * and checks it against the roles of roles.yaml and the public type: each rule must fit
 * its field's type, a row filter must be one the public API could run. Then, with
 * inheritance applied, it looks for what the rules leave out: a field no rule reaches is
 * hidden from the role (fail closed), which the liaison is warned about, and a role that
 * sees rows must be able to tell them apart by the key.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { FieldMapping, FieldRule, RoleAccess, SourceLocation } from './mapping.js';
import { pathString, type Problem } from './problem.js';
import type { RolesConfig } from './roles.js';
import { didYouMean } from './suggest.js';
import { shown } from './validate-raw.js';
import { pointer, type KeyPath, type YamlSource } from './yaml-document.js';

export type RawRule = string | null | { mask?: { keepLast: number }; round?: number; snap?: number; truncate?: 'day' | 'month' | 'year' };

export interface RawRoleAccess {
  fields?: Record<string, RawRule>;
  rows?: { exclude?: Record<string, unknown>; scopeField?: string; withheldWith?: string[] };
  minimumCellCount?: number;
}

export interface AccessContext {
  source: YamlSource;
  schema: GraphQLSchema;
  typeName: string;
  type: GraphQLObjectType;
  /** The resolved field mappings. */
  fields: ReadonlyMap<string, FieldMapping>;
  /** The field names written under `fields:`, including ones rejected there. */
  written: ReadonlySet<string>;
  keyField: string;
  /** The joins written under `joins:`, with the type each links to (undefined when it names no dataset type). */
  joins: ReadonlyMap<string, { many: boolean; target: GraphQLObjectType | undefined }>;
  /** Undefined when roles.yaml did not load: role names cannot be checked, nor inheritance applied. */
  roles: RolesConfig | undefined;
  schemaErrorAt: readonly string[];
}

const STRING_RULES = ['visible', 'hidden', 'null', 'pseudonymize', 'hundredBlock', 'redact'] as const;
const TEXT_TYPES = ['String', 'ID'];
const OPERATORS = ['eq', 'ne', 'in', 'lt', 'lte', 'gt', 'gte', 'contains', 'startsWith', 'isNull'];
const COMBINATORS = ['and', 'or', 'not'];

/** The key field may be shown as is or pseudonymised: either keeps rows apart, consistently. */
const KEY_RULES: readonly FieldRule['kind'][] = ['visible', 'pseudonymize'];

export function resolveAccess(context: AccessContext, raw: Record<string, RawRoleAccess> | undefined): { access: Map<string, RoleAccess>; problems: Problem[] } {
  const { source, typeName, type, fields, roles } = context;
  const problems: Problem[] = [];
  const base: KeyPath = ['datasets', typeName, 'access'];
  const report = (severity: Problem['severity'], path: KeyPath, message: string, where: 'key' | 'value' = 'key') =>
    problems.push({ severity, ...(where === 'key' ? source.keyAt(path) : source.valueAt(path)), path: pathString(path), message });
  const rejected = (path: KeyPath) => {
    const at = pointer(path);
    return context.schemaErrorAt.some((error) => error === at || error.startsWith(at + '/'));
  };
  const publicFields = type.getFields();
  const roleNames = roles?.roles.map((role) => role.name) ?? [];

  const access = new Map<string, RoleAccess>();
  /** Rules written but rejected (by the JSON Schema or a check here): they count as declared, so no second message. */
  const declaredBroken = new Map<string, Set<string>>();
  const usable = raw !== undefined && isMap(raw) && !context.schemaErrorAt.includes(pointer(base));
  for (const [role, rawRole] of usable ? Object.entries(raw) : []) {
    const rolePath: KeyPath = [...base, role];
    // A role name or entry the JSON Schema rejected is reported there.
    if (context.schemaErrorAt.includes(pointer(rolePath))) continue;
    if (roles && !roleNames.includes(role)) {
      report('error', rolePath, `unknown role "${role}"${didYouMean(role, roleNames)}; roles.yaml declares ${roleNames.join(', ')}`);
      continue;
    }
    if (!isMap(rawRole)) continue;
    const entry = rawRole as RawRoleAccess;
    const broken = new Set<string>();
    declaredBroken.set(role, broken);
    const resolved: RoleAccess = { fields: resolveRules(role, rolePath, entry.fields, broken) };
    const rows = resolveRows(role, [...rolePath, 'rows'], entry.rows);
    if (rows) resolved.rows = rows;
    if (typeof entry.minimumCellCount === 'number' && !rejected([...rolePath, 'minimumCellCount'])) resolved.minimumCellCount = entry.minimumCellCount;
    access.set(role, resolved);
  }

  if (roles) checkCoverage(roles);
  return { access, problems };

  function resolveRules(role: string, rolePath: KeyPath, rawRules: Record<string, RawRule> | undefined, broken: Set<string>): Map<string, FieldRule & { at: SourceLocation }> {
    const rules = new Map<string, FieldRule & { at: SourceLocation }>();
    if (!isMap(rawRules)) return rules;
    for (const [name, rawRule] of Object.entries(rawRules)) {
      const path: KeyPath = [...rolePath, 'fields', name];
      const field = publicFields[name];
      if (!field) {
        const hint = context.joins.has(name)
          ? `: "${name}" is a join, whose rows follow the access rules of the dataset it links to`
          : didYouMean(name, fields.keys(), { ignoreCase: true });
        report('error', path, `${typeName} has no field "${name}"${hint}`);
        broken.add(name);
        continue;
      }
      if (!context.written.has(name)) {
        report('error', path, `"${name}" is not mapped under "fields", so there is nothing to show ${role}`);
        broken.add(name);
        continue;
      }
      if (rejected(path) || !fields.has(name)) {
        broken.add(name);
        continue;
      }
      const rule = readRule(path, rawRule);
      const problem = rule && misfit(rule, field, fields.get(name)!);
      if (problem) report('error', path, problem, 'value');
      if (!rule || problem) {
        broken.add(name);
        continue;
      }
      rules.set(name, { ...rule, at: source.keyAt(path) });
    }
    return rules;
  }

  function readRule(path: KeyPath, rawRule: RawRule): FieldRule | undefined {
    if (rawRule === null) {
      // YAML reads an unquoted `null` as nothing; an empty value is a rule left out, not `null`.
      if (/^null$/i.test(source.writtenAt(path) ?? '')) return { kind: 'null' };
      report('error', path, `give a rule: ${STRING_RULES.join(', ')}, or a map such as { mask: { keepLast: 4 } }, { round: 3 }, { snap: 0.01 }, { truncate: month }`, 'value');
      return undefined;
    }
    if (typeof rawRule === 'string') return { kind: rawRule as (typeof STRING_RULES)[number] };
    if (rawRule.mask !== undefined) return { kind: 'mask', keepLast: rawRule.mask.keepLast };
    if (rawRule.round !== undefined) return { kind: 'round', decimals: rawRule.round };
    if (rawRule.snap !== undefined) return { kind: 'snap', cell: rawRule.snap };
    if (rawRule.truncate !== undefined) return { kind: 'truncate', unit: rawRule.truncate };
    return undefined;
  }

  /** Why `rule` cannot apply to the field, or undefined when it can. */
  function misfit(rule: FieldRule, field: GraphQLField<unknown, unknown>, mapping: FieldMapping): string | undefined {
    const named = getNamedType(field.type);
    const typeShown = `"${field.name}" is ${String(field.type)}`;
    switch (rule.kind) {
      case 'visible':
      case 'hidden':
        return undefined;
      case 'null':
        return isNonNullType(field.type) ? `"null" cannot be used on "${field.name}" (${String(field.type)}), which the schema promises is never empty: use "hidden" to leave it out` : undefined;
      case 'mask':
      case 'pseudonymize':
      case 'redact':
        return mapping.kind === 'scalar' && TEXT_TYPES.includes(named.name) ? undefined : `"${rule.kind}" is for text (String or ID) fields, and ${typeShown}`;
      case 'hundredBlock':
        if (mapping.kind !== 'scalar' || !TEXT_TYPES.includes(named.name)) return `"hundredBlock" is for street-address text fields, and ${typeShown}`;
        return mapping.normalize === 'address' ? undefined : `"hundredBlock" needs a street address the gateway can read: map "${field.name}" with "normalize: address"`;
      case 'round':
      case 'snap': {
        const floats = mapping.kind === 'scalar' ? named.name === 'Float' : [...mapping.fields.keys()].every((name) => getNamedType((named as GraphQLObjectType).getFields()[name]!.type).name === 'Float');
        return floats ? undefined : `"${rule.kind}" is for coordinates (Float fields, or an object of Float fields such as location), and ${typeShown}`;
      }
      case 'truncate':
        return mapping.kind === 'scalar' && (named.name === 'DateTime' || named.name === 'Date') ? undefined : `"truncate" is for DateTime and Date fields, and ${typeShown}`;
    }
  }

  function resolveRows(role: string, path: KeyPath, rows: RawRoleAccess['rows']): RoleAccess['rows'] | undefined {
    if (rows === undefined || !isMap(rows) || rejected(path)) return undefined;
    const before = problems.length;
    if (rows.exclude !== undefined) checkFilter([...path, 'exclude'], rows.exclude);
    if (rows.scopeField !== undefined) checkScopeField(role, [...path, 'scopeField'], rows.scopeField);
    if (rows.withheldWith !== undefined) checkWithheldWith([...path, 'withheldWith'], rows.withheldWith);
    if (problems.length > before) return undefined;
    // An empty `rows: {}` lifts the row's own exclusions inherited from another role; the rows
    // linked by joins are still followed unless `withheldWith` says otherwise.
    const resolved: NonNullable<RoleAccess['rows']> = { at: source.keyAt(path) };
    if (rows.exclude !== undefined) resolved.exclude = plain(rows.exclude) as Record<string, unknown>;
    if (rows.scopeField !== undefined) resolved.scopeField = rows.scopeField;
    if (rows.withheldWith !== undefined) resolved.withheldWith = [...rows.withheldWith];
    return resolved;
  }

  /** Each entry names a join of this dataset to one row. */
  function checkWithheldWith(path: KeyPath, names: readonly string[]) {
    if (rejected(path) || !Array.isArray(names)) return;
    const toOne = [...context.joins].filter(([, join]) => !join.many).map(([name]) => name);
    names.forEach((name, index) => {
      const join = context.joins.get(name);
      const itemPath: KeyPath = [...path, index];
      if (!join) {
        const known = toOne.length > 0 ? `; its joins to one row: ${toOne.join(', ')}` : '; it declares no join to one row under "joins"';
        report('error', itemPath, `withheldWith: ${typeName} has no join "${name}"${didYouMean(name, context.joins.keys(), { ignoreCase: true })}${known}`, 'value');
      } else if (join.many) {
        report('error', itemPath, `withheldWith: "${name}" gives many rows (many: true); a row is withheld with the one row a join to one row links it to`, 'value');
      }
    });
  }

  function checkScopeField(role: string, path: KeyPath, name: string) {
    const written = shown(source, path, name);
    const field = publicFields[name];
    const mapping = fields.get(name);
    let problem: string | undefined;
    if (!field) problem = `scopeField ${written} is not a field of ${typeName}${didYouMean(name, fields.keys(), { ignoreCase: true })}`;
    else if (!context.written.has(name)) problem = `scopeField ${written} must be mapped under "fields"`;
    else if (!mapping) return;
    else if (mapping.kind !== 'scalar' || getNamedType(field.type).name !== 'String') problem = `scopeField ${written} must be a String field holding a department's name, not ${String(field.type)}`;
    else if (roles && roles.roles.find((definition) => definition.name === role)?.perDepartment !== true) {
      problem = `scopeField keeps the rows of the caller's department, but "${role}" is not a per-department role (perDepartment: true in roles.yaml)`;
    }
    if (problem) report('error', path, problem, 'value');
  }

  /** A filter as the public API would take it: fields (mapped), and/or/not, operators that fit each field's type. */
  function checkFilter(path: KeyPath, filter: unknown) {
    if (!isMap(filter) || rejected(path)) return;
    for (const [name, value] of Object.entries(filter)) {
      const entryPath: KeyPath = [...path, name];
      if (name === 'and' || name === 'or') {
        if (Array.isArray(value)) value.forEach((item, index) => checkFilter([...entryPath, index], item));
        continue;
      }
      if (name === 'not') {
        checkFilter(entryPath, value);
        continue;
      }
      const field = publicFields[name];
      const join = field ? undefined : context.joins.get(name);
      if (join) {
        checkJoinedFilter(entryPath, name, join, value);
        continue;
      }
      if (!field) {
        const joins = [...context.joins].filter(([, candidate]) => !candidate.many).map(([joinName]) => joinName);
        report('error', entryPath, `${typeName} has no field "${name}" to filter on${didYouMean(name, [...fields.keys(), ...joins, ...COMBINATORS], { ignoreCase: true })}`);
        continue;
      }
      if (!context.written.has(name)) {
        report('error', entryPath, `"${name}" must be mapped under "fields" to filter on it`);
        continue;
      }
      const mapping = fields.get(name);
      if (!mapping || !isMap(value) || rejected(entryPath)) continue;
      if (mapping.kind === 'scalar') {
        checkCondition(entryPath, value, getNamedType(field.type), name);
        continue;
      }
      const objectType = getNamedType(field.type) as GraphQLObjectType;
      for (const [subName, condition] of Object.entries(value)) {
        const subPath: KeyPath = [...entryPath, subName];
        const subField = objectType.getFields()[subName];
        if (!subField || !mapping.fields.has(subName)) {
          const hint = OPERATORS.includes(subName) ? `: "${name}" is made of several values, so give conditions for each, e.g. { ${[...mapping.fields.keys()][0] ?? 'field'}: { ${subName}: … } }` : didYouMean(subName, mapping.fields.keys());
          report('error', subPath, `${objectType.name} field "${subName}" is not mapped in "${name}"${hint}`);
          continue;
        }
        if (isMap(condition)) checkCondition(subPath, condition, getNamedType(subField.type), `${name}.${subName}`);
        else report('error', subPath, `expected conditions such as { eq: … }, got ${describe(condition)}`, 'value');
      }
    }
  }

  /**
   * A join to one row standing for a field: conditions on the row it links to, combined with
   * and/or/not, on that type's single values. Whether the other file maps those fields is
   * checked once every file is read (see row-joins.ts).
   */
  function checkJoinedFilter(path: KeyPath, joinName: string, join: { many: boolean; target: GraphQLObjectType | undefined }, filter: unknown) {
    if (join.many) {
      report('error', path, `"${joinName}" gives many rows (many: true); a row rule can look only at the one row a join to one row links to`);
      return;
    }
    const target = join.target;
    if (!target || !isMap(filter) || rejected(path)) return;
    for (const [name, value] of Object.entries(filter)) {
      const entryPath: KeyPath = [...path, name];
      if (name === 'and' || name === 'or') {
        if (Array.isArray(value)) value.forEach((item, index) => checkJoinedFilter([...entryPath, index], joinName, join, item));
        continue;
      }
      if (name === 'not') {
        checkJoinedFilter(entryPath, joinName, join, value);
        continue;
      }
      const field = target.getFields()[name];
      const named = field && getNamedType(field.type);
      if (!field || !named || isObjectType(named) || isListType(getNullableType(field.type))) {
        const singles = Object.values(target.getFields()).filter((candidate) => isLeafType(getNamedType(candidate.type)) && !isListType(getNullableType(candidate.type)));
        const hint = field ? ': a row rule compares single values of the linked row' : didYouMean(name, singles.map((candidate) => candidate.name), { ignoreCase: true });
        report('error', entryPath, `${target.name} (linked by "${joinName}") has no single-value field "${name}" to filter on${hint}`);
        continue;
      }
      if (isMap(value) && !rejected(entryPath)) checkCondition(entryPath, value, named, `${joinName}.${name}`);
      else if (!rejected(entryPath)) report('error', entryPath, `expected conditions such as { eq: … }, got ${describe(value)}`, 'value');
    }
  }

  function checkCondition(path: KeyPath, condition: Record<string, unknown>, named: GraphQLNamedType, label: string) {
    const allowed = operatorsFor(named);
    for (const [operator, value] of Object.entries(condition)) {
      const opPath: KeyPath = [...path, operator];
      if (!allowed.includes(operator)) {
        const known = OPERATORS.includes(operator);
        report(
          'error',
          opPath,
          known
            ? `"${operator}" cannot be used on "${label}" (${named.name}); use one of ${allowed.join(', ')}`
            : `unknown condition "${operator}"${didYouMean(operator, allowed)}; "${label}" (${named.name}) takes ${allowed.join(', ')}`,
        );
        continue;
      }
      if (rejected(opPath) || operator === 'isNull') continue;
      const values = operator === 'in' && Array.isArray(value) ? value.map((item, index) => [item, [...opPath, index]] as const) : [[value, opPath] as const];
      for (const [item, itemPath] of values) {
        const problem = valueMisfit(named, item, shown(source, itemPath, item));
        if (problem) report('error', itemPath, `${operator}: ${problem}`, 'value');
      }
    }
  }

  function operatorsFor(named: GraphQLNamedType): string[] {
    if (isEnumType(named)) return ['eq', 'ne', 'in', 'isNull'];
    const input = context.schema.getType(`${named.name}Filter`);
    return isInputObjectType(input) ? Object.keys(input.getFields()) : OPERATORS;
  }

  /**
   * With roles.yaml's inheritance applied: warn about each field some role has no rule for
   * (it is hidden from them, fail closed), and check that every role that sees rows sees
   * their key in a form that keeps them apart.
   */
  function checkCoverage(config: RolesConfig) {
    const byName = new Map(config.roles.map((role) => [role.name, role]));
    const chainOf = (name: string) => {
      const chain: string[] = [];
      for (let role = byName.get(name); role && !chain.includes(role.name); role = role.inherits === undefined ? undefined : byName.get(role.inherits)) chain.push(role.name);
      return chain;
    };
    /** The role whose rule applies, and the rule ('broken' when it was written but rejected). */
    const effective = (role: string, field: string): { from: string; rule: FieldRule | 'broken' } | undefined => {
      for (const name of chainOf(role)) {
        const rule = access.get(name)?.fields.get(field);
        if (rule) return { from: name, rule };
        if (declaredBroken.get(name)?.has(field)) return { from: name, rule: 'broken' };
      }
      return undefined;
    };

    for (const name of fields.keys()) {
      const missing = config.roles.filter((role) => !effective(role.name, name)).map((role) => role.name);
      if (missing.length === 0) continue;
      report(
        'warning',
        ['datasets', typeName, 'fields', name],
        `hidden from ${missing.join(', ')} (no rule): no access rule reaches "${name}" for ${missing.length === 1 ? 'this role' : 'these roles'}; write one under access.${missing[0]}.fields (e.g. "${name}: hidden" to confirm it)`,
      );
    }

    const key = context.keyField;
    if (!fields.has(key)) return;
    const reported = new Set<string>();
    for (const role of config.roles) {
      const sees = [...fields.keys()].some((name) => {
        const found = effective(role.name, name);
        return found !== undefined && (found.rule === 'broken' || found.rule.kind !== 'hidden');
      });
      const keyRule = effective(role.name, key);
      if (!sees || keyRule?.rule === 'broken' || (keyRule && KEY_RULES.includes(keyRule.rule.kind))) continue;
      // Point at the rule that hides the key, else at the nearest access entry of the role's chain.
      const owner = keyRule?.from ?? chainOf(role.name).find((name) => access.has(name));
      const path: KeyPath = keyRule ? [...base, owner!, 'fields', key] : owner ? [...base, owner] : base;
      if (reported.has(pointer(path))) continue;
      reported.add(pointer(path));
      const why = keyRule ? `"${(keyRule.rule as FieldRule).kind}"` : 'no rule';
      report(
        'error',
        path,
        `the key "${key}" must be visible or pseudonymize for every role that sees ${typeName} rows, or rows could not be told apart consistently; "${role.name}" sees other fields but its key rule is ${why}${keyRule && keyRule.from !== role.name ? ` (inherited from "${keyRule.from}")` : ''}`,
      );
    }
  }
}

/** Why `value` cannot be compared with a field of type `named`, or undefined when it can. */
function valueMisfit(named: GraphQLNamedType, value: unknown, written: string): string | undefined {
  if (isEnumType(named)) {
    const names = named.getValues().map((enumValue) => enumValue.name);
    if (typeof value === 'string' && names.includes(value)) return undefined;
    const hint = written.startsWith('the value of') ? '' : didYouMean(String(value), names, { ignoreCase: true });
    return `${written} is not a ${named.name} value${hint}; allowed: ${names.join(', ')}`;
  }
  switch (named.name) {
    case 'Int':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : `${written} is not an Int (a whole number)`;
    case 'Float':
      return typeof value === 'number' ? undefined : `${written} is not a Float (a number)`;
    case 'Boolean':
      return typeof value === 'boolean' ? undefined : `${written} is not a Boolean (true or false)`;
    case 'DateTime':
    case 'Date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : `${written} is not a ${named.name} (write it as ISO 8601 text, e.g. 2024-03-05)`;
    default:
      return typeof value === 'string' || typeof value === 'number' ? undefined : `${written} is not text`;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : typeof value === 'string' ? 'text' : `a ${typeof value}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy with ordinary prototypes (the YAML data has none), for code downstream. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}
