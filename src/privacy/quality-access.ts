/**
 * Who may see a dataset's quality profile: the owning department's liaison, and any role that
 * inherits from it, on that department's datasets only. The profile shows what no API answer
 * does — codes the mapping cannot translate, keys outside their format, the spelling of
 * addresses the public reads as null, exact counts of a few rows — so it is for the person who
 * reviews the department's data before it is published, never for `public`, `staff`, or
 * another department's liaison (whose view of this dataset is `staff`'s).
 */
import type { RolesConfig } from '../config/roles.js';
import { departmentSlug } from '../request/authenticate.js';
import { roleChain } from './access-rules.js';

/** The role of roles.yaml a profile is for: the department's open-data liaison. */
export const QUALITY_ROLE = 'liaison';

/** Whether the concrete role (`liaison:public-works`) may see the profile of a dataset of `department`. */
export function mayProfile(roles: RolesConfig, role: string, department: string): boolean {
  const [baseName, roleDepartment] = role.split(':');
  const base = roles.roles.find((definition) => definition.name === baseName);
  if (!base || roleDepartment !== departmentSlug(department)) return false;
  return roleChain(roles, base, true).some((definition) => definition.name === QUALITY_ROLE);
}

/** The concrete role a profile of a dataset of `department` is computed as. */
export function qualityRole(department: string): string {
  return `${QUALITY_ROLE}:${departmentSlug(department)}`;
}
