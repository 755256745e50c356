/**
 * Credentials for trying each role against the demo gateway: long-lived HS256 tokens signed
 * with the configured shared secret, and an app-token example. For the demo command to print;
 * never for a production gateway (it refuses unless `jwt.secret` is set, i.e. HS256 is in use).
 */
import { SignJWT } from 'jose';
import type { RolesConfig } from '../config/roles.js';
import { departmentSlug } from './authenticate.js';

export interface DemoCredential {
  /** The role the credential runs as, e.g. 'staff' or 'department:311-customer-service'. */
  role: string;
  /** The HTTP header to send it in. */
  header: 'Authorization' | 'X-App-Token';
  /** The header's value, e.g. 'Bearer eyJ…'. */
  value: string;
}

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * One token per role above the public role (one per department in `departments` for a
 * per-department role), when `config.jwt.secret` is set; then, when app tokens are configured,
 * the first one as an `X-App-Token` example (it runs as the public role).
 */
export async function demoCredentials(config: RolesConfig, departments: string[]): Promise<DemoCredential[]> {
  const credentials: DemoCredential[] = [];
  const jwt = config.jwt;
  if (jwt?.secret) {
    const key = new TextEncoder().encode(jwt.secret.reveal());
    const now = Math.floor(Date.now() / 1000);
    const sign = async (claims: Record<string, string>, subject: string): Promise<string> => {
      let builder = new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + ONE_YEAR_SECONDS);
      if (jwt.issuer !== undefined) builder = builder.setIssuer(jwt.issuer);
      if (jwt.audience !== undefined) builder = builder.setAudience(jwt.audience);
      return builder.sign(key);
    };
    for (const role of config.roles) {
      if (role.name === config.publicRole) continue;
      if (!role.perDepartment) {
        const token = await sign({ [jwt.roleClaim]: role.name }, `demo:${role.name}`);
        credentials.push({ role: role.name, header: 'Authorization', value: `Bearer ${token}` });
        continue;
      }
      for (const department of departments) {
        const slug = departmentSlug(department);
        if (slug === '') continue;
        const token = await sign({ [jwt.roleClaim]: role.name, [jwt.departmentClaim]: department }, `demo:${role.name}:${slug}`);
        credentials.push({ role: `${role.name}:${slug}`, header: 'Authorization', value: `Bearer ${token}` });
      }
    }
  }
  const appToken = config.appTokens[0];
  if (appToken) credentials.push({ role: config.publicRole, header: 'X-App-Token', value: appToken.reveal() });
  return credentials;
}
