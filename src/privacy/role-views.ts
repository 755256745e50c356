/**
 * Each role's view of the served datasets, built from the mappings' access rules: the
 * datasets its publication level allows, the fields it may read (a field with no rule for
 * the role is hidden: fail closed), the transform of each field it reads in altered form,
 * and a source that only ever returns the rows it may see. Each role's schema is generated
 * from its view alone, so nothing outside the view can be asked for.
 */
import type { RoleDefinition, RolesConfig } from '../config/roles.js';
import type { Secret } from '../config/secret.js';
import { planFilter, type FilterInput } from '../plan/filter.js';
import { readsRaw, type FieldBinding, type JoinBinding, type ServedDataset } from '../plan/served-dataset.js';
import { departmentSlug } from '../request/authenticate.js';
import type { RoleView } from '../schema/role-schema.js';
import type { Predicate } from '../source/source.js';
import { effectiveRule, minimumCellCount, nearest, noAccessReason, roleChain } from './access-rules.js';
import { restrictedSource } from './restricted-source.js';
import { readThrough } from './served-forms.js';

/** A role a caller can hold: a role of roles.yaml, for one department when it is per-department. */
export interface ConcreteRole {
  name: string;
  base: RoleDefinition;
  department?: string;
}

/** The role a per-department caller falls back to where no mapping names their department: the nearest shared ancestor. */
export function sharedRole(roles: RolesConfig, baseRole: string): string {
  const byName = new Map(roles.roles.map((definition) => [definition.name, definition]));
  let current = byName.get(baseRole);
  while (current?.perDepartment) current = current.inherits ? byName.get(current.inherits) : undefined;
  return current?.name ?? roles.publicRole;
}

export function concreteRoles(roles: RolesConfig, departmentSlugs: readonly string[]): ConcreteRole[] {
  return roles.roles.flatMap((base) =>
    base.perDepartment ? departmentSlugs.map((department) => ({ name: `${base.name}:${department}`, base, department })) : [{ name: base.name, base }],
  );
}

/** The chain of roles whose rules apply to a concrete role on one dataset. */
function chain(roles: RolesConfig, role: ConcreteRole, dataset: ServedDataset): RoleDefinition[] {
  return roleChain(roles, role.base, role.department !== undefined && role.department === departmentSlug(dataset.connector.department));
}

function rowRule(rules: RoleDefinition[], dataset: ServedDataset, departmentName: string | undefined): Predicate | undefined {
  const rows = nearest(rules, dataset.mapping, (access) => access.rows)?.value;
  if (!rows) return undefined;
  const parts: Predicate[] = [];
  // Planned over the whole dataset: a row rule may name fields the role itself cannot read.
  const excluded = rows.exclude && planFilter(dataset, rows.exclude as FilterInput, 'rows.exclude');
  if (excluded) parts.push({ kind: 'not', item: excluded });
  if (rows.scopeField) {
    const scoped = departmentName === undefined ? undefined : planFilter(dataset, { [rows.scopeField]: { eq: departmentName } }, 'rows.scopeField');
    parts.push(scoped ?? { kind: 'constant', value: false });
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: 'and', items: parts };
}

export interface ViewOptions {
  roles: RolesConfig;
  pseudonymKey: Secret | undefined;
}

export function buildRoleViews(datasets: readonly ServedDataset[], options: ViewOptions): RoleView[] {
  const { roles } = options;
  const departments = new Map(datasets.map((dataset) => [departmentSlug(dataset.connector.department), dataset.connector.department]));
  const publicRole: ConcreteRole = { name: roles.publicRole, base: roles.roles.find((role) => role.name === roles.publicRole)! };

  return concreteRoles(roles, [...departments.keys()]).map((role) => {
    const views = new Map<string, ServedDataset>();
    for (const dataset of datasets) {
      const rules = chain(roles, role, dataset);
      if (noAccessReason(roles, rules, dataset.mapping)) continue;
      const view = viewOf(dataset, rules, chain(roles, publicRole, dataset), options, role.department && departments.get(role.department));
      if (view) views.set(dataset.type.name, view);
    }
    for (const dataset of datasets) {
      const view = views.get(dataset.type.name);
      if (view) bindViewJoins(dataset, view, views);
    }
    return { role: role.name, limits: role.base.limits, datasets: [...views.values()] };
  });
}

function viewOf(
  dataset: ServedDataset,
  rules: RoleDefinition[],
  publicRules: RoleDefinition[],
  options: ViewOptions,
  departmentName: string | undefined,
): ServedDataset | undefined {
  const context = { pseudonymKey: options.pseudonymKey };
  const fields = new Map<string, FieldBinding>();
  const audited = new Set<string>();
  for (const [name, binding] of dataset.fields) {
    const { rule } = effectiveRule(rules, dataset.mapping, name);
    if (rule.kind === 'hidden') continue;
    if (rule.kind === 'visible') {
      fields.set(name, binding);
      if (effectiveRule(publicRules, dataset.mapping, name).rule.kind !== 'visible') audited.add(name);
      continue;
    }
    fields.set(name, readThrough(binding, rule, context));
  }
  const key = fields.get(dataset.mapping.keyField);
  // Rows that cannot be told apart cannot be served consistently.
  if (key?.kind !== 'scalar') return undefined;

  const restriction = rowRule(rules, dataset, departmentName);
  const address = dataset.address && fields.get(dataset.address.path);
  return {
    ...dataset,
    fields,
    key: key.scalar,
    source: restriction ? restrictedSource(dataset.source, restriction) : dataset.source,
    joins: new Map(),
    address: address?.kind === 'scalar' && readsRaw(address) ? address.scalar : undefined,
    byId: readsRaw(key),
    minimumCellCount: minimumCellCount(options.roles, rules, dataset.mapping),
    audited,
  };
}

/** A join is offered only when the role reads both of its keys raw, in views it can see. */
function bindViewJoins(dataset: ServedDataset, view: ServedDataset, views: ReadonlyMap<string, ServedDataset>): void {
  for (const [name, join] of dataset.joins) {
    const target = views.get(join.target.type.name);
    const from = view.fields.get(join.mapping.from);
    const to = target?.fields.get(join.mapping.to);
    if (!target || from?.kind !== 'scalar' || to?.kind !== 'scalar' || !readsRaw(from) || !readsRaw(to)) continue;
    const bound: JoinBinding = { mapping: join.mapping, target, from: from.scalar, to: to.scalar };
    view.joins.set(name, bound);
  }
}
