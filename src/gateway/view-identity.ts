/**
 * What identifies a role's view for the response cache: a digest of everything views are built
 * from (every mapping as loaded, `${VAR}`s resolved; roles.yaml; the public schema; the
 * pseudonym key) with the role's name and its generated schema. Two roles, or two departments
 * of one per-department role, or one role before and after a reload, never share a digest, so
 * they never share an answer; two gateways (or workers) loaded with the same files and
 * environment compute the same one, so they share one cache through Redis.
 */
import { createHash } from 'node:crypto';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { ConnectorMapping } from '../config/mapping.js';
import type { RolesConfig } from '../config/roles.js';
import { Secret } from '../config/secret.js';

export interface ViewInputs {
  mappings: readonly ConnectorMapping[];
  roles: RolesConfig;
  publicSchema: string;
  pseudonymKey: Secret | undefined;
}

export function configurationDigest({ mappings, roles, publicSchema, pseudonymKey }: ViewInputs): string {
  // Sorted by file, so that the order mapping files were read in does not matter.
  const sorted = [...mappings].sort((a, b) => a.file.localeCompare(b.file));
  return sha256(JSON.stringify([sorted, roles, publicSchema, pseudonymKey], revealing));
}

export function viewIdentity(configuration: string, role: string, schema: GraphQLSchema): string {
  return sha256(JSON.stringify([configuration, role, printSchema(schema)]));
}

/** JSON of the loaded configuration with what plain JSON would lose: Maps and Sets as entries, secrets by their digest (never themselves). */
function revealing(this: unknown, key: string, value: unknown): unknown {
  // `value` is already what toJSON made of it; a Secret's own says only '[secret]'.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Secret) return { secret: sha256(original.reveal()) };
  if (value instanceof Map) return { map: [...value] };
  if (value instanceof Set) return { set: [...value] };
  return value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}
