/**
 * Who is asking: app tokens and JWTs (HS256 secret, PEM public key, JWKS) against a roles
 * configuration built by hand, with real jose and real HTTP for the JWKS. No mocks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PUBLIC_LIMITS } from '../../src/config/limits.js';
import type { JwtSettings, RoleDefinition, RolesConfig } from '../../src/config/roles.js';
import { Secret } from '../../src/config/secret.js';
import {
  AuthenticationError,
  createAuthenticator,
  departmentSlug,
  type Authenticator,
  type AuthenticatorOptions,
  type CredentialHeaders,
} from '../../src/request/authenticate.js';
import { demoCredentials } from '../../src/request/demo-credentials.js';

const SECRET = 'a-demo-secret-that-is-at-least-32-bytes-long!';
const APP_TOKEN = 'civic-tech-app-token-0123456789';
const OTHER_APP_TOKEN = 'second-app-token-abcdef';
const ISSUER = 'https://login.example.gov/';
const AUDIENCE = 'civicgraph';

function role(name: string, inherits: string | undefined, perDepartment: boolean, line: number): RoleDefinition {
  return { name, ...(inherits ? { inherits } : {}), perDepartment, limits: PUBLIC_LIMITS, at: { file: 'roles.yaml', line, column: 3 } };
}

function rolesConfig(jwt?: Partial<JwtSettings>, appTokens: string[] = [APP_TOKEN, OTHER_APP_TOKEN]): RolesConfig {
  return {
    file: 'roles.yaml',
    roles: [
      role('public', undefined, false, 2),
      role('staff', 'public', false, 4),
      role('department', 'staff', true, 6),
      role('liaison', 'department', true, 8),
    ],
    publicRole: 'public',
    ...(jwt ? { jwt: { roleClaim: 'role', departmentClaim: 'department', ...jwt } } : {}),
    appTokens: appTokens.map((token) => new Secret(token)),
  };
}

const hsKey = new TextEncoder().encode(SECRET);
const now = (): number => Math.floor(Date.now() / 1000);

interface SignOptions {
  key?: CryptoKey | Uint8Array;
  alg?: string;
  kid?: string;
  iss?: string | null;
  aud?: string | null;
  exp?: number | null;
  nbf?: number;
}

async function sign(claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const header = { alg: options.alg ?? 'HS256', ...(options.kid ? { kid: options.kid } : {}) };
  let jwt = new SignJWT(claims).setProtectedHeader(header).setIssuedAt();
  if (options.iss !== null) jwt = jwt.setIssuer(options.iss ?? ISSUER);
  if (options.aud !== null) jwt = jwt.setAudience(options.aud ?? AUDIENCE);
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now() + 3600);
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? hsKey);
}

const bearer = (token: string): CredentialHeaders => ({ authorization: `Bearer ${token}` });

/** Expects an AuthenticationError whose message matches and carries none of the secrets. */
async function refused(authenticate: Authenticator, headers: CredentialHeaders, message: string | RegExp, secrets: string[] = []): Promise<void> {
  const error = await authenticate(headers).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  const text = `${(error as Error).message} ${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ''}`;
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
  const bearerToken = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
  for (const value of [...secrets, bearerToken, headers['x-app-token'], SECRET]) {
    if (value) expect(text).not.toContain(value);
  }
  expect((error as Error).cause).toBeUndefined();
}

describe('departmentSlug', () => {
  it('lower-cases and joins words with -', () => {
    expect(departmentSlug('311 Customer Service')).toBe('311-customer-service');
    expect(departmentSlug('Public Works & Transportation')).toBe('public-works-transportation');
    expect(departmentSlug('  Économie  Développement ')).toBe('economie-developpement');
    expect(departmentSlug('311-customer-service')).toBe('311-customer-service');
  });
});

describe('anonymous and app tokens', () => {
  const authenticate = createAuthenticator(rolesConfig({ secret: new Secret(SECRET), issuer: ISSUER, audience: AUDIENCE }));

  it('no credentials: anonymous, public', async () => {
    expect(await authenticate({})).toEqual({ kind: 'anonymous', role: 'public', baseRole: 'public' });
    expect(await authenticate({ authorization: '  ', 'x-app-token': '' })).toMatchObject({ kind: 'anonymous' });
  });

  it('a known app token: public, identified by a hash prefix, never by the token', async () => {
    const caller = await authenticate({ 'x-app-token': APP_TOKEN });
    expect(caller).toMatchObject({ kind: 'app-token', role: 'public', baseRole: 'public' });
    expect(caller.subject).toMatch(/^app:[0-9a-f]{8}$/);
    expect(JSON.stringify(caller)).not.toContain(APP_TOKEN);
    const other = await authenticate({ 'x-app-token': OTHER_APP_TOKEN });
    expect(other.subject).toMatch(/^app:[0-9a-f]{8}$/);
    expect(other.subject).not.toBe(caller.subject);
  });

  it('an unknown app token is refused', async () => {
    await refused(authenticate, { 'x-app-token': 'not-a-known-token-xyz' }, 'unknown app token');
    await refused(authenticate, { 'x-app-token': APP_TOKEN.slice(0, -1) }, 'unknown app token');
    const none = createAuthenticator(rolesConfig(undefined, []));
    await refused(none, { 'x-app-token': APP_TOKEN }, 'unknown app token');
  });

  it('with both headers, the JWT decides', async () => {
    const token = await sign({ role: 'staff', sub: 'u-1' });
    expect(await authenticate({ authorization: `Bearer ${token}`, 'x-app-token': 'not-a-known-token' })).toMatchObject({ kind: 'jwt', role: 'staff' });
  });
});

describe('HS256 tokens', () => {
  const authenticate = createAuthenticator(rolesConfig({ secret: new Secret(SECRET), issuer: ISSUER, audience: AUDIENCE }));

  it('gives each declared role', async () => {
    expect(await authenticate(bearer(await sign({ role: 'public', sub: 'p' })))).toEqual({ kind: 'jwt', role: 'public', baseRole: 'public', subject: 'p' });
    expect(await authenticate(bearer(await sign({ role: 'staff', sub: 'jdoe', department: 'Permits' })))).toEqual({
      kind: 'jwt',
      role: 'staff',
      baseRole: 'staff',
      subject: 'jdoe',
    });
    expect(await authenticate(bearer(await sign({ role: 'department', sub: 'crm-app', department: '311 Customer Service' })))).toEqual({
      kind: 'jwt',
      role: 'department:311-customer-service',
      baseRole: 'department',
      department: '311-customer-service',
      subject: 'crm-app',
    });
    expect(await authenticate(bearer(await sign({ role: 'liaison', sub: 'mlopez', department: 'public-works' })))).toEqual({
      kind: 'jwt',
      role: 'liaison:public-works',
      baseRole: 'liaison',
      department: 'public-works',
      subject: 'mlopez',
    });
  });

  it('accepts the scheme in any case; a token without sub has no subject', async () => {
    const caller = await authenticate({ authorization: `bearer ${await sign({ role: 'staff' })}` });
    expect(caller).toEqual({ kind: 'jwt', role: 'staff', baseRole: 'staff' });
  });

  it('refuses expired tokens, within a 30 s tolerance', async () => {
    expect(await authenticate(bearer(await sign({ role: 'staff' }, { exp: now() - 10 })))).toMatchObject({ role: 'staff' });
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { exp: now() - 120 })), 'token expired');
  });

  it('refuses tokens without an expiry', async () => {
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { exp: null })), 'token has no "exp" claim');
  });

  it('refuses tokens not yet valid, within a 30 s tolerance', async () => {
    expect(await authenticate(bearer(await sign({ role: 'staff' }, { nbf: now() + 10 })))).toMatchObject({ role: 'staff' });
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { nbf: now() + 600 })), 'token is not yet valid');
  });

  it('refuses a wrong or missing issuer or audience', async () => {
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { iss: 'https://evil.example.com/' })), 'token issuer is not accepted', [
      'evil.example.com',
    ]);
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { iss: null })), /token (has no "iss" claim|issuer is not accepted)/);
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { aud: 'some-other-api' })), 'token audience is not accepted', ['some-other-api']);
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { aud: null })), /token (has no "aud" claim|audience is not accepted)/);
  });

  it('does not check issuer or audience when none is configured', async () => {
    const lax = createAuthenticator(rolesConfig({ secret: new Secret(SECRET) }));
    expect(await lax(bearer(await sign({ role: 'staff' }, { iss: 'anyone', aud: null })))).toMatchObject({ role: 'staff' });
  });

  it('refuses a bad signature', async () => {
    const forged = await sign({ role: 'staff' }, { key: new TextEncoder().encode('another-secret-of-sufficient-length-000') });
    await refused(authenticate, bearer(forged), 'token signature is invalid');
    // A payload edited after signing.
    const [head, , signature] = (await sign({ role: 'staff' })).split('.');
    const payload = Buffer.from(JSON.stringify({ role: 'liaison', department: 'x', exp: now() + 60, iss: ISSUER, aud: AUDIENCE })).toString('base64url');
    await refused(authenticate, bearer(`${head}.${payload}.${signature}`), 'token signature is invalid');
  });

  it('refuses alg none, other algorithms and garbage', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ role: 'staff', exp: now() + 60 })).toString('base64url')}.`;
    await refused(authenticate, { authorization: `Bearer ${unsigned}` }, /^token (algorithm is not accepted|is malformed)$/);
    const hs512 = await sign({ role: 'staff' }, { alg: 'HS512' });
    await refused(authenticate, bearer(hs512), 'token algorithm is not accepted');
    await refused(authenticate, bearer('not.a.jwt-at-all'), 'token is malformed');
    await refused(authenticate, { authorization: 'Basic dXNlcjpwYXNz' }, 'the Authorization header must be "Bearer <token>"');
    await refused(authenticate, { authorization: 'Bearer' }, 'the Authorization header must be "Bearer <token>"');
  });

  it('refuses a role that is not declared, echoing only the role name', async () => {
    const token = await sign({ role: 'admin', department: 'secret-dept-name', sub: 'sub-value-123' });
    await refused(authenticate, bearer(token), 'token role "admin" is not a role of this gateway', ['secret-dept-name', 'sub-value-123']);
    await refused(authenticate, bearer(await sign({ sub: 'x' })), 'token has no "role" claim');
    await refused(authenticate, bearer(await sign({ role: ['staff'] })), 'token claim "role" must be a string');
    const long = await sign({ role: 'r'.repeat(500) });
    const error = await authenticate(bearer(long)).catch((thrown: Error) => thrown);
    expect((error as Error).message.length).toBeLessThan(150);
  });

  it('refuses a per-department role without a department claim', async () => {
    await refused(authenticate, bearer(await sign({ role: 'department' })), 'token role "department" needs a "department" claim naming a department');
    await refused(authenticate, bearer(await sign({ role: 'liaison', department: ' — ' })), /needs a "department" claim/);
    await refused(authenticate, bearer(await sign({ role: 'liaison', department: 42 })), /needs a "department" claim/);
  });

  it('reads the configured claim names', async () => {
    const custom = createAuthenticator(
      rolesConfig({ secret: new Secret(SECRET), roleClaim: 'https://civicgraph.example/role', departmentClaim: 'https://civicgraph.example/dept' }),
    );
    const token = await sign({ 'https://civicgraph.example/role': 'liaison', 'https://civicgraph.example/dept': 'Permits', role: 'staff' });
    expect(await custom(bearer(token))).toMatchObject({ role: 'liaison:permits', department: 'permits' });
  });

  it('refuses tokens when JWT auth is not configured', async () => {
    const noJwt = createAuthenticator(rolesConfig());
    await refused(noJwt, bearer(await sign({ role: 'staff' })), 'this gateway does not accept tokens');
    expect(await noJwt({ 'x-app-token': APP_TOKEN })).toMatchObject({ kind: 'app-token' });
  });

  it('refuses a configuration with no or several key sources', () => {
    expect(() => createAuthenticator(rolesConfig({}))).toThrow(/exactly one/);
    expect(() => createAuthenticator(rolesConfig({ secret: new Secret(SECRET), jwksUrl: 'https://x/jwks' }))).toThrow(/exactly one/);
    expect(() => createAuthenticator(rolesConfig({ publicKey: 'not a pem' }))).toThrow(/PEM public key/);
  });
});

describe('PEM public keys', () => {
  it('RS256', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const authenticate = createAuthenticator(rolesConfig({ publicKey: await exportSPKI(publicKey), issuer: ISSUER }));
    const token = await sign({ role: 'department', department: 'Permits', sub: 'svc' }, { key: privateKey, alg: 'RS256' });
    expect(await authenticate(bearer(token))).toEqual({ kind: 'jwt', role: 'department:permits', baseRole: 'department', department: 'permits', subject: 'svc' });
    // PS256 with the same RSA key is accepted too; an HS256 token is not (no key confusion).
    const pss = await importPKCS8(await exportPKCS8(privateKey), 'PS256');
    expect(await authenticate(bearer(await sign({ role: 'staff' }, { key: pss, alg: 'PS256' })))).toMatchObject({ role: 'staff' });
    await refused(authenticate, bearer(await sign({ role: 'staff' })), 'token algorithm is not accepted');
    const other = await generateKeyPair('RS256');
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { key: other.privateKey, alg: 'RS256' })), 'token signature is invalid');
  });

  it('ES256 and EdDSA', async () => {
    for (const alg of ['ES256', 'EdDSA']) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const authenticate = createAuthenticator(rolesConfig({ publicKey: await exportSPKI(publicKey) }));
      expect(await authenticate(bearer(await sign({ role: 'staff' }, { key: privateKey, alg })))).toMatchObject({ role: 'staff' });
    }
  });
});

describe('JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let keys: object[] = [];
  let requests = 0;
  const hanging: Server = createServer(() => {
    /* never answers */
  });
  let hangingUrl: string;

  const listen = async (target: Server): Promise<string> => {
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(target.address() as AddressInfo).port}/.well-known/jwks.json`;
  };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys }));
    });
    jwksUrl = await listen(server);
    hangingUrl = await listen(hanging);
  });

  afterAll(async () => {
    hanging.closeAllConnections();
    server.closeAllConnections();
    await Promise.all([server, hanging].map((target) => new Promise((resolve) => target.close(resolve))));
  });

  const fast: AuthenticatorOptions = { jwks: { timeoutMs: 500, cooldownMs: 0 } };

  async function keyPair(kid: string): Promise<{ privateKey: CryptoKey; jwk: object }> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
  }

  it('verifies against the key set, follows a key rotation, and caches', async () => {
    const first = await keyPair('2024-01');
    const second = await keyPair('2025-01');
    keys = [first.jwk];
    requests = 0;
    const authenticate = createAuthenticator(rolesConfig({ jwksUrl, issuer: ISSUER, audience: AUDIENCE }), fast);
    const token1 = await sign({ role: 'liaison', department: 'Public Works', sub: 'a' }, { key: first.privateKey, alg: 'ES256', kid: '2024-01' });
    expect(await authenticate(bearer(token1))).toMatchObject({ role: 'liaison:public-works', subject: 'a' });
    expect(await authenticate(bearer(token1))).toMatchObject({ role: 'liaison:public-works' });
    expect(requests).toBe(1);

    // The identity provider rotates: the new key replaces the old one.
    keys = [second.jwk];
    const token2 = await sign({ role: 'staff', sub: 'b' }, { key: second.privateKey, alg: 'ES256', kid: '2025-01' });
    expect(await authenticate(bearer(token2))).toMatchObject({ role: 'staff', subject: 'b' });
    expect(requests).toBe(2);
    await refused(authenticate, bearer(token1), 'token signing key is not known');

    // Signed with a key the set does not hold, under a kid it does.
    const impostor = await keyPair('2025-01');
    await refused(authenticate, bearer(await sign({ role: 'staff' }, { key: impostor.privateKey, alg: 'ES256', kid: '2025-01' })), 'token signature is invalid');
  });

  it('does not refetch for unknown kids during the cooldown', async () => {
    const only = await keyPair('k1');
    const stranger = await keyPair('k2');
    keys = [only.jwk];
    requests = 0;
    const authenticate = createAuthenticator(rolesConfig({ jwksUrl }), { jwks: { timeoutMs: 500 } });
    expect(await authenticate(bearer(await sign({ role: 'staff' }, { key: only.privateKey, alg: 'ES256', kid: 'k1' })))).toMatchObject({ role: 'staff' });
    const unknown = await sign({ role: 'staff' }, { key: stranger.privateKey, alg: 'ES256', kid: 'k2' });
    for (let i = 0; i < 5; i++) await refused(authenticate, bearer(unknown), 'token signing key is not known');
    expect(requests).toBe(1);
  });

  it('an unreachable or silent key server is an AuthenticationError, not a hang', async () => {
    const { privateKey } = await keyPair('k');
    const token = await sign({ role: 'staff' }, { key: privateKey, alg: 'ES256', kid: 'k' });

    const silent = createAuthenticator(rolesConfig({ jwksUrl: hangingUrl }), { jwks: { timeoutMs: 300 } });
    const started = Date.now();
    await refused(silent, bearer(token), 'token signing keys could not be fetched in time');
    expect(Date.now() - started).toBeLessThan(3_000);

    // A port nobody listens on (a server started and stopped).
    const closed = createServer();
    const closedUrl = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const refusedConnection = createAuthenticator(rolesConfig({ jwksUrl: closedUrl }), { jwks: { timeoutMs: 300 } });
    await refused(refusedConnection, bearer(token), /^token signing keys could not be fetched/);

    // A key server that answers with something other than a key set.
    const broken = createServer((_request, response) => {
      response.writeHead(500);
      response.end('oops');
    });
    const brokenUrl = await listen(broken);
    try {
      await refused(createAuthenticator(rolesConfig({ jwksUrl: brokenUrl }), fast), bearer(token), 'token signing keys could not be fetched');
    } finally {
      await new Promise((resolve) => broken.close(resolve));
    }
  });
});

describe('demoCredentials', () => {
  const departments = ['311 Customer Service', 'Public Works', 'Permits'];

  it('signs a token per role and department that verifies to that role, plus an app token', async () => {
    const config = rolesConfig({ secret: new Secret(SECRET), issuer: ISSUER, audience: AUDIENCE });
    const credentials = await demoCredentials(config, departments);
    expect(credentials.map((credential) => credential.role)).toEqual([
      'staff',
      'department:311-customer-service',
      'department:public-works',
      'department:permits',
      'liaison:311-customer-service',
      'liaison:public-works',
      'liaison:permits',
      'public',
    ]);
    const authenticate = createAuthenticator(config);
    for (const credential of credentials) {
      const headers: CredentialHeaders =
        credential.header === 'Authorization' ? { authorization: credential.value } : { 'x-app-token': credential.value };
      const caller = await authenticate(headers);
      expect(caller.role).toBe(credential.role);
      expect(caller.kind).toBe(credential.header === 'Authorization' ? 'jwt' : 'app-token');
    }
    const staff = credentials[0]!.value.replace(/^Bearer /, '');
    const payload = JSON.parse(Buffer.from(staff.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };
    expect(payload.exp - payload.iat).toBeGreaterThanOrEqual(364 * 24 * 3600);
  });

  it('gives no tokens without a shared secret, and no app token when none is configured', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    expect(await demoCredentials(rolesConfig({ publicKey: await exportSPKI(publicKey) }), departments)).toEqual([
      { role: 'public', header: 'X-App-Token', value: APP_TOKEN },
    ]);
    expect(await demoCredentials(rolesConfig(undefined, []), departments)).toEqual([]);
  });
});

describe('verified-token cache (static keys only)', () => {
  it('serves a repeated token from the cache, hands out copies, and never serves it past its expiry', async () => {
    const secret = 'a-static-secret-that-is-long-enough-0123456789';
    const at = { file: 'roles.yaml', line: 1, column: 1 };
    const authenticate = createAuthenticator({
      file: 'roles.yaml',
      roles: [
        { name: 'public', perDepartment: false, limits: PUBLIC_LIMITS, at },
        { name: 'staff', inherits: 'public', perDepartment: false, limits: PUBLIC_LIMITS, at },
      ],
      publicRole: 'public',
      jwt: { secret: new Secret(secret), roleClaim: 'role', departmentClaim: 'department' },
      appTokens: [],
    });
    const now = Date.now();
    const token = await new SignJWT({ role: 'staff' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('s')
      .setExpirationTime(Math.floor(now / 1000) + 60)
      .sign(new TextEncoder().encode(secret));
    const first = await authenticate({ authorization: `Bearer ${token}` });
    const second = await authenticate({ authorization: `Bearer ${token}` });
    expect(second).toEqual(first);
    second.role = 'tampered';
    expect((await authenticate({ authorization: `Bearer ${token}` })).role).toBe('staff');
    // A signature character changed away from the end: the last one carries padding bits, so changing it may change nothing.
    const forged = `${token.slice(0, -5)}${token.at(-5) === 'A' ? 'B' : 'A'}${token.slice(-4)}`;
    await expect(authenticate({ authorization: `Bearer ${forged}` })).rejects.toThrow(AuthenticationError);
    vi.useFakeTimers({ toFake: ['Date'], now: now + 120_000 });
    try {
      await expect(authenticate({ authorization: `Bearer ${token}` })).rejects.toThrow('token expired');
    } finally {
      vi.useRealTimers();
    }
  });
});
