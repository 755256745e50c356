/** roles.yaml: the demo file, the JWT and app-token settings, and broken files at the line to fix. */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadRoles } from '../../src/config/load-roles.js';
import { formatProblem } from '../../src/config/problem.js';
import { Secret } from '../../src/config/secret.js';
import { editLine, errors, REPO, ROLES, tempDir } from './helpers.js';

async function load(text: string, env: Record<string, string> = {}) {
  const dir = await tempDir({ 'roles.yaml': text });
  const file = join(dir, 'roles.yaml');
  return { file, ...(await loadRoles(file, env)) };
}

const SECRET = 'Tr0ub4dor&3-correct-horse-battery-staple';

describe('the real roles.yaml', () => {
  it('loads in inheritance order with JWT off when no key is set', async () => {
    const file = join(REPO, 'connectors/roles.yaml');
    const { roles, problems } = await loadRoles(file, {});
    expect(problems).toEqual([]);
    expect(roles?.file).toBe(file);
    expect(roles?.publicRole).toBe('public');
    expect(roles?.roles.map(({ name, inherits, perDepartment }) => ({ name, inherits, perDepartment }))).toEqual([
      { name: 'public', inherits: undefined, perDepartment: false },
      { name: 'staff', inherits: 'public', perDepartment: false },
      { name: 'department', inherits: 'staff', perDepartment: true },
      { name: 'liaison', inherits: 'department', perDepartment: true },
    ]);
    expect(roles?.roles[0]).toMatchObject({ description: 'Anyone, with or without an app token.', at: { file, line: 7, column: 3 } });
    expect(roles?.jwt).toBeUndefined();
    expect(roles?.appTokens).toEqual([]);
    expect(roles?.rateLimits).toEqual({ windowMs: 60_000, anonymous: 120, appToken: 2000, token: 10000, cost: { anonymous: 250000, appToken: 2500000, token: 50000000 } });
  });

  it('takes rate limits and a Redis URL from the environment, and keeps the URL secret', async () => {
    const env = {
      CIVICGRAPH_RATE_LIMIT_WINDOW: '30s',
      CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000',
      CIVICGRAPH_RATE_LIMIT_APP_TOKEN: '200000',
      CIVICGRAPH_RATE_LIMIT_TOKEN: '300000',
      CIVICGRAPH_RATE_LIMIT_COST_ANONYMOUS: '400000',
      CIVICGRAPH_RATE_LIMIT_COST_APP_TOKEN: '500000',
      CIVICGRAPH_RATE_LIMIT_COST_TOKEN: '600000',
      CIVICGRAPH_REDIS_URL: 'redis://:redis-pass-1234@cache.riverton.example:6379/0',
    };
    const { roles, problems } = await loadRoles(join(REPO, 'connectors/roles.yaml'), env);
    expect(problems).toEqual([]);
    expect(roles?.rateLimits).toEqual({
      windowMs: 30_000,
      anonymous: 100000,
      appToken: 200000,
      token: 300000,
      cost: { anonymous: 400000, appToken: 500000, token: 600000 },
      redisUrl: expect.any(Secret),
    });
    expect(roles?.rateLimits?.redisUrl?.reveal()).toBe(env.CIVICGRAPH_REDIS_URL);
    expect(`${JSON.stringify(roles)}\n${inspect(roles, { depth: 10 })}`).not.toContain('redis-pass');
  });

  it('turns on JWT with one key from the environment, and keeps the secret and app tokens secret', async () => {
    const env = { CIVICGRAPH_JWT_SECRET: SECRET, CIVICGRAPH_JWT_ISSUER: 'https://login.riverton.example', CIVICGRAPH_APP_TOKENS: ' tok-alpha-0001 ,tok-beta-0002,, ' };
    const { roles, problems } = await loadRoles(join(REPO, 'connectors/roles.yaml'), env);
    expect(problems).toEqual([]);
    expect(roles?.jwt).toEqual({ issuer: 'https://login.riverton.example', audience: 'civicgraph', secret: expect.any(Secret), roleClaim: 'role', departmentClaim: 'department' });
    expect(roles?.jwt?.secret?.reveal()).toBe(SECRET);
    expect(roles?.appTokens.map((token) => token.reveal())).toEqual(['tok-alpha-0001', 'tok-beta-0002']);
    const printed = `${JSON.stringify(roles)}\n${inspect(roles, { depth: 10 })}`;
    expect(printed).not.toContain('Tr0ub4dor');
    expect(printed).not.toContain('tok-alpha');
  });
});

describe('roles files', () => {
  it('order roles after their parent whatever order the file declares them in', async () => {
    const text = `roles:\n  liaison: { inherits: department, perDepartment: true }\n  department: { inherits: staff, perDepartment: true }\n  public: {}\n  staff: { inherits: public }\npublicRole: public\n`;
    const { roles, problems } = await load(text);
    expect(problems).toEqual([]);
    expect(roles?.roles.map((role) => role.name)).toEqual(['public', 'staff', 'department', 'liaison']);
    expect(roles?.jwt).toBeUndefined();
    expect(roles?.rateLimits).toBeUndefined();
  });

  it.each([
    ['1m', 60_000],
    ['45s', 45_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['90', 90_000],
    ['"0.5"', 500],
  ])('read a rate-limit window of %s', async (window, ms) => {
    const { roles, problems } = await load(`${ROLES}rateLimits:\n  window: ${window}\n  anonymous: 10\n  appToken: 20\n  token: 30\n`);
    expect(problems).toEqual([]);
    expect(roles?.rateLimits).toEqual({ windowMs: ms, anonymous: 10, appToken: 20, token: 30 });
  });

  it('default the rate-limit window to a minute and an empty Redis URL to in-process counting', async () => {
    const { roles, problems } = await load(`${ROLES}rateLimits:\n  anonymous: 10\n  appToken: 20\n  token: 30\n  redisUrl: \${REDIS_URL:-}\n`);
    expect(problems).toEqual([]);
    expect(roles?.rateLimits).toEqual({ windowMs: 60_000, anonymous: 10, appToken: 20, token: 30 });
  });

  it('accept a PEM public key', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { roles, problems } = await load(editLine(19, '    publicKey: ${JWT_PUBLIC_KEY}', ROLES), { JWT_PUBLIC_KEY: pem });
    expect(problems).toEqual([]);
    expect(roles?.jwt).toMatchObject({ publicKey: pem, audience: 'civicgraph' });
    expect(roles?.jwt?.secret).toBeUndefined();
  });
});

interface Case {
  name: string;
  text: string;
  env?: Record<string, string>;
  severity?: 'error' | 'warning';
  line: number;
  column?: number;
  path: string;
  message: string;
}

const cases: Case[] = [
  {
    name: 'a loop of inherits',
    text: editLine(8, '    inherits: liaison', ROLES),
    line: 8,
    column: 15,
    path: 'roles.department.inherits',
    message: 'roles inherit from each other in a loop (department → liaison → department): every chain of "inherits" must end at the public role',
  },
  {
    name: 'a role inheriting from itself',
    text: editLine(6, '    inherits: staff', ROLES),
    line: 6,
    path: 'roles.staff.inherits',
    message: 'roles inherit from each other in a loop (staff → staff)',
  },
  {
    name: 'an unknown parent, with a suggestion',
    text: editLine(6, '    inherits: publik', ROLES),
    line: 6,
    column: 15,
    path: 'roles.staff.inherits',
    message: 'role "staff" inherits from "publik", which is not declared under "roles" (did you mean "public"?)',
  },
  {
    name: 'a second root',
    text: editLine(6, '    description: City employees.', ROLES),
    line: 5,
    column: 3,
    path: 'roles.staff',
    message: 'role "staff" inherits from no role, but only the public role "public" may: give it "inherits: public" (or a role that does)',
  },
  {
    name: 'a public role that inherits',
    text: editLine(4, '    inherits: staff', ROLES),
    line: 4,
    path: 'roles.public.inherits',
    message: 'the public role "public" cannot inherit from another role',
  },
  {
    name: 'a publicRole that is not declared',
    text: editLine(13, 'publicRole: anonymous', ROLES),
    line: 13,
    column: 13,
    path: 'publicRole',
    message: 'publicRole "anonymous" is not declared under "roles"',
  },
  {
    name: 'a role name that cannot be one',
    text: editLine(5, '  Staff:', ROLES),
    line: 5,
    column: 3,
    path: 'roles.Staff',
    message: `"Staff" is not a role name: use lowercase letters, digits and '-', starting with a letter (e.g. staff)`,
  },
  {
    name: 'a typo in a role key',
    text: editLine(9, '    perDepartmnt: true', ROLES),
    line: 9,
    path: 'roles.department',
    message: 'unknown key "perDepartmnt" (did you mean "perDepartment"?)',
  },
  {
    name: 'two JWT keys',
    text: ROLES,
    env: { JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://login.riverton.example/.well-known/jwks.json' },
    line: 19,
    column: 5,
    path: 'authentication.jwt.jwksUrl',
    message: 'give only one of secret, publicKey and jwksUrl, but secret (from ${JWT_SECRET}) and jwksUrl (from ${JWT_JWKS_URL}) are set',
  },
  {
    name: 'an HS256 secret too short to be safe',
    text: ROLES,
    env: { JWT_SECRET: 'hunter2' },
    line: 18,
    path: 'authentication.jwt.secret',
    message: 'the secret (from ${JWT_SECRET}) is shorter than 32 characters',
  },
  {
    name: 'a public key that is not PEM',
    text: editLine(19, '    publicKey: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA', ROLES),
    line: 19,
    path: 'authentication.jwt.publicKey',
    message: 'publicKey is not a PEM public key',
  },
  {
    name: 'a JWKS URL that is not a URL',
    text: ROLES,
    env: { JWT_JWKS_URL: 'login.riverton.example/jwks' },
    line: 19,
    path: 'authentication.jwt.jwksUrl',
    message: 'jwksUrl the value of ${JWT_JWKS_URL} is not an https URL',
  },
  {
    name: 'a global role under a per-department one (a warning)',
    text: editLine(12, null, ROLES),
    severity: 'warning',
    line: 10,
    path: 'roles.liaison',
    message: 'role "liaison" inherits from the per-department role "department" but is not per-department itself',
  },
];

/** ROLES (20 lines) with a rate-limits block from line 21. */
const LIMITED = `${ROLES}rateLimits:\n  window: \${RL_WINDOW:-1m}\n  anonymous: \${RL_ANONYMOUS:-60}\n  appToken: 1000\n  token: 5000\n  redisUrl: \${REDIS_URL:-}\n`;

cases.push(
  {
    name: 'a rate-limit window that is not a duration',
    text: LIMITED,
    env: { RL_WINDOW: 'soon' },
    line: 22,
    column: 11,
    path: 'rateLimits.window',
    message: 'window the value of ${RL_WINDOW} is not a duration: write e.g. 1m, 30s, 500ms or 1h, or a number of seconds',
  },
  {
    name: 'a rate-limit window of zero',
    text: editLine(22, '  window: 0s', LIMITED),
    line: 22,
    path: 'rateLimits.window',
    message: 'window "0s" is not a duration',
  },
  {
    name: 'a limit that is not a whole number',
    text: LIMITED,
    env: { RL_ANONYMOUS: 'lots' },
    line: 23,
    column: 14,
    path: 'rateLimits.anonymous',
    message: 'expected a whole number, got text',
  },
  {
    name: 'a limit of zero',
    text: editLine(24, '  appToken: 0', LIMITED),
    line: 24,
    path: 'rateLimits.appToken',
    message: 'must be at least 1',
  },
  {
    name: 'a missing limit',
    text: editLine(25, null, LIMITED),
    line: 21,
    path: 'rateLimits',
    message: 'missing required key "token"',
  },
  {
    name: 'a typo in a rate-limit key',
    text: editLine(23, '  anonymus: 60', LIMITED),
    line: 23,
    path: 'rateLimits',
    message: 'unknown key "anonymus" (did you mean "anonymous"?)',
  },
  {
    name: 'a Redis URL that is not one (and is never shown)',
    text: LIMITED,
    env: { REDIS_URL: 'http://user:hunter2@cache.riverton.example' },
    line: 26,
    path: 'rateLimits.redisUrl',
    message: 'redisUrl (from ${REDIS_URL}) is not a redis:// or rediss:// URL',
  },
);

describe('broken roles files', () => {
  it.each(cases)('report $name', async ({ text, env, severity = 'error', line, column, path, message }) => {
    const { file, roles, problems } = await load(text, env);
    if (severity === 'error') expect(roles).toBeUndefined();
    const match = problems.find((problem) => problem.severity === severity && problem.message.includes(message));
    expect(match, `no ${severity} containing ${JSON.stringify(message)} in\n${problems.map((problem) => formatProblem(problem)).join('\n')}`).toBeDefined();
    expect(match).toMatchObject({ file, line, path, ...(column === undefined ? {} : { column }) });
  });

  it('report a loop once, and never print the secret', async () => {
    const { problems } = await load(editLine(8, '    inherits: liaison', ROLES), { JWT_SECRET: 'hunter2' });
    expect(errors(problems).map((problem) => problem.path)).toEqual(['roles.department.inherits', 'authentication.jwt.secret']);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('never print a Redis URL', async () => {
    const { problems } = await load(LIMITED, { REDIS_URL: 'http://user:hunter2@cache.riverton.example' });
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(JSON.stringify(problems)).not.toContain('cache.riverton');
  });

  it('report a missing file', async () => {
    const dir = await tempDir({});
    const { roles, problems } = await loadRoles(join(dir, 'roles.yaml'), {});
    expect(roles).toBeUndefined();
    expect(problems).toMatchObject([{ severity: 'error', line: 0, message: expect.stringContaining('cannot read the roles file (ENOENT)') }]);
  });
});
