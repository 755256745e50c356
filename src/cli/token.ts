/**
 * `civicgraph token --role staff [--department "Public Works"] [--subject name] [--expires 8h]`:
 * a bearer token for a role, signed with the HS256 secret the gateway verifies with (read from
 * roles.yaml as `serve` reads it, so from CIVICGRAPH_JWT_SECRET in the shipped file). The token
 * goes to standard output once, everything else to standard error; the secret is never printed.
 */
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Environment } from '../config/interpolate.js';
import { loadMappings } from '../config/load-mappings.js';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import { formatProblem } from '../config/problem.js';
import type { RolesConfig } from '../config/roles.js';
import { didYouMean } from '../config/suggest.js';
import { sharedRole } from '../privacy/role-views.js';
import { departmentSlug } from '../request/authenticate.js';
import { signRoleToken } from '../request/sign-token.js';
import { loadPublicSchema } from '../schema/sdl.js';

export interface TokenOptions {
  role: string;
  department?: string;
  /** Who will use the token; default `token:<role>[:<department>]`. */
  subject?: string;
  /** A period such as `8h`, `30m`, `7 days`. */
  expires: string;
  connectorsDir: string;
  schemasDir: string;
  env?: Environment;
  print?: (line: string) => void;
  printError?: (line: string) => void;
}

/** Returns the process exit code: 1, with the reason on standard error, when no token can be signed. */
export async function token(options: TokenOptions): Promise<number> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const printError = options.printError ?? ((line: string) => process.stderr.write(`${line}\n`));
  const refuse = (message: string) => {
    printError(`civicgraph token: ${message}`);
    return 1;
  };

  const rolesFile = join(options.connectorsDir, ROLES_FILE);
  const { roles, problems } = await loadRoles(rolesFile, env);
  for (const problem of problems) printError(formatProblem(problem));
  if (!roles) return refuse(`${ROLES_FILE} does not load (above), so no role can be vouched for`);
  const jwt = roles.jwt;
  if (jwt?.publicKey !== undefined || jwt?.jwksUrl !== undefined) {
    const how = jwt.publicKey !== undefined ? 'a PEM public key (authentication.jwt.publicKey)' : 'a JWKS URL (authentication.jwt.jwksUrl)';
    return refuse(`the gateway verifies tokens with ${how}: they are signed by your identity provider, which holds the private key; get one there (this command signs only with an HS256 secret)`);
  }
  const secret = jwt?.secret;
  if (!jwt || !secret) {
    return refuse(`no HS256 secret is configured: set CIVICGRAPH_JWT_SECRET (what ${ROLES_FILE}'s authentication.jwt.secret reads) to the secret the gateway runs with; without one the gateway refuses every token`);
  }

  const names = roles.roles.map((role) => role.name);
  const role = roles.roles.find((candidate) => candidate.name === options.role);
  if (!role) return refuse(`no role "${options.role}" in ${ROLES_FILE}${didYouMean(options.role, names, { ignoreCase: true })}; its roles: ${names.join(', ')}`);
  if (role.name === roles.publicRole) return refuse(`"${role.name}" is the role of callers without a token: send none`);

  let department: string | undefined;
  if (role.perDepartment) {
    const known = await departments(options, env, roles);
    const quoted = known.map((name) => `"${name}"`).join(', ');
    const listed = known.length > 0 ? ` (${quoted})` : '';
    if (options.department === undefined || departmentSlug(options.department) === '') {
      return refuse(`role "${role.name}" is held for one department: name it with --department${listed}`);
    }
    const match = known.find((name) => departmentSlug(name) === departmentSlug(options.department!));
    if (known.length > 0 && !match) {
      return refuse(`no mapping file names the department "${options.department}"${didYouMean(options.department, known, { ignoreCase: true })}; the mapping files name ${quoted}`);
    }
    if (known.length === 0) printError(`no mapping file in ${options.connectorsDir} names a department to check "${options.department}" against; until one does, the token acts as ${sharedRole(roles, role.name)}`);
    department = match ?? options.department;
  } else if (options.department !== undefined) {
    return refuse(`role "${role.name}" is not held for a department, so the gateway ignores --department: leave it out`);
  }

  const subject = options.subject ?? `token:${role.name}${department === undefined ? '' : `:${departmentSlug(department)}`}`;
  let signed: string;
  try {
    signed = await signRoleToken({ ...jwt, secret }, { role: role.name, subject, expiresIn: options.expires, ...(department !== undefined ? { department } : {}) });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return refuse(`--expires "${options.expires}" is not a period such as 8h, 30m or 7 days`);
  }
  const { exp, iat } = decodeJwt(signed);
  if (exp === undefined || iat === undefined || exp <= iat) return refuse(`--expires "${options.expires}" must be a period in the future, such as 8h`);
  print(signed);
  const held = department === undefined ? `role ${role.name}` : `role ${role.name} in ${department}`;
  printError(`A token for ${held}, subject "${subject}", until ${new Date(exp * 1000).toISOString()}. Send it as Authorization: Bearer <token>; anyone holding it reads as ${held}.`);
  return 0;
}

/** The departments the mapping files name (the ones that load), to check --department against. */
async function departments(options: TokenOptions, env: Environment, roles: RolesConfig): Promise<string[]> {
  const { schema } = await loadPublicSchema(options.schemasDir);
  const loaded = await loadMappings(options.connectorsDir, schema, { env, roles });
  return [...new Set(loaded.mappings.map((mapping) => mapping.department))].sort();
}
