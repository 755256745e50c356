/**
 * The CSV connector over real files in temporary folders: the cross-connector contract,
 * the spellings spreadsheet exports use, bad data, file look-up and reloading.
 */
// Naive date-times must never pass through the Node process's zone: run in one that is not UTC.
process.env.TZ = 'America/Los_Angeles';

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CsvOptions, SourceConfig } from '../../../src/config/mapping.js';
import { CsvScanner } from '../../../src/source/csv/csv-scanner.js';
import { openCsvSource } from '../../../src/source/csv/csv-source.js';
import type { RawRecord } from '../../../src/source/memory/scanner.js';
import type { Row, Source } from '../../../src/source/source.js';
import { contractCases, type ContractHarness } from '../contract/cases.js';
import { PLACE_ROWS, PLACES, RAW_ROWS, TABLE, VISIT_ROWS, VISITS } from '../contract/data.js';
import { CASE_COLUMNS, PLACE_COLUMNS, VISIT_COLUMNS } from '../contract/typed-records.js';
import { rejection } from '../query-helpers.js';
import { type Columns, csvConfig, csvText, eventually, Folders, tableSettings } from './files.js';

const folders = new Folders();
const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((source) => source.close()));
});
afterAll(() => folders.removeAll());

function open(connection: string, tables: Record<string, Columns> = {}, overrides: Partial<SourceConfig> = {}): Source {
  const source = openCsvSource('permits', csvConfig(connection, overrides), tableSettings(tables));
  opened.push(source);
  return source;
}

function withCsv(csv: Partial<CsvOptions>): Partial<SourceConfig> {
  return { csv: { delimiter: ',', quote: '"', encoding: 'utf8', header: true, ...csv } };
}

/** Every column of `table`, in file order. */
async function readAll(source: Source, table: string): Promise<Row[]> {
  const columns = (await source.describeTable(table)) ?? [];
  const select = Object.fromEntries(columns.map((c) => [c.name, { column: c.name }]));
  return source.find({ table, select, orderBy: [], limit: 1_000, offset: 0 });
}

const ids = async (source: Source, table = 'permits.csv') =>
  (await source.find({ table, select: { id: { column: 'id' } }, orderBy: [{ ref: { column: 'id' }, direction: 'asc' }], limit: 100, offset: 0 })).map(
    (r) => r.id,
  );

const PERMIT_COLUMNS: Columns = [
  ['id', 'integer'],
  ['note', 'text'],
  ['fee', 'decimal'],
];
const PERMITS = { 'permits.csv': PERMIT_COLUMNS };
const permits = (rows: Array<[number, string, number]>) => csvText(['id', 'note', 'fee'], rows);

describe('CSV files honour the connector contract', () => {
  let harness: ContractHarness;
  beforeAll(async () => {
    const folder = await folders.create({
      [TABLE]: csvText(CASE_COLUMNS.map(([name]) => name), RAW_ROWS),
      [VISITS]: csvText(VISIT_COLUMNS.map(([name]) => name), VISIT_ROWS, { eol: '\r\n' }),
      [PLACES]: csvText(PLACE_COLUMNS.map(([name]) => name), PLACE_ROWS),
    });
    const source = openCsvSource('csv-fixture', csvConfig(folder), tableSettings({ [TABLE]: CASE_COLUMNS, [VISITS]: VISIT_COLUMNS, [PLACES]: PLACE_COLUMNS }));
    harness = { source, rowEstimates: 'exact', teardown: () => source.close() };
  });
  afterAll(() => harness.teardown());

  contractCases(() => harness);
});

describe('listing files', () => {
  it('lists the CSV files of its folder, or the one file it names', async () => {
    const folder = await folders.create({ 'b.csv': 'id\n1\n', 'a.TSV': 'id\n1\n', 'notes.md': '# not data\n' });
    await mkdir(join(folder, 'archive.csv'));
    expect(await open(folder).listTables()).toEqual(['a.TSV', 'b.csv']);
    expect(await open(join(folder, 'b.csv')).listTables()).toEqual(['b.csv']);
    expect((await rejection(open(join(folder, 'missing')).listTables())).reason).toBe('unreachable');
  });
});

describe('reading spreadsheet exports', () => {
  const SPELLINGS: Columns = [
    ['n', 'integer'],
    ['big', 'integer'],
    ['d', 'decimal'],
    ['b', 'boolean'],
    ['day', 'date'],
    ['at', 'timestamp'],
    ['tz', 'timestamptz'],
    ['note', 'text'],
  ];

  it('reads the spellings spreadsheets write into typed values, empty cells as NULL', async () => {
    const text = csvText(
      SPELLINGS.map(([name]) => name),
      [
        [' 12 ', '9007199254740993', '-3.50', 'Yes', '3/5/2024', '2024-03-05T14:30', '2024-03-05T14:30:00+02:00', '  keeps, its spaces  '],
        ['+7', '-0', '1e3', 'n', '2024-02-29', '3/5/2024 8:05:09.1234', '2024-03-05 14:30:00.5Z', 'say "hi"\r\non two lines'],
        [null, null, null, null, null, null, null, 'x'],
        ['-0', '12', '.5', 'F', '12/31/2023', '2024-03-05 14:30:00.000', '2024-01-15 09:30:00', null],
      ],
      { eol: '\r\n' },
    );
    const folder = await folders.create({ 'spellings.csv': '\uFEFF' + text });
    const source = open(folder, { 'spellings.csv': SPELLINGS }, { timezone: 'America/Chicago' });
    expect(await readAll(source, 'spellings.csv')).toEqual([
      { n: 12, big: 9007199254740993n, d: -3.5, b: true, day: '2024-03-05', at: '2024-03-05T14:30:00', tz: new Date('2024-03-05T12:30:00Z'), note: '  keeps, its spaces  ' },
      { n: 7, big: 0, d: 1000, b: false, day: '2024-02-29', at: '2024-03-05T08:05:09.123', tz: new Date('2024-03-05T14:30:00.500Z'), note: 'say "hi"\r\non two lines' },
      { n: null, big: null, d: null, b: null, day: null, at: null, tz: null, note: 'x' },
      // A date-time without offset in a timestamptz column is read in the source's zone (CST here).
      { n: 0, big: 12, d: 0.5, b: false, day: '2023-12-31', at: '2024-03-05T14:30:00', tz: new Date('2024-01-15T15:30:00Z'), note: null },
    ]);
  });

  it('describes the header columns in file order, with declared types and text for the others', async () => {
    const folder = await folders.create({ 'permits.csv': '\uFEFFid,Owner Name ,fee\n1,Ann,2\n' });
    const source = open(folder, { 'permits.csv': [['fee', 'decimal'], ['id', 'integer']] });
    expect(await source.describeTable('permits.csv')).toEqual([
      { name: 'id', type: 'integer', nativeType: 'csv integer', nullable: true },
      { name: 'Owner Name', type: 'text', nativeType: 'csv text', nullable: true },
      { name: 'fee', type: 'decimal', nativeType: 'csv decimal', nullable: true },
    ]);
    expect(await readAll(source, 'permits.csv')).toEqual([{ id: 1, 'Owner Name': 'Ann', fee: 2 }]);
  });

  it('names the fields of a file without header by the declared columns, in order', async () => {
    const folder = await folders.create({ 'permits.csv': '1,Ann,2.5\n2,"Bob, Jr.",\n' });
    const source = open(folder, PERMITS, withCsv({ header: false }));
    expect(await readAll(source, 'permits.csv')).toEqual([
      { id: 1, note: 'Ann', fee: 2.5 },
      { id: 2, note: 'Bob, Jr.', fee: null },
    ]);
  });

  it('reads another delimiter and quote character', async () => {
    const folder = await folders.create({ 'permits.csv': "id;note;fee\n1;'a;b';2\n2;'it''s';3\n" });
    const source = open(folder, PERMITS, withCsv({ delimiter: ';', quote: "'" }));
    expect(await readAll(source, 'permits.csv')).toEqual([
      { id: 1, note: 'a;b', fee: 2 },
      { id: 2, note: "it's", fee: 3 },
    ]);
  });

  it('reads latin1 (Windows) exports', async () => {
    const folder = await folders.create({ 'permits.csv': Buffer.from('id;note;fee\n1;Müller;2\n2;Café;3\n', 'latin1') });
    const source = open(folder, PERMITS, withCsv({ delimiter: ';', encoding: 'latin1' }));
    expect((await readAll(source, 'permits.csv')).map((r) => r.note)).toEqual(['Müller', 'Café']);
  });

  it('reads utf16le exports, with or without a byte order mark', async () => {
    const text = 'id\tnote\tfee\r\n1\tZoë\t2\r\n2\t"tab\there"\t3\r\n';
    const folder = await folders.create({
      'bom.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      'plain.csv': Buffer.from(text, 'utf16le'),
    });
    const source = open(folder, { 'bom.csv': PERMIT_COLUMNS, 'plain.csv': PERMIT_COLUMNS }, withCsv({ delimiter: '\t', encoding: 'utf16le' }));
    const expected = [
      { id: 1, note: 'Zoë', fee: 2 },
      { id: 2, note: 'tab\there', fee: 3 },
    ];
    expect(await readAll(source, 'bom.csv')).toEqual(expected);
    expect(await readAll(source, 'plain.csv')).toEqual(expected);
  });

  it('skips blank lines and rows of empty cells that spreadsheets pad a sheet with', async () => {
    const folder = await folders.create({ 'permits.csv': 'id,note,fee\n\n1,a,2\n,,\n\n2,b,3\n,,\n\n' });
    const source = open(folder, PERMITS);
    expect(await ids(source)).toEqual([1, 2]);
  });
});

describe('bad data', () => {
  async function failure(content: string | Buffer, tables: Record<string, Columns> = PERMITS, overrides: Partial<SourceConfig> = {}) {
    const folder = await folders.create({ 'permits.csv': content });
    const error = await rejection(ids(open(folder, tables, overrides)));
    expect(error.reason).toBe('bad-data');
    expect(error.message).not.toContain('SECRET');
    return error.message;
  }

  it('names the file and line of a row with the wrong number of fields, never its values', async () => {
    expect(await failure('id,note,fee\n1,a,2\n2,SECRET-VALUE,3,4\n')).toBe('source "permits": permits.csv line 3: 4 fields where the header has 3');
    expect(await failure('1,a,2\n2,SECRET-VALUE\n', PERMITS, withCsv({ header: false }))).toBe(
      'source "permits": permits.csv line 2: 2 fields where the mapping declares 3 columns',
    );
  });

  it('names the file, line and column of a cell that is not of its type, never the cell', async () => {
    expect(await failure('id,note,fee\n1,a,2\n2,b,SECRET-12\n')).toBe('source "permits": permits.csv line 3, column "fee": not a decimal number');
    const dates = { 'permits.csv': [['day', 'date']] as Columns };
    expect(await failure('day\n2024-02-29\n2023-02-29\n', dates)).toBe(
      'source "permits": permits.csv line 3, column "day": not a date (YYYY-MM-DD or M/D/YYYY)',
    );
  });

  it('counts lines as an editor does, past quoted line breaks (CRLF too) and blank lines', async () => {
    const content = 'id,note,fee\r\n1,"multi\r\nline",2.5\r\n\r\n2,"three\nline\nnote",3\r\n3,plain,SECRET-VALUE\r\n';
    expect(await failure(content)).toBe('source "permits": permits.csv line 8, column "fee": not a decimal number');
  });

  it('names the line where a quoted field is never closed', async () => {
    expect(await failure('id,note,fee\n1,a,2\n2,"SECRET never closed,3\n3,b,4\n')).toBe(
      'source "permits": permits.csv line 3: a quoted field is never closed (check csv.delimiter and csv.quote)',
    );
  });

  it('refuses a header without a declared column, or with a column twice', async () => {
    expect(await failure('id,note\n1,a\n')).toBe('source "permits": permits.csv line 1: the header has no column "fee", which the mapping declares');
    expect(await failure('id,note,fee,note\n1,a,2,b\n')).toBe('source "permits": permits.csv line 1: the header names column "note" twice');
  });

  it('says when the bytes are not in the configured encoding', async () => {
    expect(await failure(Buffer.from('id,note,fee\n1,Café SECRET,2\n', 'latin1'))).toBe(
      'source "permits": permits.csv line 2, column "note": not valid utf8 text (is csv.encoding the file\'s encoding?)',
    );
  });

  it('refuses an empty file, whose header is missing', async () => {
    expect(await failure('')).toBe('source "permits": permits.csv is empty, but its first line should name the columns');
  });

  it('needs declared columns to read a file without header', async () => {
    const folder = await folders.create({ 'permits.csv': '1,a,2\n' });
    const error = await rejection(ids(open(folder, {}, withCsv({ header: false }))));
    expect(error.reason).toBe('query-failed');
    expect(error.message).toContain('permits.csv: with csv.header false, the dataset must declare its columns');
  });

  it('refuses a file with more rows than memoryRowLimit, naming the limit', async () => {
    const folder = await folders.create({
      'small.csv': permits([[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]),
      'large.csv': permits([[1, 'a', 1], [2, 'b', 2], [3, 'c', 3], [4, 'd', 4]]),
    });
    const source = open(folder, { 'small.csv': PERMIT_COLUMNS, 'large.csv': PERMIT_COLUMNS }, { memoryRowLimit: 3 });
    expect(await source.count({ table: 'small.csv' })).toBe(3);
    const error = await rejection(source.count({ table: 'large.csv' }));
    expect(error.reason).toBe('row-limit');
    expect(error.message).toBe('source "permits": large.csv has more than 3 rows, the most this source reads into memory (memoryRowLimit)');
  });
});

describe('tables and files', () => {
  it('reports a missing file as missing-table, and describes it as undefined', async () => {
    const folder = await folders.create({});
    const source = open(folder);
    const error = await rejection(ids(source));
    expect(error.reason).toBe('missing-table');
    expect(error.message).toBe('source "permits": no CSV file "permits.csv"');
    expect(await source.describeTable('permits.csv')).toBeUndefined();
  });

  it('refuses tables outside the folder, without naming the folder', async () => {
    const parent = await folders.create({ 'secret.csv': 'id\n1\n' });
    const folder = join(parent, 'exports');
    await mkdir(folder);
    const source = open(folder);
    for (const table of ['../secret.csv', join(parent, 'secret.csv'), '..', 'sub/secret.csv']) {
      const error = await rejection(ids(source, table));
      expect(error.reason).toBe('missing-table');
      expect(error.message).toContain('must be the name of a file directly inside the CSV folder');
      expect(error.message.replace(table, '')).not.toContain(parent);
      expect(await source.describeTable(table)).toBeUndefined();
    }
  });

  it('reads a connection that names one file, whose name is the only table', async () => {
    const folder = await folders.create({ 'permits.csv': permits([[1, 'a', 2]]), 'other.csv': permits([[9, 'z', 9]]) });
    const source = open(join(folder, 'permits.csv'), PERMITS);
    expect(await ids(source)).toEqual([1]);
    const error = await rejection(ids(source, 'other.csv'));
    expect(error.reason).toBe('missing-table');
    expect(error.message).toBe('source "permits": table "other.csv" is not the CSV file the connection names ("permits.csv")');

    const gone = open(join(folder, 'gone.csv'), { 'gone.csv': PERMIT_COLUMNS });
    expect(await rejection(ids(gone, 'gone.csv'))).toMatchObject({ reason: 'missing-table', message: 'source "permits": no CSV file "gone.csv"' });
    expect(await gone.describeTable('gone.csv')).toBeUndefined();
  });

  it('pings: the folder when no table is named, else every file the datasets name', async () => {
    const folder = await folders.create({ 'permits.csv': permits([[1, 'a', 2]]), 'broken.csv': 'id,note,fee\n1,a,SECRET\n' });
    await expect(open(folder).ping()).resolves.toBeUndefined();
    await expect(open(folder, PERMITS).ping()).resolves.toBeUndefined();

    const broken = await rejection(open(folder, { ...PERMITS, 'broken.csv': PERMIT_COLUMNS }).ping());
    expect(broken.reason).toBe('bad-data');
    expect(broken.message).toContain('broken.csv line 2, column "fee"');

    const missing = await rejection(open(folder, { 'gone.csv': PERMIT_COLUMNS }).ping());
    expect(missing.reason).toBe('missing-table');

    // A table merely asked about is no dataset's: its absence does not fail the ping.
    const probed = open(folder, PERMITS);
    expect(await probed.describeTable('../secret.csv')).toBeUndefined();
    await expect(probed.ping()).resolves.toBeUndefined();

    const nowhere = await rejection(open(join(folder, 'no-such-folder')).ping());
    expect(nowhere.reason).toBe('unreachable');
    expect(nowhere.message).not.toContain(folder);
  });

  it('says what the source does itself: nothing but hand over records', () => {
    expect(open('/nowhere', {}, { memoryRowLimit: 500 }).pushdown).toMatchObject({
      filters: 'none',
      ordering: false,
      paging: false,
      grouping: false,
      keyLookups: false,
      memoryRowLimit: 500,
    });
  });
});

describe('reloading files that change', () => {
  it('serves the new rows after the file is edited in place', async () => {
    const folder = await folders.create({ 'permits.csv': permits([[1, 'a', 1], [2, 'b', 2]]) });
    const source = open(folder, PERMITS);
    expect(await ids(source)).toEqual([1, 2]);
    await writeFile(join(folder, 'permits.csv'), permits([[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]));
    expect(await eventually(() => ids(source), (found) => found.length === 3)).toEqual([1, 2, 3]);
  });

  it('serves the new rows after an editor saves by renaming a new file over the old one', async () => {
    const folder = await folders.create({ 'permits.csv': permits([[1, 'a', 1]]) });
    const source = open(folder, PERMITS);
    expect(await ids(source)).toEqual([1]);
    await writeFile(join(folder, '.permits.csv.swp'), permits([[7, 'x', 1], [8, 'y', 2]]));
    await rename(join(folder, '.permits.csv.swp'), join(folder, 'permits.csv'));
    expect(await eventually(() => ids(source), (found) => found[0] === 7)).toEqual([7, 8]);
  });

  it('keeps serving the last good version while an edit is broken, reporting it in ping, until it is fixed', async () => {
    const folder = await folders.create({ 'permits.csv': permits([[1, 'a', 1], [2, 'b', 2]]) });
    const source = open(folder, PERMITS);
    expect(await ids(source)).toEqual([1, 2]);
    await source.ping();

    await writeFile(join(folder, 'permits.csv'), 'id,note,fee\n1,a,1\n2,b,SECRET\n3,c,3\n');
    const problem = await eventually(
      () => source.ping().then(() => undefined, (e: unknown) => e),
      (error) => error !== undefined,
    );
    expect(problem).toMatchObject({ reason: 'bad-data', message: 'source "permits": permits.csv line 3, column "fee": not a decimal number' });
    expect(await ids(source)).toEqual([1, 2]);
    expect(await source.count({ table: 'permits.csv' })).toBe(2);

    await writeFile(join(folder, 'permits.csv'), permits([[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]));
    expect(await eventually(() => ids(source), (found) => found.length === 3)).toEqual([1, 2, 3]);
    await expect(source.ping()).resolves.toBeUndefined();
  });

  it('fails every query while a file has never been good, then serves it once fixed', async () => {
    const folder = await folders.create({ 'permits.csv': 'id,note,fee\n1,a\n' });
    const source = open(folder, PERMITS);
    for (const query of [ids(source), source.count({ table: 'permits.csv' })]) {
      const error = await rejection(query);
      expect(error.message).toBe('source "permits": permits.csv line 2: 2 fields where the header has 3');
    }
    await writeFile(join(folder, 'permits.csv'), permits([[1, 'a', 1]]));
    expect(await eventually(() => ids(source).catch(() => []), (found) => found.length === 1)).toEqual([1]);
  });

  it('serves a file that appears after it was missing', async () => {
    const folder = await folders.create({});
    const source = open(folder, PERMITS);
    expect((await rejection(ids(source))).reason).toBe('missing-table');
    await writeFile(join(folder, 'permits.csv'), permits([[5, 'e', 5]]));
    expect(await eventually(() => ids(source).catch(() => []), (found) => found.length === 1)).toEqual([5]);
  });

  it('lets a scan that started before a reload finish on the snapshot it started with', async () => {
    const oldRows: Array<[number, string, number]> = Array.from({ length: 50 }, (_, i) => [i + 1, `old ${i + 1}`, i]);
    const folder = await folders.create({ 'permits.csv': permits(oldRows) });
    const scanner = new CsvScanner('permits', csvConfig(folder), tableSettings(PERMITS));
    opened.push(scanner);
    const scanIds = async (records: AsyncIterable<RawRecord>) => {
      const found: unknown[] = [];
      for await (const record of records) found.push(record.id);
      return found;
    };

    const inFlight = scanner.scan({ table: 'permits.csv', orderBy: [] }).records[Symbol.asyncIterator]();
    const first = await inFlight.next();
    expect(first.value).toEqual({ id: 1, note: 'old 1', fee: 0 });

    await writeFile(join(folder, 'permits.csv'), permits([[100, 'new', 1]]));
    await eventually(() => scanIds(scanner.scan({ table: 'permits.csv', orderBy: [] }).records), (found) => found[0] === 100);

    const rest: RawRecord[] = [];
    for (let next = await inFlight.next(); !next.done; next = await inFlight.next()) rest.push(next.value);
    expect(rest.map((r) => r.note)).toEqual(oldRows.slice(1).map(([, note]) => note));
  });
});
