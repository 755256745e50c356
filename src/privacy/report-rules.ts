/**
 * The privacy review's reading of the access rules: for one role on one of its own
 * department's datasets, the effective field rule, row rule and minimum cell count after
 * inheritance, in words a reviewer signs off. It follows the engine (src/privacy/role-views.ts):
 * the nearest role of the inheritance chain that declares something wins, a field no role of
 * the chain declares is hidden (fail closed), and the publication level decides who sees the
 * dataset at all.
 */
import type { DatasetMapping, FieldRule, JoinMapping, RoleAccess } from '../config/mapping.js';
import type { RoleDefinition, RolesConfig } from '../config/roles.js';
import { effectiveRule, followedJoins, minimumCellCount, nearest, noAccessReason, roleChain } from './access-rules.js';

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

/**
 * How a position is served rounded or snapped (src/privacy/place-points.ts): `placed` where the
 * dataset places its rows at a normalised street address, else `unplaced`.
 */
export type Placement = 'placed' | 'unplaced';

export function fieldCell(chain: readonly RoleDefinition[], dataset: DatasetMapping, field: string, coordinates: boolean, placement?: Placement): ReportCell {
  const { rule, from } = effectiveRule(chain, dataset, field);
  if (!from) return { kind: 'failClosed', text: FAIL_CLOSED_TEXT };
  const words = placement && (rule.kind === 'round' || rule.kind === 'snap') ? placedText(ruleText(rule, coordinates), placement) : ruleText(rule, coordinates);
  return from === chain[0] ? { kind: 'own', text: words } : { kind: 'inherited', text: `↑ ${words} (from ${from.name})` };
}

/** @param linked the joins to one row through which rows withheld from the role withhold this dataset's rows too. */
export function rowRuleCell(chain: readonly RoleDefinition[], dataset: DatasetMapping, linked: readonly JoinMapping[] = []): ReportCell {
  const found = nearest(chain, dataset, (access) => access.rows);
  const following = linked.map((join) => `rows whose ${join.name} (${join.target}) is withheld from the role are withheld too`).join('; ');
  if (!found) return following ? { kind: 'failClosed', text: following } : { kind: 'none', text: 'no row restriction' };
  const own = rowsText(found.value);
  const words = following ? (own === 'no row restriction' ? following : `${own}; ${following}`) : own;
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

/** A position rounded or snapped is served per place, never from the record's own coordinates. */
function placedText(words: string, placement: Placement): string {
  return placement === 'placed'
    ? `the point of its hundred block (one per block, in every dataset), ${words}`
    : `always null: the dataset has no normalised street address to place its rows by (${words})`;
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

/** A dataset of the report with the department that owns it, by type. */
export type ReportDatasets = ReadonlyMap<string, { mapping: DatasetMapping; department: string }>;

/**
 * How much of `target` is withheld from `role` when called by `department`'s staff, as the
 * engine (src/privacy/row-rules.ts) works it out: all of it when the role cannot see the
 * dataset; some when a row rule of its own, or a followed join to a dataset that withholds
 * rows (or that is not served), applies.
 */
function withheldShare(roles: RolesConfig, role: RoleDefinition, department: string, target: string, datasets: ReportDatasets, visiting: ReadonlySet<string>): 'none' | 'some' | 'all' {
  const entry = datasets.get(target);
  if (!entry) return 'all';
  const chain = roleChain(roles, role, entry.department === department);
  if (noAccessReason(roles, chain, entry.mapping)) return 'all';
  const rows = nearest(chain, entry.mapping, (access) => access.rows)?.value;
  if (rows?.exclude || rows?.scopeField) return 'some';
  const next = new Set([...visiting, target]);
  const linked = followedJoins(chain, entry.mapping).followed;
  return linked.some((join) => next.has(join.target) || withheldShare(roles, role, department, join.target, datasets, next) !== 'none') ? 'some' : 'none';
}

/**
 * For one role (a column of the report, on `dataset`'s own department) and one join to one
 * row: what becomes of the rows it links to a withheld row, and of its key.
 */
export function joinedRowsCells(
  roles: RolesConfig,
  role: RoleDefinition,
  dataset: DatasetMapping,
  department: string,
  join: JoinMapping,
  datasets: ReportDatasets,
): { rows: ReportCell; key: ReportCell; withholds: boolean } {
  const { followed, declared } = followedJoins(inheritanceChain(roles, role), dataset);
  const follows = followed.includes(join);
  const share = withheldShare(roles, role, department, join.target, datasets, new Set([dataset.typeName]));
  const why = declared ? (follows ? 'withheldWith names it' : 'withheldWith leaves it out') : 'the default: every join to one row is followed';
  const missing = !datasets.has(join.target);
  const unreadable = missing ? ` until ${join.target} is served` : `: this role cannot read ${join.target}`;
  if (follows) {
    const rows: ReportCell =
      share === 'none'
        ? { kind: 'none', text: `withheld with it (${why}); ${join.target} withholds no rows from this role` }
        : { kind: declared ? 'own' : 'failClosed', text: share === 'all' ? `every row linking to one is withheld (${why})${unreadable}` : `withheld with it (${why})` };
    return { rows, key: { kind: 'none', text: `${join.from} as stored: it never names a row withheld from this role` }, withholds: share !== 'none' };
  }
  const rows: ReportCell = { kind: 'own', text: `kept (${why})` };
  if (share === 'none') return { rows, key: { kind: 'none', text: `${join.from} as stored: ${join.target} withholds no rows from this role` }, withholds: false };
  return {
    rows,
    withholds: false,
    key: share === 'all' ? { kind: 'own', text: `${join.from} always null${unreadable}` } : { kind: 'own', text: `${join.from} null wherever it names a ${join.target} row this role may not read, withheld or missing alike` },
  };
}
