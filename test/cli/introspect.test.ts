/**
 * `civicgraph introspect`: drafts from live systems of each kind — a real PostgreSQL
 * database, CSV files, a JSON API on 127.0.0.1 and MongoDB (the wire test server) — checked
 * for what a liaison relies on: every column present and typed, fields matched to the public
 * type, everything hidden from the public, the connection named by a variable, never written.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { introspect, type IntrospectOptions } from '../../src/cli/introspect.js';
import { loadMappings } from '../../src/config/load-mappings.js';
import { loadRoles } from '../../src/config/load-roles.js';
import { loadPublicSchema } from '../../src/schema/sdl.js';
import { startMongoWireServer, type MongoWireServer } from '../support/mongo-wire/server.js';
import { validate } from '../../src/cli/validate.js';
import { freshPostgresDatabase, MYSQL_URL, POSTGRES_URL, withDatabase, withKnex } from '../support/servers.js';

const DATABASE = 'civicgraph_test_introspect';
const PG_URL = withDatabase(POSTGRES_URL, DATABASE);

type Draft = {
  source: Record<string, unknown>;
  datasets: Record<string, { publication: string; table: string; columns?: Record<string, string>; fields: Record<string, unknown>; access: Record<string, { fields: Record<string, string> }> }>;
};

async function draft(options: Partial<IntrospectOptions> & Pick<IntrospectOptions, 'kind' | 'connection'>, env: Record<string, string> = {}): Promise<{ code: number; text: string; file: string; messages: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-introspect-'));
  const file = join(dir, 'draft.yaml');
  const messages: string[] = [];
  const code = await introspect({ out: file, schemasDir: 'schemas', connectorsDir: 'connectors', env, printError: (line) => messages.push(line), ...options });
  const text = code === 1 ? '' : await readFile(file, 'utf8');
  return { code, text, file, messages };
}

/** Every mapped field is hidden from the public, and the draft publishes nothing. */
function expectFailClosed(dataset: Draft['datasets'][string]): void {
  expect(dataset.publication).toBe('draft');
  expect(Object.keys(dataset.access.public!.fields).sort()).toEqual(Object.keys(dataset.fields).sort());
  expect(new Set(Object.values(dataset.access.public!.fields))).toEqual(new Set(['hidden']));
  expect(Object.keys(dataset.access)).toEqual(['public']);
}

/** The draft loads as a mapping whose only errors are public fields the system did not offer. */
async function expectLoadable(file: string, env: Record<string, string>): Promise<void> {
  const dir = join(file, '..');
  await copyFile('connectors/roles.yaml', join(dir, 'roles.yaml'));
  const { roles } = await loadRoles(join(dir, 'roles.yaml'), env);
  const loaded = await loadMappings(dir, (await loadPublicSchema('schemas')).schema, { env, ...(roles ? { roles } : {}) });
  const errors = loaded.problems.filter((problem) => problem.severity === 'error');
  expect(errors.filter((problem) => !problem.message.includes('is not mapped; every row must have it')), JSON.stringify(errors)).toEqual([]);
}

describe('from PostgreSQL', () => {
  beforeAll(async () => {
    await withKnex('pg', await freshPostgresDatabase(DATABASE), async (db) => {
      await db.raw(`create table requests (service_request_id text primary key, status varchar(10) not null, service_code text, service_name text,
        requested_datetime timestamp, lat numeric(9,6), long numeric(9,6), address text, caller_phone text, internal_flag boolean)`);
      await db.raw(`create table audit_log (entry_id serial primary key, happened timestamptz, actor text)`);
    });
  });

  it('drafts every table, matching columns by field and Open311 names, everything hidden from the public', async () => {
    const { code, text, messages, file } = await draft({ kind: 'postgres', connection: 'INTROSPECT_PG_URL', name: 'crm' }, { INTROSPECT_PG_URL: PG_URL });
    // Every table is in the draft: the one no public type fits with a type of its own.
    expect(code, messages.join('\n')).toBe(0);
    const parsed = parse(text) as Draft;
    expect(parsed.source).toMatchObject({ kind: 'postgres', connection: '${INTROSPECT_PG_URL}' });
    // Editors find the mapping schema from wherever the draft is written.
    const schemaPath = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1];
    expect(resolve(dirname(file), schemaPath!)).toBe(resolve('src/config/mapping.schema.json'));
    const requests = parsed.datasets.ServiceRequest!;
    expect(requests.table).toBe('requests');
    expect(requests.fields).toMatchObject({
      id: 'service_request_id',
      status: 'status',
      serviceCode: 'service_code',
      serviceName: 'service_name',
      requestedAt: 'requested_datetime',
      address: 'address',
      callerPhone: 'caller_phone',
      location: { fields: { latitude: 'lat', longitude: 'long' } },
    });
    expectFailClosed(requests);
    // A database describes its own types (validate then catches a changed type): they are shown, not declared.
    expect(requests.columns).toBeUndefined();
    expect(text).toMatch(/requestedAt: requested_datetime # timestamp/);
    expect(text).toMatch(/#\s+internal_flag \(boolean/);
    // The table no type fits gets a declared type, and the draft says why.
    expect((parse(text) as { types: Record<string, unknown> }).types).toEqual({ AuditLog: expect.objectContaining({ fields: expect.objectContaining({ id: { type: 'ID!', description: expect.any(String) } }) }) });
    expect(parsed.datasets.AuditLog).toMatchObject({ table: 'audit_log', fields: { id: 'entry_id', happenedAt: 'happened', actor: 'actor' } });
    expect(text).toMatch(/# audit_log: no public type fits: .*, so this draft declares a public type for it/);
    expect(messages.join('\n')).toContain('audit_log → AuditLog, declared in the draft (no public type fits');
    expect(text + messages.join('\n')).not.toContain(PG_URL);
    await expectLoadable(file, { INTROSPECT_PG_URL: PG_URL });
  });

  it('fills the type the liaison names, and reads only the tables named', async () => {
    const { code, text } = await draft({ kind: 'postgres', connection: 'INTROSPECT_PG_URL', name: 'audit', tables: ['audit_log'], types: ['audit_log=WorkOrder'] }, { INTROSPECT_PG_URL: PG_URL });
    expect(code).toBe(0);
    const parsed = parse(text) as Draft;
    expect(Object.keys(parsed.datasets)).toEqual(['WorkOrder']);
    expect(parsed.datasets.WorkOrder!.table).toBe('audit_log');
    expect(parsed.datasets.WorkOrder!.fields.id).toBe('entry_id');
  });

  it('names a table that does not exist, and writes nothing', async () => {
    const { code, messages } = await draft({ kind: 'postgres', connection: 'INTROSPECT_PG_URL', name: 'crm', tables: ['no_such_table'] }, { INTROSPECT_PG_URL: PG_URL });
    expect(code).toBe(1);
    expect(messages.join('\n')).toContain('table "no_such_table" does not exist');
  });

  it('reports an unreachable server without its address or password', async () => {
    const url = 'postgres://civic:s3cretPW@127.0.0.1:1/x';
    const { code, messages } = await draft({ kind: 'postgres', connection: url, name: 'crm' });
    expect(code).toBe(1);
    expect(messages.join('\n')).toMatch(/cannot reach the PostgreSQL server/);
    expect(messages.join('\n')).not.toMatch(/s3cretPW|127\.0\.0\.1/);
  });
});

describe('from MariaDB, a table no public type fits', () => {
  const MYSQL_DATABASE = 'hdeclared_introspect';
  const url = withDatabase(MYSQL_URL, MYSQL_DATABASE);

  beforeAll(async () => {
    await withKnex('mysql2', MYSQL_URL, async (admin) => {
      await admin.raw(`drop database if exists ${MYSQL_DATABASE}`);
      await admin.raw(`create database ${MYSQL_DATABASE}`);
    });
    await withKnex('mysql2', url, async (db) => {
      await db.raw(`create table CE_CASE (CASE_ID varchar(20) primary key, VIOLATION_CD varchar(10) not null, INSPECTOR varchar(60),
        OPENED_DT datetime not null, UPDATED_DT datetime, SITE_ADDR varchar(100), LAT decimal(9,6), LON decimal(9,6), FINE_AMT decimal(10,2), REINSPECT_ON date)`);
      await db('CE_CASE').insert({ CASE_ID: 'CE-1', VIOLATION_CD: 'PMAINT', INSPECTOR: 'R. Castillo', OPENED_DT: '2024-05-01 09:00:00', SITE_ADDR: '42 N Main Ave', LAT: 41.9, LON: -87.6, FINE_AMT: 250, REINSPECT_ON: '2024-06-01' });
    });
  });

  it('drafts a declared type from the live table: typed fields, the key, a location; it loads and validates against the table', async () => {
    const env = { CODE_DB_URL: url };
    const { code, text, messages, file } = await draft({ kind: 'mysql', connection: 'CODE_DB_URL', name: 'code-compliance', types: ['CE_CASE=CodeCase'] }, env);
    expect(code, messages.join('\n')).toBe(0);
    const parsed = parse(text) as Draft & { types: Record<string, { fields: Record<string, { type: string }> }> };
    // Not a ServiceRequest, though it has a key and dates: a type of its own, named as the liaison asked.
    expect(Object.keys(parsed.datasets)).toEqual(['CodeCase']);
    const types = Object.fromEntries(Object.entries(parsed.types.CodeCase!.fields).map(([name, field]) => [name, field.type]));
    expect(types).toEqual({ id: 'ID!', location: 'Location', violation: 'String', inspector: 'String', openedAt: 'DateTime', updatedAt: 'DateTime', siteAddr: 'String', fineAmt: 'Float', reinspectOnDate: 'Date' });
    expect(parsed.datasets.CodeCase!.fields).toMatchObject({ id: 'CASE_ID', location: { fields: { latitude: 'LAT', longitude: 'LON' } }, openedAt: 'OPENED_DT', fineAmt: 'FINE_AMT' });
    expectFailClosed(parsed.datasets.CodeCase!);
    expect(text).toContain('# CE_CASE: CodeCase is the new type you named, so this draft declares a public type for it.');
    expect(text).not.toContain(url);
    await expectLoadable(file, env);
    // Checked against the live table as validate checks any mapping: every column exists and serves its field.
    const lines: string[] = [];
    const exit = await validate({ connectorsDir: dirname(file), schemasDir: 'schemas', offline: false, env, print: (line) => lines.push(line) });
    expect(exit, lines.join('\n')).toBe(0);
    expect(lines.join('\n')).toMatch(/type CodeCase comes from .*draft\.yaml:\d+ only, not from schemas\//);
  });

  it('without --type, names the type after the table', async () => {
    const { code, text } = await draft({ kind: 'mysql', connection: 'CODE_DB_URL', name: 'code-compliance' }, { CODE_DB_URL: url });
    expect(code).toBe(0);
    expect(Object.keys((parse(text) as Draft).datasets)).toEqual(['CeCase']);
  });
});

describe('from CSV files', () => {
  it('infers each column’s type from its values and declares it, and guesses the public type per file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civicgraph-introspect-csv-'));
    await writeFile(
      join(dir, 'building_permits.csv'),
      'PermitNum,AppliedDate,IssuedDate,OriginalAddress1,OriginalCity,OriginalState,OriginalZip,EstProjectCost,HousingUnits,Inspected,LastVisit\n' +
        'BP-1,2024-01-05,2024-02-01,1163 W 24TH ST,Riverton,IL,60608,125000.50,2,yes,2024-03-01 10:30:00\n' +
        'BP-2,2024-01-09,,500 S HALSTED ST,Riverton,IL,06061,9000,0,no,2024-03-02 08:00:00\n',
    );
    const { code, text, messages, file } = await draft({ kind: 'csv', connection: dir, name: 'permits' });
    expect(code, messages.join('\n')).toBe(0);
    const parsed = parse(text) as Draft;
    const permits = parsed.datasets.Permit!;
    expect(permits.table).toBe('building_permits.csv');
    expect(permits.columns).toEqual({
      PermitNum: 'text',
      AppliedDate: 'date',
      IssuedDate: 'date',
      OriginalAddress1: 'text',
      OriginalCity: 'text',
      OriginalState: 'text',
      // A leading zero marks an identifier, never a number.
      OriginalZip: 'text',
      EstProjectCost: 'decimal',
      HousingUnits: 'integer',
      Inspected: 'boolean',
      LastVisit: 'timestamp',
    });
    expect(permits.fields).toMatchObject({ permitNumber: 'PermitNum', appliedDate: 'AppliedDate', originalAddress1: 'OriginalAddress1', estProjectCost: 'EstProjectCost', housingUnits: 'HousingUnits' });
    expectFailClosed(permits);
    // A path is no secret: the draft names the folder relative to itself.
    expect(parsed.source.connection).toMatch(/civicgraph-introspect-csv-/);
    await expectLoadable(file, {});
  });
});

describe('from a REST API', () => {
  let server: ReturnType<typeof createServer>;
  let base: string;
  const seenTokens: Array<string | undefined> = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seenTokens.push(request.headers['x-app-token'] as string | undefined);
      if (!request.url?.startsWith('/v1/requests')) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          meta: { page: 1 },
          data: [
            { service_request_id: '311-1', status: 'open', requested_datetime: '2024-03-01T10:00:00-06:00', geo: { lat: 41.85, long: -87.65 }, votes: 3 },
            { service_request_id: '311-2', status: 'closed', requested_datetime: '2024-03-02T11:30:00-06:00', geo: { lat: 41.86, long: -87.66 }, votes: 0 },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads one page of the named endpoint, with its header from the environment, into dotted-path columns', async () => {
    const env = { OPEN311_URL: base, OPEN311_TOKEN: 'tok-SECRET-9' };
    const { code, text, messages } = await draft({ kind: 'rest', connection: 'OPEN311_URL', name: 'open311', tables: ['v1/requests'], records: 'data', headers: ['X-App-Token=OPEN311_TOKEN'] }, env);
    expect(code, messages.join('\n')).toBe(0);
    expect(seenTokens).toContain('tok-SECRET-9');
    const parsed = parse(text) as Draft;
    expect(parsed.source).toMatchObject({ kind: 'rest', connection: '${OPEN311_URL}', rest: { headers: { 'X-App-Token': '${OPEN311_TOKEN}' }, records: 'data' } });
    const requests = parsed.datasets.ServiceRequest!;
    expect(requests.columns).toMatchObject({ service_request_id: 'text', requested_datetime: 'timestamptz', 'geo.lat': 'decimal', 'geo.long': 'decimal', votes: 'integer' });
    expect(requests.fields).toMatchObject({ id: 'service_request_id', requestedAt: 'requested_datetime', location: { fields: { latitude: 'geo.lat', longitude: 'geo.long' } } });
    expectFailClosed(requests);
    expect(text).not.toContain('tok-SECRET-9');
  });

  it('says where to say the records are, when a response is not an array of them', async () => {
    const { code, messages } = await draft({ kind: 'rest', connection: 'OPEN311_URL', name: 'open311', tables: ['v1/requests'] }, { OPEN311_URL: base });
    expect(code).toBe(1);
    expect(messages.join('\n')).toMatch(/is not an array of records.*pass --records with their path/);
  });

  it('asks for the endpoints, which an API cannot list', async () => {
    const { code, messages } = await draft({ kind: 'rest', connection: 'OPEN311_URL', name: 'open311' }, { OPEN311_URL: base });
    expect(code).toBe(1);
    expect(messages.join('\n')).toContain('name each with --table');
  });
});

describe('from MongoDB', () => {
  let mongo: MongoWireServer;
  beforeAll(async () => {
    mongo = await startMongoWireServer();
    const client = new MongoClient(mongo.url);
    try {
      await client
        .db('works')
        .collection('work_orders')
        .insertMany([
          { workOrderId: 'WO-1', workType: 'Pothole repair', status: 'OPEN', createdAt: new Date('2024-03-01T10:00:00Z'), site: { address: '1163 W 24TH ST' }, cost: 120.5 },
          { workOrderId: 'WO-2', workType: 'Light repair', status: 'DONE', createdAt: new Date('2024-03-02T10:00:00Z'), site: { address: '7 E LAKE DR' }, cost: 80 },
        ]);
    } finally {
      await client.close();
    }
  });
  afterAll(() => mongo?.close());

  it('samples each collection’s documents into typed dotted paths', async () => {
    const { code, text, messages } = await draft({ kind: 'mongodb', connection: 'WORKS_MONGO_URL', name: 'works' }, { WORKS_MONGO_URL: `${mongo.url}/works` });
    expect(code, messages.join('\n')).toBe(0);
    const parsed = parse(text) as Draft;
    const orders = parsed.datasets.WorkOrder!;
    expect(orders.table).toBe('work_orders');
    expect(orders.fields).toMatchObject({ workType: 'workType', status: 'status', createdAt: 'createdAt', address: 'site.address', cost: 'cost' });
    expect(text).toMatch(/createdAt: createdAt # timestamptz/);
    expectFailClosed(orders);
  });
});

describe('the command', () => {
  const run = promisify(execFile);
  const civicgraph = (args: string[]) =>
    run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', ...args]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  /** A code-compliance system's export: neither table is a service request, a work order or a permit. */
  async function codeEnforcementExport(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'civicgraph-introspect-ce-'));
    await writeFile(join(dir, 'ce_case.csv'), 'CASE_ID,VIOLATION_CD,INSPECTOR,OPENED_DT,UPDATED_DT\nCE-1,HSG-12,R. Diaz,2024-03-01 09:00:00,2024-03-04 10:00:00\n');
    await writeFile(join(dir, 'ce_inspection.csv'), 'INSPECTION_ID,CASE_ID,RESULT_CD,INSPECTED_DT\n7,CE-1,FAIL,2024-03-04 10:00:00\n');
    return dir;
  }

  it('declares the new type a --type names, refuses a near miss of a public type, and writes nothing then', async () => {
    const dir = await codeEnforcementExport();
    const out = join(dir, 'draft.yaml');
    const named = await civicgraph(['introspect', 'csv', dir, '--name', 'code-enforcement', '--type', 'ce_case.csv=CodeCase', '--out', out]);
    expect(named.code, named.stderr).toBe(0);
    const drafted = parse(await readFile(out, 'utf8')) as Draft & { types: Record<string, unknown> };
    expect(Object.keys(drafted.types)).toEqual(['CodeCase', 'CeInspection']);
    expect(drafted.datasets.CodeCase!.table).toBe('ce_case.csv');
    expect(named.stderr).toContain('ce_case.csv → CodeCase, declared in the draft (CodeCase is the new type you named)');
    const typo = await civicgraph(['introspect', 'csv', dir, '--type', 'ce_case.csv=serviceRequst', '--out', join(dir, 'typo.yaml')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('"serviceRequst" is not a public dataset type (did you mean "ServiceRequest"?)');
    expect(typo.stderr).not.toMatch(/\n\s+at /);
    const notDataset = await civicgraph(['introspect', 'csv', dir, '--type', 'ce_case.csv=Location', '--out', join(dir, 'location.yaml')]);
    expect(notDataset.code).toBe(1);
    expect(notDataset.stderr).toContain('"Location" is not a public dataset type');
    const table = await civicgraph(['introspect', 'csv', dir, '--type', 'ce_cases.csv=ServiceRequest', '--out', join(dir, 'table.yaml')]);
    expect(table.code).toBe(1);
    expect(table.stderr).toContain('--type names table "ce_cases.csv", which is not among the tables read (did you mean "ce_case.csv"?)');
    for (const name of ['typo.yaml', 'location.yaml', 'table.yaml']) expect(existsSync(join(dir, name))).toBe(false);
  });

  it('drafts a type for every table no public type fits; leaves out, saying why, a table whose type another fills, and exits 2', async () => {
    const dir = await codeEnforcementExport();
    const out = join(dir, 'draft.yaml');
    const result = await civicgraph(['introspect', 'csv', dir, '--name', 'code-enforcement', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(Object.keys((parse(text) as Draft).datasets)).toEqual(['CeCase', 'CeInspection']);
    expect(text).toMatch(/# ce_case\.csv: no public type fits: its columns match at most 1 field of ServiceRequest besides the key \(updatedAt\), and a type is guessed from 3, so this draft declares/);
    expect(result.stderr).toContain('ce_inspection.csv → CeInspection, declared in the draft');
    // Two tables named for one type: the second is left out.
    const both = await civicgraph(['introspect', 'csv', dir, '--name', 'code-enforcement', '--type', 'ce_case.csv=ServiceRequest', 'ce_inspection.csv=ServiceRequest', '--out', out, '--force']);
    expect(both.code).toBe(2);
    expect((parse(await readFile(out, 'utf8')) as Draft).datasets.ServiceRequest!.table).toBe('ce_case.csv');
    expect(both.stderr).toContain('ce_inspection.csv: left out: ServiceRequest is already filled by table ce_case.csv in this draft');
    expect(both.stderr).toContain('1 of 2 tables left out');
  });

  it('refuses an unknown kind and an existing file, exiting non-zero without a stack trace', async () => {
    const kind = await run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', 'introspect', 'oracle', 'X']).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(kind?.code).toBe(1);
    expect(kind?.stderr).toContain('kind must be one of postgres, mysql, mssql, pglite, mongodb, rest, csv');
    expect(kind?.stderr).not.toMatch(/\n\s+at /);
    const existing = join(await mkdtemp(join(tmpdir(), 'civicgraph-introspect-')), 'taken.yaml');
    await writeFile(existing, 'keep me');
    const taken = await run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', 'introspect', 'csv', '.', '--out', existing]).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(taken?.code).toBe(1);
    expect(taken?.stderr).toContain('exists; pass --force');
    expect(await readFile(existing, 'utf8')).toBe('keep me');
  });
});
