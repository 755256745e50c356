/**
 * Drafting a mapping from described columns (no system needed): how columns are matched to
 * public fields, that every column appears, and that nothing is published.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { draftMapping } from '../../src/config/draft-mapping.js';
import type { ColumnDescription, ColumnType } from '../../src/source/source.js';
import { publicSchema } from './helpers.js';

const column = (name: string, type: ColumnType = 'text'): ColumnDescription => ({ name, type, nativeType: type, nullable: true });

/** A legacy 311 CRM's table, spelled the way such systems spell things. */
const SR_CASE = [
  column('CASE_NO'),
  column('STATUS_CD'),
  column('SR_TYPE_CD'),
  column('DESCR_TXT'),
  column('AGENCY_CD'),
  column('CREATED_DT', 'timestamp'),
  column('CLOSED_DT', 'timestamp'),
  column('ADDR_LINE'),
  column('ZIP_CD'),
  column('LAT_NUM', 'decimal'),
  column('LON_NUM', 'decimal'),
  column('CALLER_PHONE'),
  column('PHOTO_URL'),
];

/**
 * A code-compliance system's case table. It has a key and an update date, as any table has,
 * and nothing else of a service request: no service, no request date, no status.
 */
const CE_CASE = [
  column('ID', 'integer'),
  column('CASE_NO'),
  column('VIOLATION_CD'),
  column('INSPECTOR'),
  column('OPENED_DT', 'timestamp'),
  column('UPDATED_DT', 'timestamp'),
];

describe('draftMapping', () => {
  it('matches legacy column names to public fields by name, word and abbreviation, and lists the rest', async () => {
    const { text, datasets } = draftMapping({
      name: 'crm',
      kind: 'postgres',
      connection: '${CRM_URL}',
      tables: [{ table: 'SR_CASE', columns: SR_CASE }],
      schema: await publicSchema(),
      publicRole: 'public',
      jsonSchemaPath: '../src/config/mapping.schema.json',
    });
    const draft = parse(text) as { datasets: Record<string, { fields: Record<string, unknown>; access: { public: { fields: Record<string, string> } } }> };
    const requests = draft.datasets.ServiceRequest!;
    expect(requests.fields).toEqual({
      id: 'CASE_NO',
      status: 'STATUS_CD',
      description: 'DESCR_TXT',
      agencyResponsible: 'AGENCY_CD',
      closedAt: 'CLOSED_DT',
      address: 'ADDR_LINE',
      zipcode: 'ZIP_CD',
      location: { fields: { latitude: 'LAT_NUM', longitude: 'LON_NUM' } },
      callerPhone: 'CALLER_PHONE',
    });
    expect(datasets).toEqual([
      { table: 'SR_CASE', type: 'ServiceRequest', mapped: Object.keys(requests.fields), unmatchedColumns: ['SR_TYPE_CD', 'CREATED_DT', 'PHOTO_URL'] },
    ]);
    // Every column appears: mapped, or listed for the liaison with its type.
    for (const unmatched of ['SR_TYPE_CD (text)', 'CREATED_DT (timestamp)', 'PHOTO_URL (text)']) expect(text).toContain(`#   ${unmatched}`);
    expect(Object.values(requests.access.public.fields)).toEqual(Object.keys(requests.fields).map(() => 'hidden'));
  });

  it('leaves a table no public type fits out of the datasets, listing its columns', async () => {
    const { text, datasets } = draftMapping({
      name: 'crm',
      kind: 'csv',
      connection: './exports',
      tables: [{ table: 'sla.csv', columns: [column('SLA_DAYS', 'integer'), column('TIER')] }],
      schema: await publicSchema(),
      publicRole: 'public',
      jsonSchemaPath: '../src/config/mapping.schema.json',
    });
    expect(datasets).toEqual([{ table: 'sla.csv', mapped: [], unmatchedColumns: ['SLA_DAYS', 'TIER'], leftOut: 'no public type fits: its columns match no public field besides the key' }]);
    expect((parse(text) as { datasets: object }).datasets).toEqual({});
    expect(text).toContain('#   sla.csv (SLA_DAYS, TIER): no public type fits: its columns match no public field besides the key');
  });

  it('does not force a code-compliance case table onto a public type it shares only a key and a date with', async () => {
    const { text, datasets } = draftMapping({
      name: 'code-enforcement',
      kind: 'postgres',
      connection: '${CE_URL}',
      tables: [
        { table: 'CE_CASE', columns: CE_CASE },
        { table: 'CE_INSPECTION', columns: [column('INSPECTION_ID', 'integer'), column('CASE_ID'), column('RESULT_CD'), column('INSPECTED_DT', 'timestamp')] },
      ],
      schema: await publicSchema(),
      publicRole: 'public',
      jsonSchemaPath: '../src/config/mapping.schema.json',
    });
    expect((parse(text) as { datasets: object }).datasets).toEqual({});
    expect(datasets.map(({ table, type, leftOut }) => ({ table, type, leftOut }))).toEqual([
      {
        table: 'CE_CASE',
        type: undefined,
        leftOut: 'no public type fits: its columns match at most 1 field of ServiceRequest besides the key (updatedAt), and a type is guessed from 3',
      },
      { table: 'CE_INSPECTION', type: undefined, leftOut: 'no public type fits: its columns match no public field besides the key' },
    ]);
    // The draft says so where the liaison reads it, table by table.
    expect(text).toContain('# Tables left out of this draft. A mapping fills only the public types (Permit, ServiceRequest, WorkOrder);');
    expect(text).toMatch(/#\s+CE_CASE \(ID, CASE_NO, VIOLATION_CD, INSPECTOR, OPENED_DT, UPDATED_DT\): no public type fits/);
    expect(text).toMatch(/#\s+CE_INSPECTION \(INSPECTION_ID, CASE_ID, RESULT_CD, INSPECTED_DT\): no public type fits/);
  });

  it('fills a type once, and says which table already fills it', async () => {
    const { text, datasets } = draftMapping({
      name: 'crm',
      kind: 'postgres',
      connection: '${CRM_URL}',
      tables: [
        { table: 'SR_CASE', columns: SR_CASE },
        { table: 'SR_CASE_ARCHIVE', columns: SR_CASE },
      ],
      schema: await publicSchema(),
      publicRole: 'public',
      jsonSchemaPath: '../src/config/mapping.schema.json',
    });
    expect(datasets.map(({ table, type, leftOut }) => ({ table, type, leftOut }))).toEqual([
      { table: 'SR_CASE', type: 'ServiceRequest', leftOut: undefined },
      { table: 'SR_CASE_ARCHIVE', type: undefined, leftOut: 'ServiceRequest is already filled by table SR_CASE in this draft, and a type is filled by one table' },
    ]);
    expect(text).toMatch(/#\s+SR_CASE_ARCHIVE \(CASE_NO, .*\): ServiceRequest is already filled by table SR_CASE/);
  });
});
