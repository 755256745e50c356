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
    expect(datasets).toEqual([{ table: 'sla.csv', mapped: [], unmatchedColumns: ['SLA_DAYS', 'TIER'] }]);
    expect((parse(text) as { datasets: object }).datasets).toEqual({});
    expect(text).toContain('#   sla.csv: SLA_DAYS, TIER');
  });
});
