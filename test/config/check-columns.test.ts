import { join } from 'node:path';
import { getNamedType, isEnumType, isObjectType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkColumns } from '../../src/config/check-columns.js';
import { loadMappings } from '../../src/config/load-mappings.js';
import type { DatasetMapping, ScalarFieldMapping } from '../../src/config/mapping.js';
import type { ColumnDescription, ColumnType } from '../../src/source/source.js';
import { publicSchema, REPO } from './helpers.js';

const NATURAL: Record<string, ColumnType> = { ID: 'text', String: 'text', Int: 'integer', Float: 'decimal', DateTime: 'timestamptz', Date: 'date', Boolean: 'boolean' };

let schema: GraphQLSchema;
let requests: DatasetMapping;
let permits: DatasetMapping;
let orders: DatasetMapping;
let crmFile: string;

/** The columns a correct table would have: every mapped column, typed to suit its field, NOT NULL. */
function columnsFor(dataset: DatasetMapping, overrides: Record<string, Partial<ColumnDescription> | null> = {}): ColumnDescription[] {
  const type = schema.getType(dataset.typeName);
  if (!isObjectType(type)) throw new Error('not an object type');
  const columns = new Map<string, ColumnDescription>();
  const add = (mapping: ScalarFieldMapping, typeName: string) => {
    if (!('column' in mapping.ref)) return;
    const columnType = mapping.codes || isEnumType(schema.getType(typeName)) ? 'text' : (NATURAL[typeName] ?? 'text');
    columns.set(mapping.ref.column, { name: mapping.ref.column, type: columnType, nativeType: columnType, nullable: false });
  };
  for (const mapping of dataset.fields.values()) {
    const named = getNamedType(type.getFields()[mapping.name]!.type);
    if (mapping.kind === 'scalar') add(mapping, named.name);
    else for (const sub of mapping.fields.values()) add(sub, 'Float');
  }
  for (const [name, override] of Object.entries(overrides)) {
    if (override === null) columns.delete(name);
    else columns.set(name, { name, type: 'text', nativeType: 'text', nullable: false, ...columns.get(name), ...override });
  }
  return [...columns.values()];
}

beforeAll(async () => {
  schema = await publicSchema();
  const loaded = await loadMappings(join(REPO, 'connectors'), schema, { env: {} });
  const find = (typeName: string) => loaded.mappings.flatMap((mapping) => mapping.datasets).find((dataset) => dataset.typeName === typeName)!;
  requests = find('ServiceRequest');
  permits = find('Permit');
  orders = find('WorkOrder');
  crmFile = join(REPO, 'connectors/crm-311.yaml');
});

describe('checkColumns', () => {
  it('accepts a table that has every mapped column with a suitable type', () => {
    expect(checkColumns(requests, columnsFor(requests), schema, crmFile)).toEqual([]);
    // Permit's originalAddress1 is an expression over columns the table lacks here: expressions are not checked.
    expect(checkColumns(permits, columnsFor(permits), schema, join(REPO, 'connectors/permits.yaml'))).toEqual([]);
  });

  it('reports a missing table at the dataset', () => {
    expect(checkColumns(requests, undefined, schema, crmFile)).toEqual([
      { severity: 'error', file: crmFile, line: 21, column: 3, path: 'datasets.ServiceRequest.table', message: 'table "SR_CASE" does not exist in the source' },
    ]);
  });

  it('reports a missing column, suggesting one that differs only in case', () => {
    const problems = checkColumns(requests, columnsFor(requests, { CASE_NO: null, case_no: { type: 'text' } }), schema, crmFile);
    expect(problems).toEqual([
      { severity: 'error', file: crmFile, line: 33, column: 7, path: 'datasets.ServiceRequest.fields.id', message: 'column "CASE_NO" does not exist in table "SR_CASE" (did you mean "case_no"?)' },
    ]);
  });

  it('only warns of a column missing from sampled records (documents, an API page), which may leave out empty fields', () => {
    const problems = checkColumns(requests, columnsFor(requests, { CASE_NO: null, case_no: { type: 'text' } }), schema, crmFile, true);
    expect(problems).toEqual([
      {
        severity: 'warning',
        file: crmFile,
        line: 33,
        column: 7,
        path: 'datasets.ServiceRequest.fields.id',
        message: 'column "CASE_NO" is in none of the records sampled from "SR_CASE" (did you mean "case_no"?); it reads as null wherever a record leaves it out',
      },
    ]);
  });

  it('reports a missing column of an object field at the sub-field', () => {
    const problems = checkColumns(requests, columnsFor(requests, { LON_NUM: null, LONG_NUM: { type: 'decimal' } }), schema, crmFile);
    expect(problems).toEqual([
      expect.objectContaining({ line: 87, path: 'datasets.ServiceRequest.fields.location.fields.longitude', message: expect.stringContaining('column "LON_NUM" does not exist in table "SR_CASE" (did you mean "LONG_NUM"?)') }),
    ]);
  });

  it('reports columns whose type cannot serve the field', () => {
    const problems = checkColumns(
      requests,
      columnsFor(requests, { CREATED_DT: { type: 'text', nativeType: 'varchar(30)' }, LAT_NUM: { type: 'timestamp', nativeType: 'timestamp' } }),
      schema,
      crmFile,
    );
    expect(problems.map(({ line, message }) => ({ line, message }))).toEqual([
      { line: 75, message: 'column "CREATED_DT" (varchar(30)) cannot serve requestedAt: DateTime needs a timestamp or timestamptz column' },
      { line: 86, message: 'column "LAT_NUM" (timestamp) cannot serve latitude: Float needs an integer or decimal column' },
    ]);
  });

  it('accepts Date from a timestamp and String from anything, but not Int from a timestamp', () => {
    const problems = checkColumns(
      permits,
      columnsFor(permits, {
        B1_FILE_DD: { type: 'timestamp' },
        B1_SPECIAL_TEXT: { type: 'other', nativeType: 'jsonb' },
        HOUSING_UNITS: { type: 'timestamp', nativeType: 'datetime2' },
      }),
      schema,
      join(REPO, 'connectors/permits.yaml'),
    );
    expect(problems.map(({ line, path, severity }) => ({ line, path, severity }))).toEqual([
      { line: 84, path: 'datasets.Permit.fields.housingUnits', severity: 'error' },
    ]);
    expect(problems[0]!.message).toContain('Int needs an integer or decimal column');
  });

  it('checks coded columns against the raw codes, loosely', () => {
    const asInteger = checkColumns(requests, columnsFor(requests, { CHANNEL_CD: { type: 'integer', nativeType: 'int' } }), schema, crmFile);
    expect(asInteger).toEqual([
      expect.objectContaining({ line: 89, path: 'datasets.ServiceRequest.fields.source', message: 'column "CHANNEL_CD" (int) cannot hold the codes "P", "W", "M", "E", "I", "S", "O"' }),
    ]);
    // Text codes in a text column, whatever the public type: fine.
    expect(checkColumns(requests, columnsFor(requests, { CHANNEL_CD: { type: 'text', nativeType: 'char(1)' } }), schema, crmFile)).toEqual([]);
  });

  it('accepts numeric codes in an integer column and an enum field from a text column', async () => {
    const { codes: _, ...status } = requests.fields.get('status') as ScalarFieldMapping;
    // statusDescription reads STATUS_CD too, with letter codes that an integer column cannot hold.
    const others = [...requests.fields].filter(([name]) => name !== 'statusDescription');
    const numeric: DatasetMapping = { ...requests, fields: new Map([...others, ['status', { ...status, codes: [[1, 'OPEN'], ['2', 'CLOSED']] }]]) };
    expect(checkColumns(numeric, columnsFor(numeric, { STATUS_CD: { type: 'integer' } }), schema, crmFile)).toEqual([]);
    const uncoded: DatasetMapping = { ...requests, fields: new Map([...others, ['status', status]]) };
    expect(checkColumns(uncoded, columnsFor(uncoded, { STATUS_CD: { type: 'text' } }), schema, crmFile)).toEqual([]);
    expect(checkColumns(uncoded, columnsFor(uncoded, { STATUS_CD: { type: 'integer', nativeType: 'int' } }), schema, crmFile)[0]?.message).toBe(
      'column "STATUS_CD" (int) cannot serve ServiceRequestStatus: map its values with "codes"',
    );
  });

  it('warns when a nullable column serves a non-null field', () => {
    expect(checkColumns(requests, columnsFor(requests, { CREATED_DT: { nullable: true, type: 'timestamptz', nativeType: 'timestamptz' } }), schema, crmFile)).toEqual([
      expect.objectContaining({ severity: 'warning', line: 75, message: 'column "CREATED_DT" (timestamptz) allows NULL but requestedAt is DateTime!; a NULL row makes the query fail' }),
    ]);
  });

  it('accepts a formatted key from a text or an integer column only', () => {
    const worksFile = join(REPO, 'connectors/public-works.yaml');
    expect(checkColumns(orders, columnsFor(orders, { srnumber: { type: 'text', nativeType: 'varchar(12)' } }), schema, worksFile)).toEqual([]);
    expect(checkColumns(orders, columnsFor(orders, { srnumber: { type: 'integer', nativeType: 'int' } }), schema, worksFile)).toEqual([]);
    expect(checkColumns(orders, columnsFor(orders, { srnumber: { type: 'decimal', nativeType: 'numeric(10,2)' } }), schema, worksFile)).toEqual([
      {
        severity: 'error',
        file: worksFile,
        line: 60,
        column: 7,
        path: 'datasets.WorkOrder.fields.serviceRequestId',
        message: 'column "srnumber" (numeric(10,2)) cannot hold keys in the format "{year}-{seq:d}": a format needs a text or integer column',
      },
    ]);
  });

  it('normalises addresses from text columns only, and leaves expressions to the database', () => {
    expect(checkColumns(requests, columnsFor(requests, { ADDR_LINE: { type: 'integer', nativeType: 'int' } }), schema, crmFile)).toEqual([
      {
        severity: 'error',
        file: crmFile,
        line: 79,
        column: 7,
        path: 'datasets.ServiceRequest.fields.address',
        message: 'column "ADDR_LINE" (int) cannot be normalised as an address: "normalize" needs a text column',
      },
    ]);
    expect(checkColumns(requests, columnsFor(requests, { ADDR_LINE: { type: 'other', nativeType: 'jsonb' } }), schema, crmFile)).toHaveLength(1);
    // Permit's originalAddress1 is a normalised expression: no column to check.
    const originalAddress1 = permits.fields.get('originalAddress1') as ScalarFieldMapping;
    expect(originalAddress1).toMatchObject({ normalize: 'address', ref: { expression: expect.any(String) } });
    expect(checkColumns(permits, columnsFor(permits), schema, join(REPO, 'connectors/permits.yaml'))).toEqual([]);
  });

  it('does not warn about nullable parts of a nullable object: a missing coordinate makes `location` null', () => {
    const nullableCoordinates = { LAT_NUM: { nullable: true, type: 'decimal' as const }, LON_NUM: { nullable: true, type: 'decimal' as const } };
    expect(checkColumns(requests, columnsFor(requests, nullableCoordinates), schema, crmFile)).toEqual([]);
  });
});
