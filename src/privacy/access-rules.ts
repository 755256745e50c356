/**
 * How a role's access to one dataset follows from the mapping's rules and the roles'
 * inheritance. The gateway builds each role's view from these, and the privacy report
 * describes the same answers, so what a liaison signs off is what is served.
 */
import type { DatasetMapping, FieldRule, JoinMapping, RoleAccess } from '../config/mapping.js';
import type { RoleDefinition, RolesConfig } from '../config/roles.js';

/** Statistics cells counting fewer rows than this are suppressed for the public role unless its mapping says otherwise. */
export const DEFAULT_PUBLIC_MINIMUM_CELL_COUNT = 3;

/**
 * The roles whose rules apply to `role` on a dataset, nearest first. A per-department role
 * counts only on its own department's datasets (`ownDepartment`); elsewhere its holder is
 * what it inherits from.
 */
export function roleChain(roles: RolesConfig, role: RoleDefinition, ownDepartment: boolean): RoleDefinition[] {
  const byName = new Map(roles.roles.map((definition) => [definition.name, definition]));
  const chain: RoleDefinition[] = [];
  for (let current: RoleDefinition | undefined = role; current && !chain.includes(current); current = current.inherits ? byName.get(current.inherits) : undefined) {
    if (!current.perDepartment || ownDepartment) chain.push(current);
  }
  return chain;
}

/** The nearest role in the chain for which the dataset's access rules give a value, and that value. */
export function nearest<T>(chain: readonly RoleDefinition[], dataset: DatasetMapping, pick: (access: RoleAccess) => T | undefined): { value: T; from: RoleDefinition } | undefined {
  for (const role of chain) {
    const access = dataset.access.get(role.name);
    const value = access && pick(access);
    if (value !== undefined) return { value, from: role };
  }
  return undefined;
}

/** A field no role in the chain has a rule for is hidden: fail closed. */
export function effectiveRule(chain: readonly RoleDefinition[], dataset: DatasetMapping, field: string): { rule: FieldRule; from: RoleDefinition | undefined } {
  const found = nearest(chain, dataset, (access) => access.fields.get(field));
  return found ? { rule: found.value, from: found.from } : { rule: { kind: 'hidden' }, from: undefined };
}

/** Why the role cannot see the dataset at all, or undefined when it can. */
export function noAccessReason(roles: RolesConfig, chain: readonly RoleDefinition[], dataset: DatasetMapping): string | undefined {
  const role = chain[0];
  if (!role) return 'unknown role';
  if (dataset.publication === 'internal' && role.name === roles.publicRole) return 'no access: the dataset is internal (city staff only)';
  if (dataset.publication === 'draft' && !chain.some((member) => member.perDepartment)) return "no access: the dataset is a draft (its own department's roles only)";
  if (effectiveRule(chain, dataset, dataset.keyField).rule.kind === 'hidden') {
    return `no access: the key field ${dataset.keyField} is hidden for this role, so the dataset is not served to it`;
  }
  return undefined;
}

/**
 * The role's own small-cell threshold. It is not inherited: a role above the public one
 * reads the rows themselves. The public role has one by default.
 */
export function minimumCellCount(roles: RolesConfig, chain: readonly RoleDefinition[], dataset: DatasetMapping): number | undefined {
  const role = chain[0];
  if (!role) return undefined;
  return dataset.access.get(role.name)?.minimumCellCount ?? (role.name === roles.publicRole ? DEFAULT_PUBLIC_MINIMUM_CELL_COUNT : undefined);
}

/**
 * The joins to one row through which a withheld row withholds this dataset's rows from the
 * role: those the `withheldWith` of the nearest `rows` names, or every join to one row when it
 * names none (fail closed: declaring a relationship is enough). `declared` says which.
 * The other joins to one row are not followed; their key is then served only where it names
 * a row the role may read.
 */
export function followedJoins(chain: readonly RoleDefinition[], dataset: DatasetMapping): { followed: JoinMapping[]; unfollowed: JoinMapping[]; declared: boolean } {
  const toOne = dataset.joins.filter((join) => join.cardinality === 'one');
  // Row rules are inherited whole, as the engine's row rule is: the nearest role that declares `rows`.
  const named = nearest(chain, dataset, (access) => access.rows)?.value.withheldWith;
  if (!named) return { followed: toOne, unfollowed: [], declared: false };
  return { followed: toOne.filter((join) => named.includes(join.name)), unfollowed: toOne.filter((join) => !named.includes(join.name)), declared: true };
}
