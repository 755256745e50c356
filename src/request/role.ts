import type { Request } from 'express';

/** The role every request without credentials runs as. */
export const PUBLIC_ROLE = 'public';

/**
 * The role a request runs as. Every request is `public` until the gateway verifies
 * credentials; each role gets its own schema, so this is the single place a caller's
 * privileges are decided.
 */
export function roleOf(_request: Request): string {
  return PUBLIC_ROLE;
}
