import { join } from 'node:path';
import { cp, readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadMappings } from '../../src/config/load-mappings.js';
import { formatProblem } from '../../src/config/problem.js';
import { BASE, editLine, errors, expectRefused, loadFiles, publicSchema, REPO, tempDir } from './helpers.js';

interface Case {
  name: string;
  text: string;
  env?: Record<string, string>;
  line: number;
  column?: number;
  path?: string;
  message: string;
}

const cases: Case[] = [
  {
    name: 'a typo in a field key, with a suggestion',
    text: editLine(22, '        colum: STATUS_CD'),
    line: 22,
    column: 9,
    path: 'datasets.ServiceRequest.fields.status',
    message: 'unknown key "colum" (did you mean "column"?)',
  },
  {
    name: 'a typo in a top-level key',
    text: editLine(4, 'departement: 311 Customer Service'),
    line: 4,
    column: 1,
    path: '',
    message: 'unknown key "departement" (did you mean "department"?)',
  },
  {
    name: 'an unknown key far from any allowed one lists the allowed keys',
    text: editLine(11, '  schema: crm'),
    line: 11,
    path: 'source',
    message: 'unknown key "schema" (allowed here: "kind", "connection", "timezone", "queryTimeoutMs", "pool", "memoryRowLimit", "rest", "csv")',
  },
  {
    name: 'a missing required key',
    text: editLine(18, null),
    line: 13,
    column: 3,
    path: 'datasets.ServiceRequest',
    message: 'missing required key "table"',
  },
  {
    name: 'an unknown source kind',
    text: editLine(9, '  kind: postgresql'),
    line: 9,
    column: 9,
    path: 'source.kind',
    message: 'must be one of "postgres", "mysql", "mssql", "pglite", "mongodb", "rest", "csv", not "postgresql" (did you mean "postgres"?)',
  },
  {
    name: 'a name that is not a short id',
    text: editLine(2, 'name: CRM 311'),
    line: 2,
    column: 7,
    path: 'name',
    message: "must be lowercase letters, digits and '-'",
  },
  {
    name: 'a cache maxAge that is not a duration',
    text: editLine(18, '    cache: { maxAge: soon }\n    table: SR_CASE'),
    line: 18,
    column: 22,
    path: 'datasets.ServiceRequest.cache.maxAge',
    message: 'cache maxAge "soon" is not a duration: write e.g. 30s, 5m, 1h, or 0 to never cache',
  },
  {
    name: 'a wrong type',
    text: editLine(16, '    keywords: { a: b }'),
    line: 16,
    column: 15,
    path: 'datasets.ServiceRequest.keywords',
    message: 'expected a list, got a map of keys',
  },
  {
    name: 'an unknown dataset type',
    text: editLine(13, '  ServiceRequests:'),
    line: 13,
    column: 3,
    path: 'datasets.ServiceRequests',
    message: 'unknown type "ServiceRequests" (did you mean "ServiceRequest"?)',
  },
  {
    name: 'a type that is not a dataset',
    text: editLine(13, '  Location:'),
    line: 13,
    path: 'datasets.Location',
    message: '"Location" is not a dataset type: only types marked @dataset can be filled (Permit, ServiceRequest, WorkOrder)',
  },
  {
    name: 'an unknown field',
    text: editLine(25, '      serviceNme: SR_TYPE_NAME'),
    line: 25,
    column: 7,
    path: 'datasets.ServiceRequest.fields.serviceNme',
    message: 'ServiceRequest has no field "serviceNme" (did you mean "serviceName"?)',
  },
  {
    name: 'an unknown sub-field of an object field',
    text: editLine(30, '          lng: LON'),
    line: 30,
    path: 'datasets.ServiceRequest.fields.location.fields.lng',
    message: 'Location has no field "lng"',
  },
  {
    name: 'a code value that is not one of the enum values',
    text: editLine(23, '        codes: { O: OPEN, C: CLOSD }'),
    line: 23,
    column: 30,
    path: 'datasets.ServiceRequest.fields.status.codes.C',
    message: 'code "C": "CLOSD" is not a ServiceRequestStatus value (did you mean "CLOSED"?); allowed: OPEN, CLOSED',
  },
  {
    name: 'an unmapped non-null field',
    text: editLine(26, null),
    line: 19,
    column: 5,
    path: 'datasets.ServiceRequest.fields',
    message: 'non-null field "requestedAt: DateTime!" of ServiceRequest is not mapped',
  },
  {
    name: 'an unmapped non-null sub-field',
    text: editLine(30, null),
    line: 28,
    path: 'datasets.ServiceRequest.fields.location.fields',
    message: 'non-null field "longitude: Float!" of ServiceRequest.location is not mapped',
  },
  {
    name: 'a scalar field given `fields:`',
    text: editLine(24, '      serviceCode:\n        fields: { code: SR_TYPE_CD }'),
    line: 25,
    column: 9,
    path: 'datasets.ServiceRequest.fields.serviceCode.fields',
    message: '"serviceCode" is a single String value, so it takes a column or an expression, not "fields"',
  },
  {
    name: 'an object field given a column',
    text: editLine(27, '      location: LAT_LON').replace('        fields:\n          latitude: LAT\n          longitude: LON\n', ''),
    line: 27,
    path: 'datasets.ServiceRequest.fields.location',
    message: '"location" is a Location, which has fields of its own: map them with { fields: { latitude: …, longitude: … } }',
  },
  {
    name: 'both a column and an expression',
    text: editLine(22, '        column: STATUS_CD\n        expression: upper(status)'),
    line: 22,
    path: 'datasets.ServiceRequest.fields.status',
    message: 'give only one of "column", "expression", "fields"',
  },
  {
    name: 'codes without a column or expression',
    text: editLine(22, null),
    line: 22,
    path: 'datasets.ServiceRequest.fields.status',
    message: 'give a column name, or a map with one of "column", "expression", "fields"',
  },
  {
    name: 'an empty field value',
    text: editLine(25, '      serviceName:'),
    line: 25,
    path: 'datasets.ServiceRequest.fields.serviceName',
    message: 'must not be empty',
  },
  {
    name: 'a key that is not mapped',
    text: editLine(18, '    table: SR_CASE\n    key: zipcode'),
    line: 19,
    column: 10,
    path: 'datasets.ServiceRequest.key',
    message: 'key "zipcode" must be mapped under "fields"',
  },
  {
    name: 'an object field as key',
    text: editLine(18, '    table: SR_CASE\n    key: location'),
    line: 19,
    path: 'datasets.ServiceRequest.key',
    message: 'key "location" must be a single value, not an object',
  },
  {
    name: 'the default key `id` left unmapped',
    text: editLine(20, null),
    line: 13,
    path: 'datasets.ServiceRequest',
    message: 'key "id" (the default key) must be mapped under "fields"',
  },
  {
    name: 'an unknown time zone',
    text: editLine(11, '  timezone: America/Chicgo'),
    line: 11,
    column: 13,
    path: 'source.timezone',
    message: '"America/Chicgo" is not an IANA time zone such as America/Chicago (did you mean "America/Chicago"?)',
  },
  {
    name: 'a pool whose min exceeds its max',
    text: editLine(11, '  pool: { min: 5, max: 2 }'),
    line: 11,
    path: 'source.pool',
    message: 'min (5) must not exceed max (2)',
  },
  {
    name: 'an unset environment variable',
    text: editLine(10, '  connection: postgres://gateway:${CRM_DB_PASSWORD}@db/crm').replace('kind: pglite', 'kind: postgres'),
    line: 10,
    column: 34,
    path: 'source.connection',
    message: 'environment variable CRM_DB_PASSWORD is not set',
  },
  {
    name: 'a malformed ${',
    text: editLine(14, '    title: ${311 Service Requests}'),
    line: 14,
    column: 12,
    path: 'datasets.ServiceRequest.title',
    message: 'malformed "${"',
  },
  {
    name: 'a postgres source whose connection is not a URL',
    text: editLine(9, '  kind: postgres'),
    line: 10,
    path: 'source.connection',
    message: 'the connection must be a URL such as postgres://user@host/database, for kind "postgres"',
  },
  {
    name: 'a YAML syntax error',
    text: editLine(14, '    title: 311: Service Requests'),
    line: 14,
    path: '',
    message: 'YAML syntax: Nested mappings are not allowed in compact mappings',
  },
  {
    name: 'a duplicate key',
    text: editLine(24, '      serviceCode: SR_TYPE_CD\n      serviceCode: SR_TYPE'),
    line: 25,
    path: '',
    message: 'YAML syntax: Map keys must be unique',
  },
  {
    name: 'an empty file',
    text: '',
    line: 1,
    path: '',
    message: 'expected a map of keys, got nothing',
  },
];

describe('broken mappings', () => {
  it.each(cases)('report $name', async ({ text, env, ...expected }) => {
    await expectRefused(text, expected, env);
  });

  it('report a typo once, not again as a failed alternative', async () => {
    const loaded = await loadFiles({ 'crm.yaml': editLine(22, '        colum: STATUS_CD') });
    expect(errors(loaded.problems).map((problem) => formatProblem(problem, loaded.dir))).toEqual([
      'crm.yaml:22:9: error: datasets.ServiceRequest.fields.status: unknown key "colum" (did you mean "column"?)',
    ]);
  });

  it('still check the other fields of a dataset with a broken field', async () => {
    const text = editLine(26, null, editLine(22, '        colum: STATUS_CD'));
    const loaded = await loadFiles({ 'crm.yaml': text });
    expect(errors(loaded.problems).map((problem) => problem.message)).toEqual([
      'non-null field "requestedAt: DateTime!" of ServiceRequest is not mapped; every row must have it',
      'unknown key "colum" (did you mean "column"?)',
      // The access rule for the field removed above; the rule for the broken `status` is not reported again.
      '"requestedAt" is not mapped under "fields", so there is nothing to show public',
    ]);
  });
});

describe('problems across files', () => {
  const other = BASE.replace('name: crm-311', 'name: crm-archive');

  it('report a type filled by two files on the later one, which yields no mapping', async () => {
    const loaded = await loadFiles({ 'a.yaml': BASE, 'b.yaml': other });
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311']);
    expect(errors(loaded.problems)).toEqual([
      {
        severity: 'error',
        file: join(loaded.dir, 'b.yaml'),
        line: 13,
        column: 3,
        path: 'datasets.ServiceRequest',
        message: expect.stringMatching(/^ServiceRequest is already filled by .*a\.yaml:13; a type can be filled by only one mapping file$/),
      },
    ]);
  });

  it('report a duplicate name', async () => {
    const permits = (await readFile(join(REPO, 'connectors/permits.yaml'), 'utf8')).replace('name: permits', 'name: crm-311');
    const loaded = await loadFiles({ 'a.yaml': BASE, 'b.yaml': permits });
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311']);
    expect(errors(loaded.problems)).toEqual([
      expect.objectContaining({ file: join(loaded.dir, 'b.yaml'), line: 6, column: 7, path: 'name', message: expect.stringContaining('name "crm-311" is already used by') }),
    ]);
  });

  it('let a correct file keep its type when a broken file that sorts first claims it too', async () => {
    const broken = editLine(9, '  kind: oracle', other);
    const loaded = await loadFiles({ '0-broken.yaml': broken, 'crm.yaml': BASE });
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311']);
    const messages = errors(loaded.problems).map((problem) => `${problem.file.endsWith('0-broken.yaml')}: ${problem.message}`);
    expect(messages).toHaveLength(2);
    expect(messages).toContainEqual(expect.stringContaining('true: must be one of'));
    expect(messages).toContainEqual(expect.stringMatching(/^true: ServiceRequest is already filled by .*crm\.yaml:13/));
  });

  it('load the good files when another is broken', async () => {
    const dir = await tempDir({ 'broken.yaml': editLine(14, '    title: 311: Service Requests', other) });
    await cp(join(REPO, 'connectors'), dir, { recursive: true });
    const loaded = await loadMappings(dir, await publicSchema(), { env: {} });
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311', 'permits', 'public-works']);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatchObject({ file: join(dir, 'broken.yaml'), line: 14, severity: 'error' });
  });

  it('report every mistake of a file in one pass: a format error does not hide what the kind cannot do', async () => {
    // A CSV export mapped with SQL, and a typo in the catalog metadata of the same dataset.
    const text = editLine(17, '    accessLevel: publik', editLine(9, '  kind: csv', editLine(10, '  connection: ./exports', BASE)))
      .replace('      serviceCode: SR_TYPE_CD', "      serviceCode: { expression: \"upper(SR_TYPE_CD)\" }");
    const loaded = await loadFiles({ 'crm.yaml': text });
    expect(loaded.mappings).toEqual([]);
    expect(errors(loaded.problems).map(({ line, path }) => `${line} ${path}`)).toEqual(['17 datasets.ServiceRequest.accessLevel', '24 datasets.ServiceRequest.fields.serviceCode']);
    // Never served, but there to be checked against the export, with the fields that resolved.
    expect(loaded.unserved.map((mapping) => [mapping.name, mapping.source.kind, mapping.datasets.map((dataset) => [dataset.table, [...dataset.fields.keys()]])])).toEqual([
      ['crm-311', 'csv', [['SR_CASE', ['id', 'status', 'serviceCode', 'serviceName', 'requestedAt', 'location']]]],
    ]);
  });

  it('ignore files that are not YAML and dot-files', async () => {
    const loaded = await loadFiles({ 'crm.yml': BASE, 'README.md': '# not a mapping', '.crm.yaml': 'broken: [' });
    expect(loaded.mappings.map((mapping) => mapping.file)).toEqual([join(loaded.dir, 'crm.yml')]);
    expect(errors(loaded.problems)).toEqual([]);
  });
});

describe('secrets in problems', () => {
  const password = 'Tr0ub4dor&3-hunter2';
  const env = { CRM_DB_PASSWORD: password, CRM_DB_URL: `postgres://gateway:${password}@db.internal/crm` };

  it('never appear, whichever key a password variable is put in', async () => {
    const misplaced = BASE.replace('name: crm-311', 'name: ${CRM_DB_PASSWORD}')
      .replace('kind: pglite', 'kind: ${CRM_DB_PASSWORD}')
      .replace('timezone: America/Chicago', 'timezone: ${CRM_DB_PASSWORD}')
      .replace('table: SR_CASE', 'table: SR_CASE\n    accessLevel2: ${CRM_DB_PASSWORD}')
      .replace('codes: { O: OPEN, C: CLOSED }', 'codes: { O: OPEN, C: "${CRM_DB_PASSWORD}" }');
    const notUrl = BASE.replace('name: crm-311', 'name: crm-b')
      .replace('ServiceRequest:', 'WorkOrder:')
      .replace('kind: pglite', 'kind: mysql')
      .replace('connection: memory://', 'connection: ${CRM_DB_PASSWORD}');
    const unsetToo = BASE.replace('name: crm-311', 'name: crm-c')
      .replace('ServiceRequest:', 'Permit:')
      .replace('kind: pglite', 'kind: postgres')
      .replace('connection: memory://', 'connection: ${CRM_DB_URL}?sslmode=${CRM_SSL_MODE}');
    const loaded = await loadFiles({ 'a.yaml': misplaced, 'b.yaml': notUrl, 'c.yaml': unsetToo }, env);

    const printed = [...loaded.problems.map((problem) => formatProblem(problem)), JSON.stringify(loaded), inspect(loaded, { depth: 20 })].join('\n');
    expect(printed).not.toContain(password);
    expect(printed).not.toContain('Tr0ub4dor');
    // The problems still name the variable, so the liaison knows where to look.
    const messages = errors(loaded.problems).map((problem) => `${problem.path}: ${problem.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^source\.kind: must be one of .*, not the value of \$\{CRM_DB_PASSWORD\}$/));
    expect(messages).toContainEqual(expect.stringMatching(/^source\.timezone: the value of \$\{CRM_DB_PASSWORD\} is not an IANA time zone/));
    expect(messages).toContainEqual(expect.stringMatching(/^name: the value of \$\{CRM_DB_PASSWORD\} must be lowercase/));
    expect(messages).toContainEqual('source.connection: the connection (from ${CRM_DB_PASSWORD}) must be a URL such as mysql://user@host/database, for kind "mysql"');
    expect(messages).toContainEqual(expect.stringContaining('source.connection: environment variable CRM_SSL_MODE is not set'));
    expect(messages).toContainEqual(expect.stringContaining('datasets.ServiceRequest: unknown key "accessLevel2"'));
    expect(messages).toContainEqual('datasets.ServiceRequest.fields.status.codes.C: code "C": the value of ${CRM_DB_PASSWORD} is not a ServiceRequestStatus value; allowed: OPEN, CLOSED');
  });
});
