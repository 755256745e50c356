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
      { table: 'SR_CASE', type: 'ServiceRequest', mapped: Object.keys(requests.fields), unmatchedColumns: ['SR_TYPE_CD', 'CREATED_DT', 'PHOTO_URL'], keyGuessed: true },
    ]);
    // Every column appears: mapped, or listed for the liaison with its type.
    for (const unmatched of ['SR_TYPE_CD (text)', 'CREATED_DT (timestamp)', 'PHOTO_URL (text)']) expect(text).toContain(`#   ${unmatched}`);
    expect(Object.values(requests.access.public.fields)).toEqual(Object.keys(requests.fields).map(() => 'hidden'));
  });

  it('declares a type of its own for a table no public type fits, one field per column, typed from it', async () => {
    const { text, datasets } = draftMapping({
      name: 'crm',
      kind: 'csv',
      connection: './exports',
      tables: [{ table: 'sla.csv', columns: [column('SLA_ID', 'integer'), column('SLA_DAYS', 'integer'), column('TIER'), column('EFFECTIVE_DT', 'date')] }],
      schema: await publicSchema(),
      publicRole: 'public',
      jsonSchemaPath: '../src/config/mapping.schema.json',
    });
    expect(datasets).toEqual([{ table: 'sla.csv', type: 'Sla', mapped: ['id', 'slaDays', 'tier', 'effectiveDate'], unmatchedColumns: [], declared: 'no public type fits: its columns match no public field besides the key' }]);
    const parsed = parse(text) as { types: Record<string, { fields: Record<string, { type: string }> }>; datasets: Record<string, { fields: object; publication: string }> };
    expect(Object.fromEntries(Object.entries(parsed.types.Sla!.fields).map(([name, field]) => [name, field.type]))).toEqual({ id: 'ID!', slaDays: 'Int', tier: 'String', effectiveDate: 'Date' });
    expect(parsed.datasets.Sla).toMatchObject({ publication: 'draft', fields: { id: 'SLA_ID', slaDays: 'SLA_DAYS', tier: 'TIER', effectiveDate: 'EFFECTIVE_DT' } });
    expect(text).toContain('# sla.csv: no public type fits: its columns match no public field besides the key, so this draft declares a public type for it.');
  });

  it('does not force a code-compliance case table onto a public type it shares only a key and a date with: it declares one', async () => {
    const { text, datasets } = draftMapping({
      name: 'code-enforcement',
      kind: 'postgres',
      connection: '${CE_URL}',
      tables: [
        { table: 'CE_CASE', columns: CE_CASE },
        { table: 'CE_INSPECTION', columns: [column('INSPECTION_ID', 'integer'), column('CASE_ID'), column('RESULT_CD'), column('INSPECTED_DT', 'timestamp')] },
        // A table named like a public type that does not fit it gets a name of its own.
        { table: 'permit', columns: [column('PERMIT_ID'), column('FEE', 'decimal')] },
      ],
      schema: await publicSchema(),
      publicRole: 'public',
      jsonSchemaPath: '../src/config/mapping.schema.json',
    });
    expect(datasets.map(({ table, type, declared }) => ({ table, type, declared }))).toEqual([
      {
        table: 'CE_CASE',
        type: 'CeCase',
        declared: 'no public type fits: its columns match at most 1 field of ServiceRequest besides the key (updatedAt), and a type is guessed from 3',
      },
      { table: 'CE_INSPECTION', type: 'CeInspection', declared: 'no public type fits: its columns match no public field besides the key' },
      { table: 'permit', type: 'Permit2', declared: 'no public type fits: its columns match at most 1 field of Permit besides the key (permitNumber), and a type is guessed from 3' },
    ]);
    const parsed = parse(text) as { types: Record<string, { fields: Record<string, { type: string }> }>; datasets: Record<string, { fields: Record<string, unknown> }> };
    expect(Object.keys(parsed.types)).toEqual(['CeCase', 'CeInspection', 'Permit2']);
    // The key is the column named id; the others keep their words, dates read as instants.
    expect(parsed.datasets.CeCase!.fields).toEqual({ id: 'ID', caseNo: 'CASE_NO', violation: 'VIOLATION_CD', inspector: 'INSPECTOR', openedAt: 'OPENED_DT', updatedAt: 'UPDATED_DT' });
    expect(parsed.types.CeCase!.fields.openedAt!.type).toBe('DateTime');
    expect(parsed.datasets.CeInspection!.fields.id).toBe('INSPECTION_ID');
    expect(text).not.toContain('Tables left out');
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
