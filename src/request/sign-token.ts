/**
 * Signs a bearer token for a role of roles.yaml with the gateway's own HS256 secret, as the
 * gateway verifies it (issuer, audience, role and department claims, an expiry): what
 * `civicgraph token` prints and the demo's sample credentials are. A gateway that verifies
 * with a PEM public key or a JWKS URL accepts only its identity provider's tokens, which
 * nothing here can sign.
 */
import { SignJWT } from 'jose';
import type { JwtSettings } from '../config/roles.js';
import type { Secret } from '../config/secret.js';

export interface RoleToken {
  role: string;
  /** For a per-department role: the department, as the mapping files name it. */
  department?: string;
  /** Who holds the token: the `sub` that audit lines and rate limits count by. */
  subject: string;
  /** How long it holds, as jose reads a period: `8h`, `30m`, `7 days`. */
  expiresIn: string;
}

/** @throws TypeError when `expiresIn` is not a period jose reads. */
export async function signRoleToken(jwt: JwtSettings & { secret: Secret }, token: RoleToken): Promise<string> {
  const claims: Record<string, string> = { [jwt.roleClaim]: token.role };
  if (token.department !== undefined) claims[jwt.departmentClaim] = token.department;
  let builder = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(token.subject).setIssuedAt().setExpirationTime(token.expiresIn);
  if (jwt.issuer !== undefined) builder = builder.setIssuer(jwt.issuer);
  if (jwt.audience !== undefined) builder = builder.setAudience(jwt.audience);
  return builder.sign(new TextEncoder().encode(jwt.secret.reveal()));
}
