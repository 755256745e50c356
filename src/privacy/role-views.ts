/**
 * Each role's view of the served datasets, built from the mappings' access rules: the
 * datasets its publication level allows, the fields it may read (a field with no rule for
 * the role is hidden: fail closed), the transform of each field it reads in altered form,
 * and a source that only ever returns the rows it may see (rows hanging off rows withheld
 * from it included, see row-rules.ts) and the join keys it may read. Each role's schema is
 * generated from its view alone, so nothing outside the view can be asked for.
 */
import type { RoleDefinition, RolesConfig } from '../config/roles.js';
import type { Secret } from '../config/secret.js';
import { readsRaw, type FieldBinding, type JoinBinding, type ServedDataset } from '../plan/served-dataset.js';
import { departmentSlug } from '../request/authenticate.js';
import type { RoleView } from '../schema/role-schema.js';
import { effectiveRule, minimumCellCount, noAccessReason, roleChain } from './access-rules.js';
import { maskedSource } from './masked-keys.js';
import { PlaceTable, placedPosition, positionParts } from './place-points.js';
import { resolveCondition } from './resolve-rows.js';
import { restrictedSource } from './restricted-source.js';
import { roleRowRules, type RoleRowRule } from './row-rules.js';
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

export interface ViewOptions {
  roles: RolesConfig;
  pseudonymKey: Secret | undefined;
}

export function buildRoleViews(datasets: readonly ServedDataset[], options: ViewOptions): RoleView[] {
  const { roles } = options;
  const departments = new Map(datasets.map((dataset) => [departmentSlug(dataset.connector.department), dataset.connector.department]));
  const publicRole: ConcreteRole = { name: roles.publicRole, base: roles.roles.find((role) => role.name === roles.publicRole)! };

  return concreteRoles(roles, [...departments.keys()]).map((role) => {
    const chains = new Map<string, RoleDefinition[]>();
    const fields = new Map<string, ViewFields>();
    // One table of places for all the role's datasets, so that a block serves one point in each.
    const places = new PlaceTable();
    for (const dataset of datasets) {
      const rules = chain(roles, role, dataset);
      if (noAccessReason(roles, rules, dataset.mapping)) continue;
      const viewFields = fieldsOf(dataset, rules, chain(roles, publicRole, dataset), options, places);
      // Rows that cannot be told apart cannot be served consistently.
      if (viewFields.fields.get(dataset.mapping.keyField)?.kind !== 'scalar') continue;
      chains.set(dataset.type.name, rules);
      fields.set(dataset.type.name, viewFields);
    }
    const rowRules = roleRowRules(datasets, chains, role.department && departments.get(role.department));
    const views = new Map<string, ServedDataset>();
    for (const dataset of datasets) {
      const viewFields = fields.get(dataset.type.name);
      if (viewFields) views.set(dataset.type.name, viewOf(dataset, viewFields, rowRules.get(dataset.type.name)!, views, minimumCellCount(roles, chains.get(dataset.type.name)!, dataset.mapping)));
    }
    for (const dataset of datasets) {
      const view = views.get(dataset.type.name);
      if (view) bindViewJoins(dataset, view, views);
    }
    return { role: role.name, limits: role.base.limits, datasets: [...views.values()], places };
  });
}

interface ViewFields {
  fields: Map<string, FieldBinding>;
  audited: Set<string>;
}

/** The fields the role reads, each through its rule's transform; `audited`: those it reads raw and the public does not. */
function fieldsOf(dataset: ServedDataset, rules: RoleDefinition[], publicRules: RoleDefinition[], options: ViewOptions, places: PlaceTable): ViewFields {
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
    // A position rounded or snapped is generalised per place, not per record (see place-points.ts).
    if (binding.kind === 'object' && positionParts(binding) && (rule.kind === 'round' || rule.kind === 'snap')) fields.set(name, placedPosition(dataset, binding, rule, places));
    else fields.set(name, readThrough(binding, rule, context));
  }
  return { fields, audited };
}

function withTransform(binding: FieldBinding, transform: (value: unknown) => unknown): FieldBinding {
  return binding.kind === 'scalar' ? { ...binding, scalar: { ...binding.scalar, transform } } : { ...binding, transform };
}

function viewOf(dataset: ServedDataset, viewFields: ViewFields, rowRule: RoleRowRule, views: ReadonlyMap<string, ServedDataset>, cellMinimum: number | undefined): ServedDataset {
  const fields = new Map(viewFields.fields);
  for (const name of rowRule.nulled) {
    const binding = fields.get(name);
    if (binding) fields.set(name, withTransform(binding, () => null));
  }
  for (const join of rowRule.masked) {
    const binding = fields.get(join.mapping.from);
    // Masked by the role's source; read as transformed so that no filter, order or grouping compares its raw values.
    if (binding?.kind === 'scalar') fields.set(join.mapping.from, withTransform(binding, binding.scalar.transform ?? ((value) => value)));
  }
  const key = fields.get(dataset.mapping.keyField) as Extract<FieldBinding, { kind: 'scalar' }>;
  const address = dataset.address && fields.get(dataset.address.path);
  const { visible, masked } = rowRule;
  return {
    ...dataset,
    fields,
    key: key.scalar,
    sourceFor: (request) => {
      let source = dataset.sourceFor(request);
      if (visible) source = restrictedSource(source, () => request.once(rowRule, () => resolveCondition(visible, dataset, request)));
      if (masked.length > 0) {
        const keys = masked.map((join) => ({ join, owner: dataset.connector.name, readable: views.get(join.target.type.name)! }));
        source = maskedSource(source, keys, request);
      }
      return source;
    },
    joins: new Map(),
    address: address?.kind === 'scalar' && readsRaw(address) ? address.scalar : undefined,
    byId: readsRaw(key),
    minimumCellCount: cellMinimum,
    audited: viewFields.audited,
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
