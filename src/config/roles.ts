/**
 * The gateway's roles and how callers prove theirs (connectors/roles.yaml), resolved.
 */
import type { QueryLimits } from './limits.js';
import type { Secret } from './secret.js';
import type { SourceLocation } from './mapping.js';

export interface RoleDefinition {
  name: string;
  /** The role whose rules apply where this one declares none. */
  inherits?: string;
  /**
   * A per-department role (`department`, `liaison`): a caller holds it for one department,
   * named by the token's department claim, and has it only on that department's datasets;
   * elsewhere it acts as the role it inherits from.
   */
  perDepartment: boolean;
  /** What one request of the role may ask for and spend: its own `limits:` over its parent's. */
  limits: QueryLimits;
  description?: string;
  at: SourceLocation;
}

export interface JwtSettings {
  issuer?: string;
  audience?: string;
  /** HS256 shared secret, a PEM public key (RS256/ES256/EdDSA), or a JWKS URL: exactly one. */
  secret?: Secret;
  publicKey?: string;
  jwksUrl?: string;
  roleClaim: string;
  departmentClaim: string;
}

export interface RolesConfig {
  file: string;
  /** In inheritance order from the least privileged: public first. */
  roles: RoleDefinition[];
  /** The role of anonymous callers and of app-token holders. */
  publicRole: string;
  jwt?: JwtSettings;
  /** App tokens (civic technologists' API keys); they identify a caller but grant no more than `publicRole`. */
  appTokens: Secret[];
  /** Requests per fixed window, by kind of caller; absent: no limits. */
  rateLimits?: RateLimits;
}

/** `rateLimits:` of roles.yaml, resolved. */
export interface RateLimits {
  /** The length of one counting window, in milliseconds. */
  windowMs: number;
  /** Requests per window per client address, for callers without credentials. */
  anonymous: number;
  /** Requests per window per app token. */
  appToken: number;
  /** Requests per window per JWT subject. */
  token: number;
  /** Estimated cost (src/plan/cost.ts) each kind of caller may spend per window; absent: requests are only counted. */
  cost?: { anonymous: number; appToken: number; token: number };
  /** Redis that gateway instances share their counters through; absent: each counts in-process. */
  redisUrl?: Secret;
}
