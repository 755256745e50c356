/**
 * Mappings of every source kind: what each kind's `source` block accepts and defaults to,
 * and the mistakes a kind makes impossible (an SQL expression on a CSV file, filter
 * parameters on a database), each refused at its file and line.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE, editLine, errors, expectRefused, listProblems, loadFiles } from './helpers.js';

/** BASE with its source block (lines 8-11) replaced. */
function withSource(lines: string[], base = BASE): string {
  const all = base.split('\n');
  all.splice(7, 4, ...lines);
  return all.join('\n');
}

/** BASE with lines inserted after line `after` (1-based). */
function inserted(after: number, lines: string[], base = BASE): string {
  const all = base.split('\n');
  all.splice(after, 0, ...lines);
  return all.join('\n');
}

describe('source kinds', () => {
  it('read a REST API with the pagination defaults of its style, header values kept secret', async () => {
    const text = withSource([
      'source:',
      '  kind: rest',
      '  connection: ${PERMITS_API_URL}',
      '  rest:',
      '    headers: { Authorization: "Bearer ${PERMITS_API_TOKEN}" }',
      '    records: data.items',
      '    pagination: { style: page, size: 50 }',
    ]);
    const loaded = await loadFiles({ 'crm.yaml': text }, { PERMITS_API_URL: 'https://api.example.gov/v1/', PERMITS_API_TOKEN: 'tok-SECRET-123' });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    const source = loaded.mappings[0]!.source;
    expect(source.kind).toBe('rest');
    expect(source.memoryRowLimit).toBe(100_000);
    expect(source.rest?.pagination).toEqual({ style: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1, size: 50 });
    expect(source.rest?.records).toBe('data.items');
    expect(source.rest?.headers.map(([name, value]) => [name, value.reveal()])).toEqual([['Authorization', 'Bearer tok-SECRET-123']]);
    expect(JSON.stringify(loaded.mappings)).not.toContain('tok-SECRET-123');
  });

  it('warn about a token written into the file itself', async () => {
    const text = withSource(['source:', '  kind: rest', '  connection: https://api.example.gov/', '  rest:', '    headers: { X-App-Token: abc123 }']);
    const loaded = await loadFiles({ 'crm.yaml': text });
    const warning = loaded.problems.find((problem) => problem.path === 'source.rest.headers.X-App-Token');
    expect(warning).toMatchObject({ severity: 'warning', line: 12 });
    expect(warning?.message).toContain('put its value in an environment variable');
    expect(warning?.message).not.toContain('abc123');
  });

  it('resolve a CSV folder next to the mapping file, with CSV defaults', async () => {
    const loaded = await loadFiles({ 'crm.yaml': withSource(['source:', '  kind: csv', '  connection: ./exports', '  csv: { delimiter: ";" }']) });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    const source = loaded.mappings[0]!.source;
    expect(source.connection.reveal()).toBe(join(loaded.dir, 'exports'));
    expect(source.csv).toEqual({ delimiter: ';', quote: '"', encoding: 'utf8', header: true });
  });

  it('accept a MongoDB URL', async () => {
    const loaded = await loadFiles({ 'crm.yaml': withSource(['source:', '  kind: mongodb', '  connection: mongodb+srv://reader@cluster.example.net/permits']) });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    expect(loaded.mappings[0]!.source.kind).toBe('mongodb');
  });
});

describe('mistakes a kind rules out', () => {
  it.each([
    ['a web URL for MongoDB', withSource(['source:', '  kind: mongodb', '  connection: https://db.example.gov/permits']), 10, 'must be a URL such as mongodb://user@host:27017/database'],
    ['a database URL for a REST API', withSource(['source:', '  kind: rest', '  connection: postgres://db/permits']), 10, 'must be the API base URL'],
    ['a URL for CSV files', withSource(['source:', '  kind: csv', '  connection: https://example.gov/export.csv']), 10, 'must be a file or folder path for kind "csv"'],
    ['REST settings on a database', withSource(['source:', '  kind: postgres', '  connection: postgres://db/crm', '  rest: { records: data }']), 11, '"rest" settings apply only to kind rest'],
    ['CSV settings on a REST API', withSource(['source:', '  kind: rest', '  connection: https://api.example.gov/', '  csv: { delimiter: ";" }']), 11, '"csv" settings apply only to kind csv'],
  ])('%s', async (_name, text, line, message) => {
    await expectRefused(text, { line, message });
  });

  it('refuses an SQL expression in a MongoDB mapping, at the field', async () => {
    const text = editLine(24, '      serviceCode: { expression: "upper(SR_TYPE_CD)" }', withSource(['source:', '  kind: mongodb', '  connection: mongodb://db/crm', '  timezone: UTC']));
    await expectRefused(text, { line: 24, path: 'datasets.ServiceRequest.fields.serviceCode', message: '"expression" is SQL, and a mongodb source has none: map a column (a dotted path such as address.street)' });
  });

  it('refuses filter parameters on a kind that is not a REST API', async () => {
    const text = inserted(18, ['    filterParams: { STATUS_CD: { eq: status } }']);
    await expectRefused(text, { line: 19, path: 'datasets.ServiceRequest.filterParams', message: 'kind pglite applies every filter itself' });
  });

  it('refuses declared column types for an SQL database, which describes its own', async () => {
    const text = inserted(18, ['    columns: { CASE_NO: text }']);
    await expectRefused(text, { line: 19, path: 'datasets.ServiceRequest.columns', message: 'describes its own column types' });
  });

  it('refuses CSV files without a header when the dataset does not name its columns', async () => {
    const text = withSource(['source:', '  kind: csv', '  connection: ./exports', '  csv: { header: false }']);
    await expectRefused(text, { line: 13, path: 'datasets.ServiceRequest', message: 'so "columns" must name the fields in order' });
  });

  it('refuses an unknown column type and an unknown filter operator, naming what is allowed', async () => {
    const typed = inserted(18, ['    columns: { CASE_NO: varchar }'], withSource(['source:', '  kind: csv', '  connection: ./exports', '  timezone: UTC']));
    await expectRefused(typed, { line: 19, message: 'varchar' });
    const filtered = inserted(18, ['    filterParams: { STATUS_CD: { like: status } }'], withSource(['source:', '  kind: rest', '  connection: https://api.example.gov/', '  timezone: UTC']));
    await expectRefused(filtered, { line: 19, message: 'like' });
  });
});
