import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMappings, type LoadedMappings } from '../../src/config/load-mappings.js';
import type { ConnectorMapping, DatasetMapping, ObjectFieldMapping, ScalarFieldMapping } from '../../src/config/mapping.js';
import { keyConverter } from '../../src/config/key-format.js';
import { Secret } from '../../src/config/secret.js';
import { BASE, errors, publicSchema, REPO, ROLES, tempDir } from './helpers.js';

const CONNECTORS = join(REPO, 'connectors');

function byName(loaded: LoadedMappings, name: string): ConnectorMapping {
  const mapping = loaded.mappings.find((candidate) => candidate.name === name);
  if (!mapping) throw new Error(`no mapping ${name}`);
  return mapping;
}
function dataset(mapping: ConnectorMapping, typeName: string): DatasetMapping {
  const found = mapping.datasets.find((candidate) => candidate.typeName === typeName);
  if (!found) throw new Error(`no dataset ${typeName}`);
  return found;
}
function scalar(data: DatasetMapping, name: string): ScalarFieldMapping {
  const field = data.fields.get(name);
  if (field?.kind !== 'scalar') throw new Error(`${name} is not a scalar mapping`);
  return field;
}

describe('the real connector mappings', () => {
  let loaded: LoadedMappings;
  beforeAll(async () => {
    loaded = await loadMappings(CONNECTORS, await publicSchema(), { env: {} });
  });

  it('load without errors or warnings, in file-name order', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311', 'permits', 'public-works']);
  });

  it('resolve the 311 CRM source with defaults and the file-relative pglite directory', () => {
    const crm = byName(loaded, 'crm-311');
    expect(crm.file).toBe(join(CONNECTORS, 'crm-311.yaml'));
    expect(crm).toMatchObject({
      system: 'Riverton 311 CRM',
      department: '311 Customer Service',
      liaison: { name: 'Dana Whitfield', email: 'opendata-311@riverton.example' },
    });
    expect(crm.source).toMatchObject({ kind: 'pglite', timezone: 'America/Chicago', queryTimeoutMs: 10000, pool: { min: 0, max: 10 } });
    expect(crm.source.at).toEqual({ file: crm.file, line: 14, column: 1 });
    expect(crm.source.connection).toBeInstanceOf(Secret);
    expect(crm.source.connection.reveal()).toBe(resolve(REPO, '.civicgraph/demo/crm-311'));
  });

  it('resolve ServiceRequest: metadata, key, columns, codes and the location object', () => {
    const requests = dataset(byName(loaded, 'crm-311'), 'ServiceRequest');
    expect(requests).toMatchObject({ typeName: 'ServiceRequest', table: 'SR_CASE', keyField: 'id' });
    expect(requests.metadata).toEqual({
      title: '311 Service Requests',
      description: expect.stringContaining('Every non-emergency service request'),
      // YAML reads 311 as a number; keywords are text.
      keywords: ['311', 'service requests', 'Open311'],
      accessLevel: 'public',
      license: 'https://opendatacommons.org/licenses/pddl/1-0/',
      accrualPeriodicity: 'R/PT1H',
      spatial: 'Riverton',
      usageNotes: expect.stringMatching(/^Good for where and when residents report problems, .* A request is a report, not a confirmed problem/),
    });
    expect(requests.fields.size).toBe(21);
    expect(scalar(requests, 'id').ref).toEqual({ column: 'CASE_NO' });
    const status = scalar(requests, 'status');
    expect(status.ref).toEqual({ column: 'STATUS_CD' });
    expect(status.at).toMatchObject({ line: 34, column: 7 });
    expect(status.codes).toEqual([['N', 'OPEN'], ['O', 'OPEN'], ['IP', 'OPEN'], ['C', 'CLOSED'], ['X', 'CLOSED'], ['D', 'CLOSED']]);
    expect(scalar(requests, 'serviceName').codes).toContainEqual(['ELDERCHK', 'Senior Well-Being Check']);
    expect(scalar(requests, 'source').codes).toContainEqual(['I', 'WALK_IN']);
    expect(scalar(requests, 'requestedAt')).toEqual({ kind: 'scalar', name: 'requestedAt', ref: { column: 'CREATED_DT' }, at: { file: join(CONNECTORS, 'crm-311.yaml'), line: 75, column: 7 } });

    const location = requests.fields.get('location') as ObjectFieldMapping;
    expect(location.kind).toBe('object');
    expect(location.at.line).toBe(84);
    expect([...location.fields.values()].map(({ name, ref, at }) => ({ name, ref, line: at.line }))).toEqual([
      { name: 'latitude', ref: { column: 'LAT_NUM' }, line: 86 },
      { name: 'longitude', ref: { column: 'LON_NUM' }, line: 87 },
    ]);
  });

  it('resolve Permit expressions and multi-word codes', () => {
    const permits = dataset(byName(loaded, 'permits'), 'Permit');
    expect(permits.table).toBe('B1PERMIT');
    expect(scalar(permits, 'originalAddress1').ref).toEqual({
      expression: `CONCAT_WS(' ', "B1_HSE_NBR", "B1_STR_DIR", "B1_STR_NAME", "B1_STR_SUFFIX")`,
    });
    expect(scalar(permits, 'statusCurrentMapped').codes).toContainEqual(['Plan Review', 'IN_REVIEW']);
    expect(scalar(permits, 'permitClassMapped').codes).toEqual([['Residential', 'RESIDENTIAL'], ['Multi-Family', 'RESIDENTIAL'], ['Commercial', 'NON_RESIDENTIAL']]);
    expect(scalar(permits, 'housingUnits').ref).toEqual({ column: 'HOUSING_UNITS' });
  });

  it('resolve WorkOrder, whose serviceRequestId is stored in a short form and published in the CRM’s', () => {
    const works = byName(loaded, 'public-works');
    const orders = dataset(works, 'WorkOrder');
    expect(orders.metadata.accrualPeriodicity).toBe('R/P1D');
    const serviceRequestId = scalar(orders, 'serviceRequestId');
    expect(serviceRequestId).toEqual({
      kind: 'scalar',
      name: 'serviceRequestId',
      ref: { column: 'srnumber' },
      format: { raw: '{year}-{seq:d}', public: 'SR-{year}-{seq:8}' },
      at: { file: works.file, line: 60, column: 7 },
    });
    expect(keyConverter(serviceRequestId.format!).toPublic('24-12345')).toBe('SR-24-00012345');
    expect(scalar(orders, 'status').codes).toContainEqual(['INPROG', 'IN_PROGRESS']);
    expect(orders.fields.get('location')?.kind).toBe('object');
  });

  it('normalise each dataset’s street address, and name it as the addressField', () => {
    const expected = [
      { name: 'crm-311', typeName: 'ServiceRequest', field: 'address', ref: { column: 'ADDR_LINE' }, line: 79 },
      { name: 'permits', typeName: 'Permit', field: 'originalAddress1', ref: { expression: `CONCAT_WS(' ', "B1_HSE_NBR", "B1_STR_DIR", "B1_STR_NAME", "B1_STR_SUFFIX")` }, line: 73 },
      { name: 'public-works', typeName: 'WorkOrder', field: 'address', ref: { column: 'location' }, line: 50 },
    ];
    for (const { name, typeName, field, ref, line } of expected) {
      const mapping = byName(loaded, name);
      const data = dataset(mapping, typeName);
      expect(data.addressField).toBe(field);
      expect(scalar(data, field)).toEqual({ kind: 'scalar', name: field, ref, normalize: 'address', at: { file: mapping.file, line, column: 7 } });
    }
  });

  it('give format and normalize only to the fields the files mark', () => {
    const marked = loaded.mappings
      .flatMap((mapping) => mapping.datasets)
      .flatMap((data) => [...data.fields.values()].flatMap((field) => (field.kind === 'scalar' ? [field] : [...field.fields.values()])).map((field) => ({ data, field })))
      .filter(({ field }) => field.format !== undefined || field.normalize !== undefined)
      .map(({ data, field }) => `${data.typeName}.${field.name}: ${field.format ? 'format' : field.normalize}`);
    expect(marked.sort()).toEqual(['Permit.originalAddress1: address', 'ServiceRequest.address: address', 'WorkOrder.address: address', 'WorkOrder.serviceRequestId: format']);
  });

  it('resolve the joins between the three departments', () => {
    const joins = (name: string, typeName: string) => dataset(byName(loaded, name), typeName).joins;
    const at = (name: string, line: number) => ({ file: join(CONNECTORS, `${name}.yaml`), line, column: 7 });
    expect(joins('public-works', 'WorkOrder')).toEqual([
      {
        name: 'serviceRequest',
        target: 'ServiceRequest',
        cardinality: 'one',
        from: 'serviceRequestId',
        to: 'id',
        description: 'The 311 request this work order came from.',
        at: at('public-works', 70),
      },
    ]);
    expect(joins('crm-311', 'ServiceRequest')).toEqual([
      {
        name: 'workOrders',
        target: 'WorkOrder',
        cardinality: 'many',
        from: 'id',
        to: 'serviceRequestId',
        description: 'The work orders Public Works opened for this request.',
        at: at('crm-311', 103),
      },
      {
        name: 'permitsAtAddress',
        target: 'Permit',
        cardinality: 'many',
        from: 'address',
        to: 'originalAddress1',
        description: 'Permits at the same street address.',
        at: at('crm-311', 108),
      },
    ]);
    expect(joins('permits', 'Permit')).toEqual([
      {
        name: 'serviceRequestsAtAddress',
        target: 'ServiceRequest',
        cardinality: 'many',
        from: 'originalAddress1',
        to: 'address',
        description: '311 requests at the same street address.',
        at: at('permits', 96),
      },
    ]);
  });

  it('take source kind and connection from the environment when set', async () => {
    const url = 'postgres://gateway:pa55word@db.internal:5432/crm';
    const fromEnv = await loadMappings(CONNECTORS, await publicSchema(), { env: { CIVICGRAPH_CRM_KIND: 'postgres', CIVICGRAPH_CRM_URL: url } });
    expect(errors(fromEnv.problems)).toEqual([]);
    const crm = byName(fromEnv, 'crm-311');
    expect(crm.source.kind).toBe('postgres');
    expect(crm.source.connection.reveal()).toBe(url);
    // The other files keep their defaults.
    expect(byName(fromEnv, 'permits').source.kind).toBe('pglite');
  });

  it('never show the connection when printed, serialised or inspected', async () => {
    const url = 'postgres://gateway:pa55word@db.internal:5432/crm';
    const fromEnv = await loadMappings(CONNECTORS, await publicSchema(), { env: { CIVICGRAPH_CRM_KIND: 'postgres', CIVICGRAPH_CRM_URL: url } });
    const crm = byName(fromEnv, 'crm-311');
    const { connection } = crm.source;
    expect(String(connection)).toBe('[secret]');
    expect(`${connection}`).toBe('[secret]');
    expect(JSON.stringify(crm)).not.toContain('pa55word');
    expect(JSON.stringify(crm.source)).toContain('"connection":"[secret]"');
    expect(inspect(crm, { depth: 10 })).not.toContain('pa55word');
    expect(inspect(crm.source)).toContain('[secret]');
  });
});

describe('defaults, interpolation and coercion', () => {
  it('apply source defaults and read numbers from ${VAR:-default}', async () => {
    // In a flow map `{ … }` a `${…}` must be quoted ("${X}"), as YAML reads `{` there as structure.
    const text = BASE.replace('  timezone: America/Chicago\n', '  queryTimeoutMs: ${CRM_TIMEOUT:-2500}\n  pool: { max: "${CRM_POOL_MAX:-4}" }\n');
    const dir = await tempDir({ 'crm.yaml': text, 'roles.yaml': ROLES });
    const loaded = await loadMappings(dir, await publicSchema(), { env: { CRM_POOL_MAX: '7' } });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.mappings[0]!.source).toMatchObject({ timezone: 'UTC', queryTimeoutMs: 2500, pool: { min: 0, max: 7 } });
    expect(loaded.mappings[0]!.source.connection.reveal()).toBe('memory://');
    expect(loaded.mappings[0]!.datasets[0]!.keyField).toBe('id');
  });

  it('read unquoted numeric and boolean code keys as numbers and booleans, anything else as text', async () => {
    const text = BASE.replace('codes: { O: OPEN, C: CLOSED }', `codes: { 1: OPEN, "2": OPEN, 03: CLOSED, 4.5: CLOSED, 1.50: CLOSED, true: OPEN, 'false': CLOSED }`);
    const dir = await tempDir({ 'crm.yaml': text, 'roles.yaml': ROLES });
    const loaded = await loadMappings(dir, await publicSchema(), { env: {} });
    expect(errors(loaded.problems)).toEqual([]);
    const status = loaded.mappings[0]!.datasets[0]!.fields.get('status') as ScalarFieldMapping;
    expect(status.codes).toEqual([
      [1, 'OPEN'],
      ['2', 'OPEN'],
      ['03', 'CLOSED'],
      [4.5, 'CLOSED'],
      ['1.50', 'CLOSED'],
      [true, 'OPEN'],
      ['false', 'CLOSED'],
    ]);
  });

  it('warn about each nullable field left unmapped', async () => {
    const dir = await tempDir({ 'crm.yaml': BASE, 'roles.yaml': ROLES });
    const loaded = await loadMappings(dir, await publicSchema(), { env: {} });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.mappings).toHaveLength(1);
    const warned = loaded.problems.map((problem) => problem.message);
    expect(warned).toContain('field "statusNotes: String" of ServiceRequest is not mapped; it will always be null');
    expect(loaded.problems.every((problem) => problem.line === 19 && problem.path === 'datasets.ServiceRequest.fields')).toBe(true);
    // 15 schema fields BASE leaves out; its access rules cover every field it maps.
    expect(loaded.problems).toHaveLength(15);
  });
});
