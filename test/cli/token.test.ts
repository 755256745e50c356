/**
 * `civicgraph token`: a token for a role, signed with the secret the gateway runs with, that a
 * real gateway accepts as that role; and clear refusals where none can or should be signed.
 */
import { execFile } from 'node:child_process';
import { generateKeyPair, exportSPKI } from 'jose';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { token, type TokenOptions } from '../../src/cli/token.js';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';

const run = promisify(execFile);
const SECRET = 'liaison-fixes-token-test-secret-0123456789';

let env: Record<string, string>;
let gateway: RunningGateway;

/** The command as a liaison runs it: the token alone on standard output. */
async function civicgraphToken(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', 'token', ...args], { env: { ...process.env, ...env, ...extraEnv } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The command's own function, for the refusals: what it says, and that it signs nothing. */
async function refusal(options: Partial<TokenOptions> & Pick<TokenOptions, 'role'>, extraEnv: Record<string, string> = {}): Promise<string> {
  const printed: string[] = [];
  const errors: string[] = [];
  const code = await token({ expires: '8h', connectorsDir: 'connectors', schemasDir: 'schemas', env: { ...env, ...extraEnv }, print: (line) => printed.push(line), printError: (line) => errors.push(line), ...options });
  expect({ code, printed }).toEqual({ code: 1, printed: [] });
  return errors.join('\n');
}

async function fieldsAs(authorization: string | undefined, typeName = 'ServiceRequest'): Promise<string[]> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query: `{ __type(name: "${typeName}") { fields { name } } }` }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { __type: { fields: Array<{ name: string }> } } };
  return body.data.__type.fields.map((field) => field.name);
}

beforeAll(async () => {
  env = { ...(await demoEnvironment('pglite', 'liaison-fixes-token')), CIVICGRAPH_JWT_SECRET: SECRET };
  gateway = await serve({ connectorsDir: resolve('connectors'), schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env, audit: () => undefined, log: () => undefined });
});

afterAll(async () => {
  await gateway?.stop();
});

describe('civicgraph token', () => {
  it('prints a token, once and alone, that the gateway serves as the role', async () => {
    const staff = await civicgraphToken(['--role', 'staff', '--subject', 'ana@riverton.example']);
    expect(staff.code, staff.stderr).toBe(0);
    expect(staff.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(staff.stderr).toMatch(/A token for role staff, subject "ana@riverton\.example", until \d{4}-\d\d-\d\dT/);
    expect(staff.stdout + staff.stderr).not.toContain(SECRET);
    const staffFields = await fieldsAs(`Bearer ${staff.stdout.trim()}`);
    // Staff read exact addresses, so the join on them opens up; caller details stay the department's.
    expect(staffFields).toContain('permitsAtAddress');
    expect(staffFields).not.toContain('callerPhone');
    expect(await fieldsAs(undefined)).not.toContain('permitsAtAddress');
  });

  it('signs a per-department role for the department named, and only there', async () => {
    const crm = await civicgraphToken(['--role', 'department', '--department', '311 customer service', '--expires', '30m']);
    expect(crm.code, crm.stderr).toBe(0);
    expect(crm.stderr).toContain('A token for role department in 311 Customer Service, subject "token:department:311-customer-service"');
    expect(await fieldsAs(`Bearer ${crm.stdout.trim()}`)).toContain('callerPhone');
    const works = await civicgraphToken(['--role', 'department', '--department', 'Public Works']);
    expect(await fieldsAs(`Bearer ${works.stdout.trim()}`)).not.toContain('callerPhone');
  });

  it('refuses when no HS256 secret is configured, or the gateway trusts an identity provider', async () => {
    expect(await refusal({ role: 'staff' }, { CIVICGRAPH_JWT_SECRET: '' })).toContain('no HS256 secret is configured: set CIVICGRAPH_JWT_SECRET');
    const jwks = await refusal({ role: 'staff' }, { CIVICGRAPH_JWT_SECRET: '', CIVICGRAPH_JWT_JWKS_URL: 'https://idp.riverton.example/jwks.json' });
    expect(jwks).toContain('the gateway verifies tokens with a JWKS URL (authentication.jwt.jwksUrl): they are signed by your identity provider');
    const { publicKey } = await generateKeyPair('ES256');
    const pem = await refusal({ role: 'staff' }, { CIVICGRAPH_JWT_SECRET: '', CIVICGRAPH_JWT_PUBLIC_KEY: await exportSPKI(publicKey) });
    expect(pem).toContain('a PEM public key (authentication.jwt.publicKey)');
  });

  it('refuses a role that does not exist, the public role, and a department missing, unknown or not wanted', async () => {
    expect(await refusal({ role: 'liason' })).toBe('civicgraph token: no role "liason" in roles.yaml (did you mean "liaison"?); its roles: public, staff, department, liaison');
    expect(await refusal({ role: 'public' })).toContain('"public" is the role of callers without a token: send none');
    expect(await refusal({ role: 'liaison' })).toBe(
      'civicgraph token: role "liaison" is held for one department: name it with --department ("311 Customer Service", "Building and Inspections", "Public Works")',
    );
    expect(await refusal({ role: 'liaison', department: 'Public Work' })).toContain('no mapping file names the department "Public Work" (did you mean "Public Works"?)');
    expect(await refusal({ role: 'staff', department: 'Public Works' })).toContain('role "staff" is not held for a department, so the gateway ignores --department: leave it out');
    expect(await refusal({ role: 'staff', expires: 'soon' })).toContain('--expires "soon" is not a period such as 8h');
    expect(await refusal({ role: 'staff', expires: '-1h' })).toContain('must be a period in the future');
  });

  it('refuses, naming the file, when roles.yaml does not load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civicgraph-token-'));
    await cp('connectors', dir, { recursive: true });
    const short = await refusal({ role: 'staff', connectorsDir: dir }, { CIVICGRAPH_JWT_SECRET: 'short' });
    expect(short).toMatch(/roles\.yaml:\d+:\d+: error: authentication\.jwt\.secret: the secret \(from \$\{CIVICGRAPH_JWT_SECRET\}\) is shorter than 32 characters/);
    expect(short).toContain('roles.yaml does not load (above)');
  });

  it('is refused by the command line without --role', async () => {
    const missing = await civicgraphToken([]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--role <role>' not specified");
    expect(missing.stdout).toBe('');
  });
});
