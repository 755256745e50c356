/**
 * The demo departmental systems: deterministic generation, consistency with the connector
 * mappings, and loading into real engines (in-memory PGlite and a real PostgreSQL server).
 */
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crmAddress, worksAddress } from '../../src/demo/city.js';
import { DEMO_DATA_VERSION, DEMO_SYSTEMS, generateDemo, type DemoData, type DemoSystem } from '../../src/demo/generate.js';
import { loadDemoSystem } from '../../src/demo/load.js';
import { PERSONAL_FORMS } from '../../src/demo/personal-text.js';
import type { SrCase } from '../../src/demo/systems/crm-311.js';
import { WORK_FOR_REQUEST } from '../../src/demo/systems/public-works.js';
import type { DemoTable } from '../../src/demo/table.js';
import { POSTGRES_URL, withDatabase } from '../support/servers.js';

const REPO = resolve(import.meta.dirname, '../..');
const SCALE = 0.01;
const DATABASE = 'civicgraph_test_demo';

/**
 * sha256 of the generated tables at scale 0.01, per data version. If the generator's
 * output changes, bump DEMO_DATA_VERSION (so prepared databases are regenerated) and
 * record the new fingerprint here.
 */
const FINGERPRINTS: Record<string, string> = {
  'riverton-demo-3': '3aebf4cd77624046cab75da22352ef6198f81b9b3086d6b95fc027cb8d04646e',
};

/** The coded columns of a connector mapping: column → the codes each field that recodes it accepts. */
interface CodedColumn {
  field: string;
  column: string;
  codes: Set<string>;
}

async function codedColumns(system: DemoSystem): Promise<{ table: string; columns: CodedColumn[] }> {
  const doc = parse(await readFile(join(REPO, 'connectors', `${system}.yaml`), 'utf8')) as {
    datasets: Record<string, { table: string; fields: Record<string, unknown> }>;
  };
  const [dataset] = Object.values(doc.datasets);
  if (!dataset) throw new Error(`no dataset in ${system}.yaml`);
  const columns: CodedColumn[] = [];
  for (const [field, mapping] of Object.entries(dataset.fields)) {
    if (mapping && typeof mapping === 'object' && 'codes' in mapping && 'column' in mapping) {
      const { column, codes } = mapping as { column: string; codes: Record<string, unknown> };
      columns.push({ field, column, codes: new Set(Object.keys(codes)) });
    }
  }
  return { table: dataset.table, columns };
}

function tableOf(data: DemoData, name: string): DemoTable {
  const table = Object.values(data.tables).flat().find((t) => t.spec.name === name);
  if (!table) throw new Error(`no table ${name}`);
  return table;
}

function columnValues(table: DemoTable, column: string): unknown[] {
  const index = table.spec.columns.findIndex((c) => c.name === column);
  if (index < 0) throw new Error(`no column ${column} in ${table.spec.name}`);
  return table.rows.map((row) => row[index]);
}

/** The public-works short form '24-12345' → the CRM's 'SR-24-00012345', written independently of the generator. */
const normalise = (short: string): string => {
  const match = /^(\d{2})-(\d{1,8})$/.exec(short);
  if (!match) throw new Error(`not a short case number: ${short}`);
  return `SR-${match[1]}-${match[2]!.padStart(8, '0')}`;
};

/** An order-independent fingerprint of a table's contents, computed by the database itself. */
async function tableFingerprint(db: Knex, table: string): Promise<{ count: number; md5: string }> {
  const result = await db.raw(`select count(*)::int as count, md5(string_agg(t::text, E'\\n' order by t::text)) as md5 from "${table}" t`);
  const row = result.rows[0] as { count: number; md5: string };
  return { count: Number(row.count), md5: row.md5 };
}

/** What a request's planted datum may be: its caller's own phone, e-mail or name, its own address, or (SSN, card, unit) the fictional value itself. */
function ownValues(sr: SrCase): Array<string | null> {
  const { form, value } = sr.personalData!;
  const caller = sr.caller!;
  if (form.startsWith('phone')) return [caller.phone];
  if (form.startsWith('e-mail')) return [caller.email];
  if (form === 'name after a role') return [`${caller.first} ${caller.last}`];
  if (form === 'name after a title') return [caller.last];
  if (form === 'house number in prose') return [crmAddress(sr.address), worksAddress(sr.address)];
  return [value];
}

describe('demo data generation', () => {
  let small: DemoData;
  let full: DemoData;
  beforeAll(() => {
    small = generateDemo(SCALE);
    full = generateDemo(1);
  });

  it('is deterministic', () => {
    const again = generateDemo(SCALE);
    expect(JSON.stringify(again.tables)).toBe(JSON.stringify(small.tables));
  });

  it('matches the recorded fingerprint of this data version', () => {
    const hash = createHash('sha256').update(JSON.stringify(small.tables)).digest('hex');
    expect(FINGERPRINTS[DEMO_DATA_VERSION], `record ${hash} for ${DEMO_DATA_VERSION}`).toBe(hash);
  });

  it('scales row counts', () => {
    const double = generateDemo(SCALE * 2);
    expect(small.serviceRequests.length).toBe(Math.round(105_000 * SCALE));
    expect(double.serviceRequests.length).toBe(Math.round(105_000 * SCALE * 2));
    expect(small.permits.length).toBe(Math.round(21_000 * SCALE));
    expect(double.permits.length).toBe(Math.round(21_000 * SCALE * 2));
    const ratio = double.workOrders.length / small.workOrders.length;
    expect(ratio).toBeGreaterThan(1.7);
    expect(ratio).toBeLessThan(2.3);
    expect(full.serviceRequests.length).toBeGreaterThanOrEqual(100_000);
    expect(full.workOrders.length).toBeGreaterThanOrEqual(30_000);
    expect(full.permits.length).toBeGreaterThanOrEqual(20_000);
    expect(full.addresses.length).toBe(3000);
    expect(tableOf(full, 'SR_TYPE').rows).toHaveLength(18);
  });

  it('uses exactly the codes of the connector mappings', async () => {
    for (const system of DEMO_SYSTEMS) {
      const { table, columns } = await codedColumns(system);
      for (const { field, column, codes } of columns) {
        const used = new Set(columnValues(tableOf(full, table), column));
        for (const value of used) expect(codes, `${system} ${field}: ${String(value)}`).toContain(value);
        for (const code of codes) expect(used, `${system} ${field}: code ${code} never used`).toContain(code);
      }
    }
  });

  it('formats case numbers and keeps them unique and in creation order', () => {
    const cases = tableOf(full, 'SR_CASE');
    const numbers = columnValues(cases, 'CASE_NO') as string[];
    const created = columnValues(cases, 'CREATED_DT') as string[];
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.filter((no, i) => !/^SR-\d{2}-\d{8}$/.test(no) || no.slice(3, 5) !== created[i]!.slice(2, 4))).toEqual([]);
    expect(numbers.filter((no, i) => i > 0 && no.slice(3, 5) === numbers[i - 1]!.slice(3, 5) && no <= numbers[i - 1]!)).toEqual([]);
    const permitIds = columnValues(tableOf(full, 'B1PERMIT'), 'B1_ALT_ID') as string[];
    expect(new Set(permitIds).size).toBe(permitIds.length);
    expect(permitIds.filter((id) => !/^(BLD|ELE|MEC|PLM|ROF|FNC|GRD|POL|DEM)20\d{2}-\d{5}$/.test(id))).toEqual([]);
  });

  it('links work orders to earlier service requests of a matching type', () => {
    const byNumber = new Map(full.serviceRequests.map((sr) => [sr.caseNo, sr]));
    const fromRequests = full.workOrders.filter((w) => w.srNumber !== null);
    expect(fromRequests.length / full.workOrders.length).toBeGreaterThan(0.8);
    expect(fromRequests.length / full.workOrders.length).toBeLessThan(0.9);
    const bad = full.workOrders.filter((w) => {
      if (w.id <= 400_000 || (w.finished !== null && w.finished <= w.initiated)) return true;
      if (w.srNumber === null) return false;
      const sr = byNumber.get(normalise(w.srNumber));
      return !sr || WORK_FOR_REQUEST[sr.type.code]?.workType !== w.workType.name || sr.created >= w.initiated;
    });
    expect(bad).toEqual([]);
    expect(new Set(full.workOrders.map((w) => w.id)).size).toBe(full.workOrders.length);
  });

  it('gives some withheld HOMELESS and ELDERCHK cases work orders, at the test scale too', () => {
    for (const data of [small, full]) {
      const types = new Map(data.serviceRequests.map((sr) => [sr.shortNo, sr.type.code]));
      const spawned = data.workOrders.filter((w) => w.srNumber !== null).map((w) => types.get(w.srNumber!));
      expect(spawned.filter((code) => code === 'HOMELESS').length, `scale ${data.scale}`).toBeGreaterThan(0);
      expect(spawned.filter((code) => code === 'ELDERCHK').length, `scale ${data.scale}`).toBeGreaterThan(0);
    }
  });

  it('keeps dates consistent with the status', () => {
    const closedCodes = new Set(['C', 'X', 'D']);
    const badRequests = full.serviceRequests.filter(
      (sr) =>
        (sr.closed !== null) !== closedCodes.has(sr.status) ||
        (sr.closed !== null && sr.closed <= sr.created) ||
        sr.modified < sr.created ||
        (sr.due !== null && sr.due <= sr.created),
    );
    expect(badRequests.map((sr) => sr.caseNo)).toEqual([]);
    const badPermits = full.permits.filter(
      (p) =>
        (p.completed !== null) !== (p.status === 'Finaled') ||
        (p.issued !== null && p.issued < p.filed) ||
        (p.completed !== null && p.issued !== null && p.completed < p.issued) ||
        p.statusDate < p.filed,
    );
    expect(badPermits.map((p) => p.altId)).toEqual([]);
  });

  it('writes personal data into the public free text of a share of requests, in every form, with the callers\' own values', () => {
    const planted = full.serviceRequests.filter((sr) => sr.personalData !== null);
    expect(planted.length / full.serviceRequests.length).toBeGreaterThan(0.1);
    expect(planted.length / full.serviceRequests.length).toBeLessThan(0.2);
    expect(new Set(planted.map((sr) => sr.personalData!.form))).toEqual(new Set(PERSONAL_FORMS));
    const notTheirOwn = planted.filter((sr) => {
      const { value, written, field } = sr.personalData!;
      const text = field === 'description' ? sr.description : sr.resolution;
      return !ownValues(sr).includes(value) || !text?.includes(written);
    });
    expect(notTheirOwn.map((sr) => sr.caseNo)).toEqual([]);
  });

  it('puts personal data in some internal notes, for the redaction feature to find', () => {
    const notes = (columnValues(tableOf(full, 'SR_CASE'), 'NOTES_TXT') as Array<string | null>).filter((n) => n !== null);
    const hazardous = notes.filter((n) => /\(?\d{3}\)?[ -]555-01\d\d|@example\.(com|org)/.test(n));
    expect(hazardous.length / notes.length).toBeGreaterThan(0.1);
    expect(hazardous.length / notes.length).toBeLessThan(0.2);
  });
});

/** Checks one engine's copy of the three systems; `db` holds all of them. */
async function checkLoaded(db: Knex): Promise<Record<string, { count: number; md5: string }>> {
  const expected = generateDemo(SCALE);
  for (const system of DEMO_SYSTEMS) {
    const { table, columns } = await codedColumns(system);
    for (const { field, column, codes } of columns) {
      const rows = (await db(table).distinct(column)) as Array<Record<string, string>>;
      for (const row of rows) expect(codes, `${system} ${field}`).toContain(row[column]);
    }
  }
  const fingerprints: Record<string, { count: number; md5: string }> = {};
  for (const table of Object.values(expected.tables).flat()) {
    fingerprints[table.spec.name] = await tableFingerprint(db, table.spec.name);
    expect(fingerprints[table.spec.name]!.count).toBe(table.rows.length);
  }

  const caseNumbers = new Set((await db('SR_CASE').pluck('CASE_NO')) as string[]);
  const srNumbers = (await db('workorder').whereNotNull('srnumber').pluck('srnumber')) as string[];
  expect(srNumbers.length).toBeGreaterThan(0);
  for (const short of srNumbers) expect(caseNumbers.has(normalise(short)), short).toBe(true);

  // The connector's own expression, joined in SQL: every reference resolves to an earlier case.
  const dangling = await db.raw(`
    select count(*)::int as n from workorder w
    left join "SR_CASE" s on s."CASE_NO" = 'SR-' || split_part(w.srnumber, '-', 1) || '-' || lpad(split_part(w.srnumber, '-', 2), 8, '0')
    where w.srnumber is not null and (s."CASE_NO" is null or s."CREATED_DT" >= w.initiatedate)`);
  expect(Number(dangling.rows[0].n)).toBe(0);

  const types = await db.raw(`
    select table_name, column_name, data_type from information_schema.columns
    where table_name in ('SR_CASE', 'workorder', 'B1PERMIT')
      and column_name in ('ZIP_CD', 'CREATED_DT', 'LAT_NUM', 'initiatedate', 'woxcoord', 'B1_FILE_DD', 'B1_SITUS_ZIP')
    order by column_name`);
  expect(Object.fromEntries((types.rows as Array<{ column_name: string; data_type: string }>).map((r) => [r.column_name, r.data_type]))).toEqual({
    B1_FILE_DD: 'date',
    B1_SITUS_ZIP: 'character varying',
    CREATED_DT: 'timestamp without time zone',
    LAT_NUM: 'numeric',
    ZIP_CD: 'integer',
    initiatedate: 'timestamp without time zone',
    woxcoord: 'double precision',
  });
  const first = await db.raw(`select "CASE_NO", "CREATED_DT"::text as created from "SR_CASE" order by "CASE_NO" limit 1`);
  expect(first.rows[0]).toEqual({ CASE_NO: 'SR-19-00000001', created: expect.stringMatching(/^2019-01-0\d \d\d:\d\d:\d\d$/) });
  return fingerprints;
}

describe('loading the demo systems', () => {
  let pglite: Knex;
  let postgres: Knex;
  let admin: Knex;
  let pgliteFingerprints: Record<string, { count: number; md5: string }>;

  beforeAll(async () => {
    admin = knex({ client: 'pg', connection: POSTGRES_URL });
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [DATABASE]);
    await admin.raw('CREATE DATABASE ??', [DATABASE]);
    postgres = knex({ client: 'pg', connection: withDatabase(POSTGRES_URL, DATABASE) });
    pglite = knex({ client: ClientPgLite, dialect: 'postgres', connection: {} });
  });

  afterAll(async () => {
    await pglite?.destroy();
    await postgres?.destroy();
    await admin?.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [DATABASE]);
    await admin?.destroy();
  });

  it('into in-memory PGlite', async () => {
    for (const system of DEMO_SYSTEMS) await loadDemoSystem(pglite, system, { scale: SCALE });
    pgliteFingerprints = await checkLoaded(pglite);
  });

  it('into a real PostgreSQL database, with the same contents', async () => {
    const lines: string[] = [];
    for (const system of DEMO_SYSTEMS) await loadDemoSystem(postgres, system, { scale: SCALE, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes('SR_CASE'))).toBe(true);
    const fingerprints = await checkLoaded(postgres);
    if (pgliteFingerprints) expect(fingerprints).toEqual(pgliteFingerprints);
  });

  it('replaces the tables when loaded again', async () => {
    await loadDemoSystem(postgres, 'permits', { scale: SCALE });
    expect(await tableFingerprint(postgres, 'B1PERMIT')).toEqual(pgliteFingerprints?.B1PERMIT ?? (await tableFingerprint(postgres, 'B1PERMIT')));
  });
});
