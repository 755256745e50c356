/**
 * The console's API as a hostile outsider and a confused liaison would call it, against a real
 * gateway on real PostgreSQL and MariaDB (test/support/console-gateway.ts): who may call what,
 * one department's liaison against another's data, and the bad input of issue 11 — a source
 * that is down, a system that cannot be reached, a table without a key — each answered with
 * the source named and no secret.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ReviewLog } from '../../src/privacy/reviews.js';
import { DEAD_PASSWORD, DEPARTMENT, startConsoleGateway, UNMAPPED_CODE, type ConsoleGateway } from '../support/console-gateway.js';

let gateway: ConsoleGateway;
let liaison: string;

beforeAll(async () => {
  gateway = await startConsoleGateway('h_console_http', { edits: true });
  liaison = await gateway.token('liaison', DEPARTMENT);
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
});

async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${gateway.origin}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

/** Every console route, with a body that would be valid for a liaison. */
const ROUTES: Array<[method: string, path: string, body?: unknown]> = [
  ['GET', '/console'],
  ['GET', '/console/api/whoami'],
  ['GET', '/console/api/overview'],
  ['POST', '/console/api/drafts/tables', { kind: 'mysql', variable: 'CE_DB_URL' }],
  ['POST', '/console/api/drafts', { kind: 'mysql', variable: 'CE_DB_URL', tables: ['CE_CASE'] }],
  ['GET', '/console/api/datasets/ServiceRequest/preview'],
  ['GET', '/console/api/datasets/ServiceRequest/quality'],
  ['GET', '/console/api/privacy-report'],
  ['POST', '/console/api/reviews', { file: 'crm-311.yaml' }],
  ['POST', '/console/api/session', undefined],
];

describe('who may use the console', () => {
  it('answers 403 to the public and to staff on every route, and tells them why', async () => {
    const staff = await gateway.token('staff');
    for (const token of [undefined, staff]) {
      for (const [method, path, body] of ROUTES) {
        const sent = path === '/console/api/session' ? { token: token ?? 'not-a-token' } : body;
        const answer = await call(method, path, path === '/console/api/session' ? undefined : token, sent);
        // A session for an anonymous caller is a token that does not verify: 401; staff's verifies and is refused.
        const expected = path === '/console/api/session' && token === undefined ? 401 : 403;
        expect({ method, path, status: answer.status, staff: token !== undefined }).toEqual({ method, path, status: expected, staff: token !== undefined });
        if (path.startsWith('/console/api')) expect(answer.body.error.message).toBeTruthy();
      }
    }
    const refused = await call('GET', '/console/api/overview', staff);
    expect(refused.body.error.message).toContain('role staff cannot use it');
    // The department role is below the liaison: it may not review its own data either.
    const department = await gateway.token('department', DEPARTMENT);
    expect((await call('GET', '/console/api/overview', department)).status).toBe(403);
  });

  it('serves the page and every call to the liaison, and the page loads nothing from elsewhere', async () => {
    const page = await call('GET', '/console', liaison);
    expect(page.status).toBe(200);
    const policy = (await fetch(`${gateway.origin}/console`, { headers: { authorization: `Bearer ${liaison}` } })).headers.get('content-security-policy');
    expect(policy).toContain("script-src 'self'");
    expect(page.text).not.toMatch(/https?:\/\//);
    expect((await call('GET', '/console/api/whoami', liaison)).body).toMatchObject({ role: 'liaison:311-customer-service', department: '311-customer-service', subject: `test:liaison:${DEPARTMENT}` });
  });

  it('keeps a browser signed in with an HttpOnly cookie scoped to /console, which /graphql never sees', async () => {
    const response = await fetch(`${gateway.origin}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: liaison }) });
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/console/);
    const session = cookie.split(';')[0]!;
    const overview = await fetch(`${gateway.origin}/console/api/overview`, { headers: { cookie: session } });
    expect(overview.status).toBe(200);
  });
});

describe('the roles the preview may run as', () => {
  it('are the roles the caller inherits from, for its own department only, never one above or beside it', () => {
    const { rolesBelow } = gateway.running.gateway.serving();
    const slug = '311-customer-service';
    expect(rolesBelow({ kind: 'jwt', role: `liaison:${slug}`, baseRole: 'liaison', department: slug })).toEqual(['public', 'staff', `department:${slug}`, `liaison:${slug}`]);
    expect(rolesBelow({ kind: 'jwt', role: 'staff', baseRole: 'staff' })).toEqual(['public', 'staff']);
    expect(rolesBelow({ kind: 'anonymous', role: 'public', baseRole: 'public' })).toEqual(['public']);
    // A liaison of a department no mapping names is served as staff, and runs as nothing above it.
    expect(rolesBelow({ kind: 'jwt', role: 'staff', baseRole: 'liaison', department: 'parks' })).toEqual(['public', 'staff']);
  });
});

describe("one department's liaison and another's data", () => {
  it("refuses a liaison of 311 Public Works' preview and quality, and Public Works' liaison 311's", async () => {
    for (const what of ['preview', 'quality']) {
      const answer = await call('GET', `/console/api/datasets/WorkOrder/${what}`, liaison);
      expect(answer.status).toBe(403);
      expect(answer.body.error.message).toContain('belongs to department Public Works');
    }
    const works = await gateway.token('liaison', 'Public Works');
    for (const what of ['preview', 'quality']) expect((await call('GET', `/console/api/datasets/ServiceRequest/${what}`, works)).status).toBe(403);
  });

  it("refuses a draft from another department's system, named by its variable", async () => {
    const answer = await call('POST', '/console/api/drafts/tables', liaison, { kind: 'postgres', variable: 'CIVICGRAPH_PERMITS_URL' });
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toContain('of department Building and Inspections');
    expect(answer.text).not.toContain('postgres://');
  });

  it("refuses a review of another department's mapping file", async () => {
    expect((await call('POST', '/console/api/reviews', liaison, { file: 'permits.yaml' })).status).toBe(403);
  });
});

describe('what the console shows', () => {
  it('lists every department with its sources, datasets, states and file:line problems', async () => {
    const { body } = await call('GET', '/console/api/overview', liaison);
    const names = body.departments.map((department: any) => department.name);
    expect(names[0]).toBe(DEPARTMENT); // the caller's own first
    expect(names).toEqual(expect.arrayContaining(['Public Works', 'Building and Inspections']));
    const own = body.departments[0];
    expect(own.mine).toBe(true);
    expect(own.failingFiles[0].file).toBe(gateway.broken.file);
    expect(own.failingFiles[0].problems.some((problem: any) => problem.line === gateway.broken.line && problem.message.includes('tabel'))).toBe(true);
    const crm = own.sources.find((source: any) => source.name === 'crm-311');
    expect(crm).toMatchObject({ kind: 'postgres', state: 'up', file: 'crm-311.yaml' });
    expect(crm.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(crm.work[0]).toContain('the system does all the work');
    expect(crm.datasets[0]).toMatchObject({ type: 'ServiceRequest', state: 'served', publication: 'public', accessLevel: 'public' });
  });

  it('shows the same rows as public, staff and the department, withheld rows counted and transforms marked', async () => {
    const { status, body } = await call('GET', '/console/api/datasets/ServiceRequest/preview?rows=30', liaison);
    expect(status).toBe(200);
    expect(body.roles.map((role: any) => role.role)).toEqual(['public', 'staff', 'department:311-customer-service']);
    const [publicView, staff, department] = body.roles;
    expect(department.rows.every((row: any) => row !== null)).toBe(true);
    // The public never gets the vulnerable people's requests the department sees.
    expect(publicView.withheld).toBeGreaterThan(0);
    expect(publicView.totalCount + publicView.withheld).toBe(department.totalCount);
    const shown = publicView.rows.filter((row: any) => row !== null);
    expect(shown.length).toBeGreaterThan(0);
    for (const row of shown) {
      for (const personal of ['callerName', 'callerPhone', 'callerEmail', 'internalNotes']) expect(row[personal]).toEqual({ value: null, state: 'hidden' });
      if (row.address.value !== null) expect(row.address.value).toMatch(/^\d*XX /);
    }
    expect(shown.some((row: any) => row.address.state === 'transformed')).toBe(true);
    // Rounded to 3 decimals for the public, as the department reads it for staff.
    expect(publicView.points.every(([latitude, longitude]: number[]) => Number(latitude!.toFixed(3)) === latitude && Number(longitude!.toFixed(3)) === longitude)).toBe(true);
    expect(staff.rows.filter((row: any) => row === null)).toHaveLength(0);
  });

  it("lists the code value the mapping does not translate in the dataset's quality profile", async () => {
    const { status, body } = await call('GET', '/console/api/datasets/ServiceRequest/quality', liaison);
    expect(status).toBe(200);
    const serviceName = body.profile.codes.find((code: any) => code.field === 'serviceName');
    expect(serviceName.untranslated).toEqual([{ code: UNMAPPED_CODE, label: null, rows: 1 }]);
    expect(body.profile.recordsPerMonth.months.length).toBeGreaterThan(1);
  });

  it('records a review (subject, time, file hash) on disk, where a restarted gateway reads it, and shows in the privacy report and data.json', async () => {
    const answer = await call('POST', '/console/api/reviews', liaison, { file: 'crm-311.yaml' });
    expect(answer.status).toBe(200);
    const text = await readFile(join(gateway.connectorsDir, 'crm-311.yaml'));
    const { createHash } = await import('node:crypto');
    expect(answer.body).toMatchObject({ file: 'crm-311.yaml', subject: `test:liaison:${DEPARTMENT}`, role: 'liaison:311-customer-service', version: `sha256:${createHash('sha256').update(text).digest('hex')}` });
    // On disk, where a new gateway process reads it.
    expect(await new ReviewLog(join(gateway.connectorsDir, 'reviews.jsonl')).all()).toContainEqual(answer.body);
    const report = await call('GET', '/console/api/privacy-report', liaison);
    expect(report.text).toContain(`crm-311.yaml reviewed by test:liaison:${DEPARTMENT}`);
    expect(report.text).toContain('the file as it is now');
    const catalog = await call('GET', '/data.json');
    expect(catalog.status, catalog.text).toBe(200);
    const entry = catalog.body.dataset.find((dataset: any) => dataset.identifier === 'ServiceRequest');
    expect(entry.modified).toBe(answer.body.at);
  });
});

describe('drafting', () => {
  it('lists the tables of the system the variable names, and drafts one with its fields, types and matches', async () => {
    const before = (await readdir(gateway.connectorsDir)).sort();
    const listed = await call('POST', '/console/api/drafts/tables', liaison, { kind: 'mysql', variable: 'CE_DB_URL', name: 'code-compliance' });
    expect(listed.body).toEqual({ source: 'code-compliance', tables: ['CE_CASE', 'CE_INSPECTION_LOG'] });
    const drafted = await call('POST', '/console/api/drafts', liaison, { kind: 'mysql', variable: 'CE_DB_URL', name: 'code-compliance', tables: ['CE_CASE'] });
    expect(drafted.status, drafted.text).toBe(200);
    const [table] = drafted.body.tables;
    expect(table.type).toBe('ServiceRequest');
    expect(table.fields).toContainEqual({ field: 'requestedAt', column: 'REQUESTED_DATETIME', type: 'timestamp', guessedKey: false });
    expect(drafted.body.text).toContain('connection: ${CE_DB_URL}');
    expect(drafted.text).not.toContain('mysql://');
    // Nothing is written on the server.
    expect((await readdir(gateway.connectorsDir)).sort()).toEqual(before);
  });
});

describe('editing a mapping file', () => {
  it("opens the caller's own department's files only, and never roles.yaml or a path", async () => {
    const own = await call('GET', '/console/api/mappings/crm-311.yaml', liaison);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ file: 'crm-311.yaml', editable: true });
    expect(own.body.text).toContain('name: crm-311');
    expect((await call('GET', '/console/api/mappings/permits.yaml', liaison)).status).toBe(403);
    expect((await call('GET', '/console/api/mappings/roles.yaml', liaison)).status).toBe(400);
    expect((await call('GET', '/console/api/mappings/..%2Froles.yaml', liaison)).status).toBe(400);
    // The broken file is the one most in need of opening.
    expect((await call('GET', `/console/api/mappings/${gateway.broken.file}`, liaison)).body.text).toContain('tabel');
  });

  it('writes where the city turned editing on: the version read, the own department before and after', async () => {
    const path = join(gateway.connectorsDir, gateway.broken.file);
    const { body: opened } = await call('GET', `/console/api/mappings/${gateway.broken.file}`, liaison);
    const fixed = opened.text.replace('tabel:', 'table:');
    expect((await call('PUT', `/console/api/mappings/${gateway.broken.file}`, liaison, { text: fixed, version: 'sha256:stale' })).status).toBe(409);
    const elsewhere = fixed.replace(`department: ${DEPARTMENT}`, 'department: Public Works');
    expect((await call('PUT', `/console/api/mappings/${gateway.broken.file}`, liaison, { text: elsewhere, version: opened.version })).status).toBe(403);
    const saved = await call('PUT', `/console/api/mappings/${gateway.broken.file}`, liaison, { text: fixed, version: opened.version });
    expect(saved.status, saved.text).toBe(200);
    expect(await readFile(path, 'utf8')).toBe(fixed);
    expect((await call('PUT', '/console/api/mappings/permits.yaml', liaison, { text: fixed, version: 'x' })).status).toBe(403);
    const staff = await gateway.token('staff');
    expect((await call('PUT', `/console/api/mappings/${gateway.broken.file}`, staff, { text: fixed })).status).toBe(403);
  });

  it("fills the caller's department into a draft, which may then be saved as a new file", async () => {
    const drafted = await call('POST', '/console/api/drafts', liaison, { kind: 'mysql', variable: 'CE_DB_URL', name: 'ce-cms', tables: ['CE_CASE'] });
    expect(drafted.body.editable).toBe(true);
    expect(parse(drafted.body.text).department).toBe(DEPARTMENT);
    const saved = await call('PUT', '/console/api/mappings/ce-cms.yaml', liaison, { text: drafted.body.text });
    expect(saved.status, saved.text).toBe(200);
    expect(await readFile(join(gateway.connectorsDir, 'ce-cms.yaml'), 'utf8')).toBe(drafted.body.text);
  });
});

describe('bad input', () => {
  it("answers a preview of a source that is down with the source named and no secret, and the rest keeps working", async () => {
    const works = await gateway.token('liaison', 'Public Works');
    const answer = await call('GET', '/console/api/datasets/WorkOrder/preview', works);
    expect(answer.status).toBeGreaterThanOrEqual(500);
    expect(answer.body.error.message).toContain('public-works');
    expect(answer.text).not.toContain(DEAD_PASSWORD);
    const overview = await call('GET', '/console/api/overview', works);
    expect(overview.status).toBe(200);
    const source = overview.body.departments.find((department: any) => department.name === 'Public Works').sources[0];
    expect(source.state).toBe('down');
    expect(overview.text).not.toContain(DEAD_PASSWORD);
    expect((await call('GET', '/console/api/datasets/ServiceRequest/preview', liaison)).status).toBe(200);
  });

  it('answers a draft of an unreachable system with the source named and no secret', async () => {
    const answer = await call('POST', '/console/api/drafts/tables', liaison, { kind: 'mysql', variable: 'DEAD_DB_URL', name: 'dead-cms' });
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ source: 'dead-cms' });
    expect(answer.body.error.message).toContain('source dead-cms (mysql, DEAD_DB_URL)');
    expect(answer.text).not.toContain(DEAD_PASSWORD);
  });

  it('refuses a connection typed instead of a variable name, without echoing it', async () => {
    const answer = await call('POST', '/console/api/drafts/tables', liaison, { kind: 'mysql', variable: `mysql://root:${DEAD_PASSWORD}@db/x` });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('NAME of an environment variable');
    expect(answer.text).not.toContain(DEAD_PASSWORD);
    expect((await call('POST', '/console/api/drafts/tables', liaison, { kind: 'mysql', variable: 'CIVICGRAPH_JWT_SECRET' })).status).toBe(400);
    expect((await call('POST', '/console/api/drafts/tables', liaison, { kind: 'mysql', variable: 'NOT_SET_ANYWHERE' })).body.error.message).toContain('is not set');
  });

  it('drafts a table without a key with a warning naming the source, and a missing table with an error', async () => {
    const answer = await call('POST', '/console/api/drafts', liaison, { kind: 'mysql', variable: 'CE_DB_URL', name: 'code-compliance', tables: ['CE_INSPECTION_LOG'] });
    expect(answer.status).toBe(200);
    const [table] = answer.body.tables;
    expect(table.warnings.join(' ')).toContain('source code-compliance: table CE_INSPECTION_LOG has no column named like a key');
    const missing = await call('POST', '/console/api/drafts', liaison, { kind: 'mysql', variable: 'CE_DB_URL', name: 'code-compliance', tables: ['NO_SUCH'] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('table "NO_SUCH" does not exist');
  });

  it('answers a preview of a dataset no mapping has, and a bad row count, with what is wrong', async () => {
    expect((await call('GET', '/console/api/datasets/Nope/preview', liaison)).status).toBe(404);
    expect((await call('GET', '/console/api/datasets/ServiceRequest/preview?rows=5000', liaison)).body.error.message).toContain('rows: a whole number from 1 to 50');
  });
});
