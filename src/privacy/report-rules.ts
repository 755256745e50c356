/**
 * The privacy review's reading of the access rules: for one role on one of its own
 * department's datasets, the effective field rule, row rule and minimum cell count after
 * inheritance, in words a reviewer signs off. It follows the engine (src/privacy/role-views.ts):
 * the nearest role of the inheritance chain that declares something wins, a field no role of
 * the chain declares is hidden (fail closed), and the publication level decides who sees the
 * dataset at all.
 */
import type { DatasetMapping, FieldRule, RoleAccess } from '../config/mapping.js';
import type { RoleDefinition, RolesConfig } from '../config/roles.js';
import { effectiveRule, minimumCellCount, nearest, roleChain } from './access-rules.js';

export { effectiveRule, noAccessReason } from './access-rules.js';

/** One cell of the matrix, with the words shared by the Markdown and the HTML report. */
export interface ReportCell {
  /**
   * own: the role declares it; inherited: a role it inherits from does; failClosed: no role of
   * the chain declares a field rule, so the field is hidden; none: no row rule or cell minimum
   * anywhere in the chain; noAccess: the role cannot see the dataset.
   */
  kind: 'own' | 'inherited' | 'failClosed' | 'none' | 'noAccess';
  text: string;
}

export const NO_ACCESS_TEXT = '—';
export const FAIL_CLOSED_TEXT = '✗ hidden (no rule)';

/** The chain of a report column: a role on its own department's datasets. */
export function inheritanceChain(roles: RolesConfig, role: RoleDefinition): RoleDefinition[] {
  return roleChain(roles, role, true);
}

export function fieldCell(chain: readonly RoleDefinition[], dataset: DatasetMapping, field: string, coordinates: boolean): ReportCell {
  const { rule, from } = effectiveRule(chain, dataset, field);
  if (!from) return { kind: 'failClosed', text: FAIL_CLOSED_TEXT };
  const words = ruleText(rule, coordinates);
  return from === chain[0] ? { kind: 'own', text: words } : { kind: 'inherited', text: `↑ ${words} (from ${from.name})` };
}

export function rowRuleCell(chain: readonly RoleDefinition[], dataset: DatasetMapping): ReportCell {
  const found = nearest(chain, dataset, (access) => access.rows);
  if (!found) return { kind: 'none', text: 'no row restriction' };
  const words = rowsText(found.value);
  return found.from === chain[0] ? { kind: 'own', text: words } : { kind: 'inherited', text: `↑ inherits ${found.from.name}'s row rules: ${words}` };
}

export function minimumCellCountCell(roles: RolesConfig, chain: readonly RoleDefinition[], dataset: DatasetMapping): ReportCell {
  const threshold = minimumCellCount(roles, chain, dataset);
  if (threshold === undefined) return { kind: 'none', text: 'none' };
  const declared = chain[0] && dataset.access.get(chain[0].name)?.minimumCellCount !== undefined;
  return { kind: 'own', text: declared ? String(threshold) : `${threshold} (default for the public role)` };
}

/** A rule in a reviewer's words. `coordinates`: the value is a position in degrees, so precision reads as a distance. */
export function ruleText(rule: FieldRule, coordinates = false): string {
  switch (rule.kind) {
    case 'visible':
      return 'visible';
    case 'hidden':
      return 'hidden';
    case 'null':
      return 'always null';
    case 'mask':
      return rule.keepLast === 0 ? 'masked entirely' : `masked: last ${rule.keepLast} kept`;
    case 'pseudonymize':
      return 'pseudonym';
    case 'hundredBlock':
      return 'hundred block';
    case 'round': {
      const places = rule.decimals === 1 ? '1 decimal' : `${rule.decimals} decimals`;
      return coordinates ? `rounded to ${places} (≈${distance(111_320 / 10 ** rule.decimals)})` : `rounded to ${places}`;
    }
    case 'snap':
      return coordinates ? `snapped to ${rule.cell}° grid (≈${distance(111_320 * rule.cell)})` : `snapped to a grid of ${rule.cell}`;
    case 'truncate':
      return `cut to ${rule.unit}`;
    case 'redact':
      return 'personal data redacted';
  }
}

/** Metres of latitude, to two significant figures. */
function distance(metres: number): string {
  const figures = (value: number) => String(Number(value.toPrecision(2)));
  if (metres >= 1000) return `${figures(metres / 1000)} km`;
  if (metres >= 1) return `${figures(metres)} m`;
  return `${figures(metres * 100)} cm`;
}

export function rowsText(rows: NonNullable<RoleAccess['rows']>): string {
  const parts: string[] = [];
  if (rows.exclude && Object.keys(rows.exclude).length > 0) parts.push(`rows where ${filterText(rows.exclude)} are withheld`);
  if (rows.scopeField) parts.push(`only rows whose ${rows.scopeField} is the caller's department`);
  return parts.length > 0 ? parts.join('; ') : 'no row restriction';
}

const OPERATORS: Record<string, (path: string, value: unknown) => string> = {
  eq: (path, value) => `${path} = ${valueText(value)}`,
  ne: (path, value) => `${path} ≠ ${valueText(value)}`,
  in: (path, value) => `${path} in ${valueText(value)}`,
  lt: (path, value) => `${path} < ${valueText(value)}`,
  lte: (path, value) => `${path} ≤ ${valueText(value)}`,
  gt: (path, value) => `${path} > ${valueText(value)}`,
  gte: (path, value) => `${path} ≥ ${valueText(value)}`,
  contains: (path, value) => `${path} contains ${valueText(value)}`,
  startsWith: (path, value) => `${path} starts with ${valueText(value)}`,
  isNull: (path, value) => (value === false ? `${path} is not empty` : `${path} is empty`),
};

/** A filter written like the public API's, in words: `serviceCode in [HOMELESS, ELDERCHK] and not (status = CLOSED)`. */
export function filterText(filter: Record<string, unknown>): string {
  const parts = Object.entries(filter).map(([key, value]) => {
    if (key === 'and' || key === 'or') {
      const items = (Array.isArray(value) ? value : [value]).map((item) => filterText(asRecord(item)));
      return items.length === 1 ? items[0]! : `(${items.map((item) => `(${item})`).join(` ${key} `)})`;
    }
    if (key === 'not') return `not (${filterText(asRecord(value))})`;
    return conditionText(key, value);
  });
  return parts.join(' and ');
}

function conditionText(path: string, condition: unknown): string {
  if (!isRecord(condition)) return `${path} = ${valueText(condition)}`;
  return Object.entries(condition)
    .map(([key, value]) => {
      const operator = OPERATORS[key];
      return operator ? operator(path, value) : conditionText(`${path}.${key}`, value);
    })
    .join(' and ');
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`;
  if (typeof value === 'string') return /^[A-Za-z0-9_.:-]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  if (isRecord(value)) return JSON.stringify(value);
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : { '?': value };
}
