/**
 * Credentials for trying each role against the demo gateway: long-lived HS256 tokens signed
 * with the configured shared secret, and an app-token example. For the demo command to print;
 * never for a production gateway (it refuses unless `jwt.secret` is set, i.e. HS256 is in use).
 */
import type { RolesConfig } from '../config/roles.js';
import { departmentSlug } from './authenticate.js';
import { signRoleToken } from './sign-token.js';

export interface DemoCredential {
  /** The role the credential runs as, e.g. 'staff' or 'department:311-customer-service'. */
  role: string;
  /** The HTTP header to send it in. */
  header: 'Authorization' | 'X-App-Token';
  /** The header's value, e.g. 'Bearer eyJ…'. */
  value: string;
}

/**
 * One token per role above the public role (one per department in `departments` for a
 * per-department role), when `config.jwt.secret` is set; then, when app tokens are configured,
 * the first one as an `X-App-Token` example (it runs as the public role).
 */
export async function demoCredentials(config: RolesConfig, departments: string[]): Promise<DemoCredential[]> {
  const credentials: DemoCredential[] = [];
  const jwt = config.jwt;
  const secret = jwt?.secret;
  if (jwt && secret) {
    const sign = (role: string, subject: string, department?: string) =>
      signRoleToken({ ...jwt, secret }, { role, subject, expiresIn: '365d', ...(department !== undefined ? { department } : {}) });
    for (const role of config.roles) {
      if (role.name === config.publicRole) continue;
      if (!role.perDepartment) {
        credentials.push({ role: role.name, header: 'Authorization', value: `Bearer ${await sign(role.name, `demo:${role.name}`)}` });
        continue;
      }
      for (const department of departments) {
        const slug = departmentSlug(department);
        if (slug === '') continue;
        credentials.push({ role: `${role.name}:${slug}`, header: 'Authorization', value: `Bearer ${await sign(role.name, `demo:${role.name}:${slug}`, department)}` });
      }
    }
  }
  const appToken = config.appTokens[0];
  if (appToken) credentials.push({ role: config.publicRole, header: 'X-App-Token', value: appToken.reveal() });
  return credentials;
}
