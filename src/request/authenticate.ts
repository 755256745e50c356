/**
 * Who is asking: turns a request's credentials into the role whose schema it runs against.
 *
 * - No credentials: anonymous, the public role.
 * - `X-App-Token: <token>` (the one way to send an app token, as Socrata does): a civic
 *   technologist's API key. It identifies the caller but grants no more than the public role.
 * - `Authorization: Bearer <jwt>`: a token signed by the city's identity provider (or, for the
 *   demo, with the shared HS256 secret), whose role claim names a role of `roles.yaml`.
 *
 * When a request carries both, the JWT decides and the app token is ignored (not even checked):
 * a signed-in city app may keep sending its API key.
 *
 * Nothing here logs, and no error message carries a token or a claim value other than the
 * role name the caller asked for (and the name of a claim, which comes from the configuration).
 */
import { createHash, createPublicKey, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwtSettings, RoleDefinition, RolesConfig } from '../config/roles.js';

export interface Caller {
  /** The role whose schema the request runs against: 'public', 'staff', 'department:<slug>', 'liaison:<slug>'. */
  role: string;
  /** The role name from roles.yaml ('public', 'staff', 'department', 'liaison'). */
  baseRole: string;
  /** For per-department roles: the department slug (lower-case, words joined by '-', e.g. '311-customer-service'). */
  department?: string;
  /** Who: the JWT `sub`, or 'app:' + the first 8 hex chars of sha256(app token); undefined when anonymous. Never the token itself. */
  subject?: string;
  kind: 'anonymous' | 'app-token' | 'jwt';
}

/** The caller's credentials were refused. The message is safe to show to the caller (HTTP 401). */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

/** The headers this module reads (Node lower-cases header names). */
export interface CredentialHeaders {
  authorization?: string;
  'x-app-token'?: string;
}

export type Authenticator = (headers: CredentialHeaders) => Promise<Caller>;

export interface AuthenticatorOptions {
  /** JWKS fetching (only with `jwt.jwksUrl`). */
  jwks?: {
    /** How long one fetch of the key set may take; default 5,000 ms. */
    timeoutMs?: number;
    /** How long a fetched key set is used before it is fetched again; default 10 minutes. */
    cacheMaxAgeMs?: number;
    /**
     * After a fetch, how long a token with an unknown `kid` is refused without fetching again
     * (so unknown kids cannot make the gateway hammer the identity provider); default 30,000 ms.
     */
    cooldownMs?: number;
  };
}

/** Seconds of clock skew allowed between the gateway and the token issuer, for `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** '311 Customer Service' → '311-customer-service'; an existing slug is returned unchanged. */
export function departmentSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The effective role of a per-department role held for one department. */
export function departmentRole(baseRole: string, department: string): string {
  return `${baseRole}:${departmentSlug(department)}`;
}

export function createAuthenticator(config: RolesConfig, options: AuthenticatorOptions = {}): Authenticator {
  const roles = new Map<string, RoleDefinition>(config.roles.map((role) => [role.name, role]));
  const appTokenHashes = config.appTokens.map((token) => sha256(token.reveal()));
  const verify = config.jwt ? createJwtVerifier(config.jwt, options) : undefined;

  function authenticateAppToken(token: string): Caller {
    const presented = sha256(token);
    let known = false;
    // Compare against every configured token, without stopping at a match.
    for (const expected of appTokenHashes) known = timingSafeEqual(presented, expected) || known;
    if (!known) throw new AuthenticationError('unknown app token');
    return {
      kind: 'app-token',
      role: config.publicRole,
      baseRole: config.publicRole,
      subject: `app:${presented.toString('hex').slice(0, 8)}`,
    };
  }

  function callerOf(payload: JWTPayload, jwt: JwtSettings): Caller {
    const claimed = payload[jwt.roleClaim];
    if (claimed === undefined) throw new AuthenticationError(`token has no "${jwt.roleClaim}" claim`);
    if (typeof claimed !== 'string') throw new AuthenticationError(`token claim "${jwt.roleClaim}" must be a string`);
    const role = roles.get(claimed);
    if (!role) throw new AuthenticationError(`token role ${quoteRole(claimed)} is not a role of this gateway`);
    const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    const caller: Caller = { kind: 'jwt', role: role.name, baseRole: role.name };
    if (subject !== undefined) caller.subject = subject;
    if (!role.perDepartment) return caller; // a department claim, if any, is ignored
    const department = payload[jwt.departmentClaim];
    if (typeof department !== 'string' || departmentSlug(department) === '') {
      throw new AuthenticationError(`token role "${role.name}" needs a "${jwt.departmentClaim}" claim naming a department`);
    }
    caller.department = departmentSlug(department);
    caller.role = `${role.name}:${caller.department}`;
    return caller;
  }

  // A key set fetched from a JWKS URL can retire a key at any moment; a secret or PEM key
  // changes only with a reload, which builds a new authenticator: only then may results be kept.
  const verified = config.jwt?.jwksUrl ? undefined : new VerifiedTokens();

  return async (headers) => {
    const authorization = headerValue(headers.authorization);
    const appToken = headerValue(headers['x-app-token']);
    if (authorization !== undefined) {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
      if (!match?.[1]) throw new AuthenticationError('the Authorization header must be "Bearer <token>"');
      if (!config.jwt || !verify) throw new AuthenticationError('this gateway does not accept tokens');
      const known = verified?.get(match[1]);
      if (known) return { ...known };
      const payload = await verify(match[1]);
      const caller = callerOf(payload, config.jwt);
      verified?.set(match[1], caller, payload.exp);
      return { ...caller };
    }
    if (appToken !== undefined) return authenticateAppToken(appToken);
    return { kind: 'anonymous', role: config.publicRole, baseRole: config.publicRole };
  };
}

/**
 * Tokens already verified with a static key, until they expire: a city app sends the same
 * token with every request, and verifying its signature each time costs more than the rest
 * of a small query.
 * Keyed by the token's hash, so no token is kept; bounded, oldest dropped first. A verifier
 * whose settings change (a reload) is a new authenticator with an empty cache.
 */
class VerifiedTokens {
  private static readonly MAX = 10_000;
  private readonly callers = new Map<string, { caller: Caller; expiresAtMs: number }>();

  get(token: string): Caller | undefined {
    const key = sha256(token).toString('base64');
    const entry = this.callers.get(key);
    if (!entry) return undefined;
    // The verifier allows the same clock tolerance; the cache allows none.
    if (entry.expiresAtMs <= Date.now()) {
      this.callers.delete(key);
      return undefined;
    }
    return entry.caller;
  }

  set(token: string, caller: Caller, expiresAtSeconds: number | undefined): void {
    if (expiresAtSeconds === undefined) return;
    if (this.callers.size >= VerifiedTokens.MAX) this.callers.delete(this.callers.keys().next().value!);
    this.callers.set(sha256(token).toString('base64'), { caller, expiresAtMs: expiresAtSeconds * 1000 });
  }
}

/** A header's value, or undefined when absent or blank. Repeated headers (arrays) count as one value each joined. */
function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A caller-chosen role name, quoted, shortened and stripped of control characters. */
function quoteRole(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(clean.length > 64 ? `${clean.slice(0, 64)}…` : clean);
}

function createJwtVerifier(jwt: JwtSettings, options: AuthenticatorOptions): (token: string) => Promise<JWTPayload> {
  const sources = [jwt.secret, jwt.publicKey, jwt.jwksUrl].filter((source) => source !== undefined);
  if (sources.length !== 1) {
    throw new Error('jwt: give exactly one of secret (HS256), publicKey (PEM) or jwksUrl');
  }
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (jwt.secret) {
    key = new TextEncoder().encode(jwt.secret.reveal());
    algorithms = ['HS256'];
  } else if (jwt.publicKey) {
    ({ key, algorithms } = publicKeyResolver(jwt.publicKey));
  } else {
    let url: URL;
    try {
      url = new URL(jwt.jwksUrl as string);
    } catch {
      throw new Error('jwt.jwksUrl is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('jwt.jwksUrl must be an http(s) URL');
    key = createRemoteJWKSet(url, {
      timeoutDuration: options.jwks?.timeoutMs ?? 5_000,
      cacheMaxAge: options.jwks?.cacheMaxAgeMs ?? 10 * 60_000,
      cooldownDuration: options.jwks?.cooldownMs ?? 30_000,
    });
    algorithms = JWKS_ALGORITHMS;
  }
  const verifyOptions = {
    algorithms,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['exp'],
    ...(jwt.issuer !== undefined ? { issuer: jwt.issuer } : {}),
    ...(jwt.audience !== undefined ? { audience: jwt.audience } : {}),
  };
  return async (token) => {
    try {
      // Both overloads of jwtVerify, chosen at run time.
      const { payload } =
        typeof key === 'function' ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions);
      return payload;
    } catch (error) {
      throw safeError(error, typeof key === 'function' && jwt.jwksUrl !== undefined);
    }
  };
}

const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** The algorithms a PEM public key can verify, and a key resolver that imports it once per algorithm. */
function publicKeyResolver(pem: string): { key: JWTVerifyGetKey; algorithms: string[] } {
  let algorithms: string[];
  try {
    const keyObject = createPublicKey(pem);
    const type = keyObject.asymmetricKeyType;
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    if (type === 'rsa') algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    else if (type === 'rsa-pss') algorithms = ['PS256', 'PS384', 'PS512'];
    else if (type === 'ec' && curve === 'prime256v1') algorithms = ['ES256'];
    else if (type === 'ec' && curve === 'secp384r1') algorithms = ['ES384'];
    else if (type === 'ec' && curve === 'secp521r1') algorithms = ['ES512'];
    else if (type === 'ed25519') algorithms = ['EdDSA', 'Ed25519'];
    else throw new Error('unsupported');
  } catch {
    throw new Error('jwt.publicKey must be a PEM public key (RSA, EC P-256/384/521 or Ed25519)');
  }
  const imported = new Map<string, ReturnType<typeof importSPKI>>();
  const key: JWTVerifyGetKey = (header) => {
    const alg = header.alg ?? '';
    // jwtVerify has already refused algorithms outside the list; this is a second guard.
    if (!algorithms.includes(alg)) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    let cached = imported.get(alg);
    if (!cached) {
      cached = importSPKI(pem, alg);
      imported.set(alg, cached);
    }
    return cached;
  };
  return { key, algorithms };
}

/** A jose (or fetch) error as an AuthenticationError that says what went wrong and nothing more. */
function safeError(error: unknown, remoteKeys: boolean): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new AuthenticationError(`token has no "${error.claim}" claim`);
    switch (error.claim) {
      case 'iss':
        return new AuthenticationError('token issuer is not accepted');
      case 'aud':
        return new AuthenticationError('token audience is not accepted');
      case 'nbf':
        return new AuthenticationError('token is not yet valid');
      case 'iat':
        return new AuthenticationError('token issue time is invalid');
      default:
        return new AuthenticationError('token claims are invalid');
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('token signature is invalid');
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('token algorithm is not accepted');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('token signing key is not known');
  if (error instanceof errors.JWKSMultipleMatchingKeys) return new AuthenticationError('token signing key is ambiguous');
  if (error instanceof errors.JWKSTimeout) return new AuthenticationError('token signing keys could not be fetched in time');
  if (error instanceof errors.JWKSInvalid) return new AuthenticationError('token signing keys could not be fetched');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return new AuthenticationError('token is malformed');
  if (error instanceof errors.JOSENotSupported) return new AuthenticationError('token uses an unsupported algorithm or key');
  // What is left: on the JWKS path, the key set could not be had (a non-200 answer or
  // unparsable JSON, a generic JOSEError; connection refused or DNS failure, from fetch).
  const generic = !(error instanceof errors.JOSEError) || Object.getPrototypeOf(error) === errors.JOSEError.prototype;
  if (remoteKeys && generic) {
    return new AuthenticationError('token signing keys could not be fetched');
  }
  return new AuthenticationError('token could not be verified');
}
