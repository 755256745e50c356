/**
 * Downloads (/datasets/{dataset}.csv, .geojson, .json) over HTTP against the full demo on
 * PostgreSQL (100,000 service requests): every row of a CSV checked against GraphQL's answer
 * while the gateway, in its own process, keeps its memory flat; the public role's privacy in
 * every row; the role's downloadRows refusing before the first byte; every bad parameter a 400
 * that names it.
 */
import { parse } from 'csv-parse/sync';
import knex from 'knex';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { FORMATS, inertCell } from '../../src/request/downloads/formats.js';
import { startCliGateway, type CliGateway } from '../support/cli-gateway.js';
import { demoEnvironment } from '../support/demo.js';

const JWT_SECRET = 'downloads-test-jwt-secret-0123456789-abcdef';
/** The public role's downloadRows in the second gateway: fewer than the public's 97,000-odd requests. */
const SMALL_DOWNLOAD_ROWS = 50_000;
const WITHHELD = ['HOMELESS', 'ELDERCHK'];
const HIDDEN = ['callerName', 'callerPhone', 'callerEmail', 'internalNotes'];

let env: Record<string, string>;
let cli: CliGateway;
/** The CLI gateway's base URL (no /graphql). */
let big: string;
/** An in-process gateway whose public role may download at most SMALL_DOWNLOAD_ROWS rows. */
let small: RunningGateway;
let smallBase: string;
let connectorsCopy: string;
let staff: Record<string, string>;
let truth: { total: number; withheld: number; callerContacts: string[] };

beforeAll(async () => {
  env = {
    ...(await demoEnvironment('postgres', 'downloads', 1)),
    CIVICGRAPH_JWT_SECRET: JWT_SECRET,
    // This suite reads the whole dataset several times from one address; the budgets per window have their own tests.
    CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000',
    CIVICGRAPH_RATE_LIMIT_COST_ANONYMOUS: '100000000',
  };
  const crm = knex({ client: 'pg', connection: env.CIVICGRAPH_CRM_URL! });
  try {
    const [all] = await crm('SR_CASE').count({ n: '*' });
    const [withheld] = await crm('SR_CASE').whereIn('SR_TYPE_CD', WITHHELD).count({ n: '*' });
    // Contacts long enough not to occur by chance in other text.
    const contacts = await crm('SR_CASE').select('CALLER_EMAIL', 'CALLER_PHONE');
    const callerContacts = [...new Set(contacts.flatMap((row) => [row.CALLER_EMAIL, row.CALLER_PHONE]).filter((value): value is string => typeof value === 'string' && value.length >= 8).map((value) => value.toLowerCase()))];
    truth = { total: Number(all!.n), withheld: Number(withheld!.n), callerContacts };
  } finally {
    await crm.destroy();
  }
  // An operator's heap ceiling (a container's memory limit): under it V8 collects garbage as it goes instead of letting
  // the heap grow as it likes, so the process's memory is what the gateway holds. A download that held its rows
  // (35 MB of CSV, far more as objects) would not fit, and the process would die.
  cli = await startCliGateway(resolve('connectors'), { ...env, NODE_OPTIONS: '--max-old-space-size=256' });
  big = cli.url.replace(/\/graphql$/, '');

  connectorsCopy = await mkdtemp(join(tmpdir(), 'civicgraph-downloads-'));
  await cp(resolve('connectors'), connectorsCopy, { recursive: true });
  const roles = join(connectorsCopy, 'roles.yaml');
  const text = await readFile(roles, 'utf8');
  // Staff inherit the public's limits: they get back the built-in 200,000.
  const changed = text.replace(/^(\s+)inFlight: 4\b.*$/m, `$&\n$1downloadRows: ${SMALL_DOWNLOAD_ROWS}`).replace(/^(\s+)inFlight: 16$/m, '$&\n$1downloadRows: 200000');
  expect(changed.match(/downloadRows/g)).toHaveLength(2);
  await writeFile(roles, changed);
  small = await serve({ connectorsDir: connectorsCopy, schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env, audit: () => undefined, log: () => undefined });
  smallBase = small.url.replace(/\/graphql$/, '');
  staff = { authorization: `Bearer ${await staffToken()}` };
}, 300_000);

afterAll(async () => {
  await cli?.stop();
  await small?.stop();
  if (connectorsCopy) await rm(connectorsCopy, { recursive: true, force: true });
});

async function staffToken(): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ role: 'staff' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('downloads-test')
    .setAudience('civicgraph')
    .setExpirationTime('30m')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

async function graphql(base: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: any; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

/** Every row GraphQL gives for `filter`, in its default order, a page of 1,000 at a time. */
async function allRows(base: string, selection: string, filter: unknown, headers: Record<string, string> = {}): Promise<Array<Record<string, any>>> {
  const rows: Array<Record<string, any>> = [];
  let after: string | null = null;
  for (;;) {
    const data = await graphql(
      base,
      `query ($filter: ServiceRequestFilter, $after: String) { serviceRequests(filter: $filter, first: 1000, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`,
      { filter, after },
      headers,
    );
    rows.push(...data.serviceRequests.nodes);
    if (!data.serviceRequests.pageInfo.hasNextPage) return rows;
    after = data.serviceRequests.pageInfo.endCursor;
  }
}

/** A GraphQL value as a CSV cell reads. */
const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/** The columns of a CSV header as a GraphQL selection: `location.latitude` → `location { latitude }`. */
function selectionOf(header: string[]): string {
  const groups = new Map<string, string[]>();
  for (const column of header) {
    const [head, sub] = column.split('.') as [string, string | undefined];
    groups.set(head, [...(groups.get(head) ?? []), ...(sub ? [sub] : [])]);
  }
  return [...groups].map(([name, subs]) => (subs.length ? `${name} { ${subs.join(' ')} }` : name)).join(' ');
}

function valueAt(row: Record<string, any>, path: string): unknown {
  return path.split('.').reduce<any>((value, key) => (value === null || value === undefined ? null : value[key]), row);
}

/** Checks that `csv` holds exactly GraphQL's rows for `filter`, cell by cell, in order. */
async function expectSameAsGraphQL(base: string, csv: string, filter: unknown, headers: Record<string, string> = {}): Promise<string[][]> {
  const [header, ...records] = parse(csv, { relax_column_count: false }) as string[][];
  const rows = await allRows(base, selectionOf(header!), filter, headers);
  expect(records.length).toBe(rows.length);
  let mismatches = 0;
  rows.forEach((row, index) => {
    const expected = header!.map((column) => cell(valueAt(row, column)));
    if (JSON.stringify(expected) !== JSON.stringify(records[index])) {
      mismatches += 1;
      if (mismatches <= 3) expect(records[index], `row ${index + 1}`).toEqual(expected);
    }
  });
  expect(mismatches).toBe(0);
  return [header!, ...records];
}

interface Download {
  status: number;
  headers: Headers;
  text: string;
}

async function download(url: string, headers: Record<string, string> = {}): Promise<Download> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('a download of every service request', () => {
  it('streams all of them (more than 100,000) as CSV, each row as GraphQL answers it, with the gateway’s memory growing less than 100 MB', async () => {
    // Warm up: the first download compiles what later ones reuse.
    expect((await download(`${big}/datasets/service-requests.csv?serviceCode=PTHOLE`, staff)).status).toBe(200);
    const before = await cli.rss();
    let peak = before;
    const sampling = setInterval(() => void cli.rss().then((rss) => (peak = Math.max(peak, rss)), () => undefined), 50);
    const started = performance.now();
    let csv: Download;
    try {
      csv = await download(`${big}/datasets/service-requests.csv`, staff);
    } finally {
      clearInterval(sampling);
    }
    const seconds = (performance.now() - started) / 1000;
    expect(csv.status, csv.text.slice(0, 500)).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="service-requests-\d{4}-\d{2}-\d{2}\.csv"$/);
    const growth = peak - before;
    console.log(`downloaded ${truth.total} rows (${(csv.text.length / 1e6).toFixed(1)} MB of CSV) in ${seconds.toFixed(1)} s; RSS ${(before / 1e6).toFixed(0)} MB before, peak growth ${(growth / 1e6).toFixed(1)} MB`);
    expect(growth).toBeLessThan(100 * 1024 * 1024);

    expect(truth.total).toBeGreaterThanOrEqual(100_000);
    const [header, ...records] = await expectSameAsGraphQL(big, csv.text, null, staff);
    expect(records).toHaveLength(truth.total);
    // Staff read the callers' fields not at all (they belong to the 311 department), and the withheld requests in full.
    for (const field of HIDDEN) expect(header).not.toContain(field);
    expect(header).toEqual(expect.arrayContaining(['id', 'address', 'location.latitude', 'location.longitude']));
  }, 300_000);

  it('as the public: every request it may read, none withheld, no caller field, coordinates rounded and addresses cut to the block', async () => {
    // A download cut after its first byte is logged by the gateway alone (the client sees the connection close): say what it logged.
    const csv = await download(`${big}/datasets/service-requests.csv`).catch((error: unknown) => {
      throw new Error(`the public download failed; the gateway logged:\n${cli.stdout().slice(-3000)}\n${cli.stderr().slice(-3000)}`, { cause: error });
    });
    expect(csv.status, csv.text.slice(0, 500)).toBe(200);
    // Row by row against GraphQL: the staff download above, and the public's filtered ones below.
    const [header, ...records] = parse(csv.text) as string[][];
    expect(records.length).toBe(truth.total - truth.withheld);
    for (const field of HIDDEN) expect(header).not.toContain(field);
    // Descriptions mention callers ("caller says…"); what must not show is any caller's own e-mail address or phone number.
    const contacts = new Set(truth.callerContacts);
    const written = csv.text.toLowerCase().match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\(?\d{3}\)?[ .-]?\d{3}-\d{4}/g) ?? [];
    expect(written.filter((token) => contacts.has(token))).toEqual([]);
    const [code, latitude, longitude, address] = ['serviceCode', 'location.latitude', 'location.longitude', 'address'].map((name) => header!.indexOf(name)) as [number, number, number, number];
    expect(Math.min(code, latitude, longitude, address)).toBeGreaterThanOrEqual(0);
    // Every row is checked and the rows that fail are reported; 400,000 expectations, one per row and rule, took seconds.
    const rounded = /^(-?\d+(\.\d{1,3})?)?$/;
    const cutToBlock = /^(\d*XX .+|\D.*)?$/;
    const wrong = records.filter((record) => WITHHELD.includes(record[code]!) || !rounded.test(record[latitude]!) || !rounded.test(record[longitude]!) || !cutToBlock.test(record[address]!));
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 300_000);
});

describe('CSV cells a spreadsheet would run', () => {
  it('start with an apostrophe when they are text that opens like a formula; numbers keep their sign', () => {
    expect(inertCell('=HYPERLINK("http://evil.example","click")')).toBe(`'=HYPERLINK("http://evil.example","click")`);
    for (const opening of ['+1', '-1+2', '@SUM(A1)', '\t=1', '\r=1']) expect(inertCell(opening)).toBe(`'${opening}`);
    expect(inertCell('Pothole on 11XX W 24TH ST')).toBe('Pothole on 11XX W 24TH ST');
    const page = FORMATS.get('csv')!.page([{ a: '=1+1', b: -5, c: 'ok' }], [{ path: 'a' }, { path: 'b' }, { path: 'c' }] as never, true);
    expect(page).toBe(`'=1+1,-5,ok\n`);
  });
});

describe('formats', () => {
  const filter = { serviceCode: { eq: 'STRTLGT' }, requestedAt: { gte: '2024-10-01T00:00:00Z' } };
  const query = 'serviceCode=STRTLGT&requestedAt.gte=2024-10-01T00:00:00Z';

  it('GeoJSON: a FeatureCollection of the public’s rows, each a point at the rounded coordinates, its other fields as properties', async () => {
    const answer = await download(`${smallBase}/datasets/service-requests.geojson?${query}&orderBy=REQUESTED_AT_DESC`);
    expect(answer.status, answer.text.slice(0, 500)).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/geo+json');
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="service-requests-\d{4}-\d{2}-\d{2}\.geojson"$/);
    const collection = JSON.parse(answer.text);
    expect(collection.type).toBe('FeatureCollection');
    const data = await graphql(smallBase, 'query ($filter: ServiceRequestFilter) { serviceRequests(filter: $filter, orderBy: [REQUESTED_AT_DESC], first: 1000) { totalCount nodes { id requestedAt location { latitude longitude } } } }', { filter });
    expect(data.serviceRequests.totalCount).toBeGreaterThan(100);
    expect(data.serviceRequests.totalCount).toBeLessThan(1000);
    expect(collection.features.map((feature: any) => feature.id)).toEqual(data.serviceRequests.nodes.map((node: any) => node.id));
    collection.features.forEach((feature: any, index: number) => {
      const node = data.serviceRequests.nodes[index];
      expect(feature.type).toBe('Feature');
      expect(feature.properties.requestedAt).toBe(node.requestedAt);
      expect(feature.properties).not.toHaveProperty('location.latitude');
      for (const field of HIDDEN) expect(feature.properties).not.toHaveProperty(field);
      if (node.location === null) {
        expect(feature.geometry).toBeNull();
      } else {
        expect(feature.geometry).toEqual({ type: 'Point', coordinates: [node.location.longitude, node.location.latitude] });
        for (const coordinate of feature.geometry.coordinates) expect(String(coordinate)).toMatch(/^-?\d+(\.\d{1,3})?$/);
      }
    });
  });

  it('JSON: an array of the rows exactly as GraphQL gives them', async () => {
    const answer = await download(`${smallBase}/datasets/service-requests.json?${query}`);
    expect(answer.status, answer.text.slice(0, 500)).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const rows: Array<Record<string, any>> = JSON.parse(answer.text);
    const located = rows.find((row) => row.location !== null)!;
    const columns = Object.keys(located).flatMap((key) => (located[key] !== null && typeof located[key] === 'object' ? Object.keys(located[key]).map((sub) => `${key}.${sub}`) : [key]));
    expect(columns).toContain('location.latitude');
    expect(rows).toEqual(await allRows(smallBase, selectionOf(columns), filter));
  });

  it('CSV with the JSON filter and the short form together: both must hold', async () => {
    const json = encodeURIComponent(JSON.stringify({ or: [{ status: { eq: 'OPEN' } }, { source: { in: ['PHONE'] } }] }));
    const answer = await download(`${smallBase}/datasets/service-requests.csv?filter=${json}&${query}`);
    expect(answer.status, answer.text.slice(0, 500)).toBe(200);
    const [, ...records] = await expectSameAsGraphQL(smallBase, answer.text, { and: [{ or: [{ status: { eq: 'OPEN' } }, { source: { in: ['PHONE'] } }] }, filter] });
    expect(records.length).toBeGreaterThan(10);
  });

  it('an empty result is a header row alone, and HEAD sends the headers without the rows', async () => {
    const empty = await download(`${smallBase}/datasets/service-requests.csv?serviceCode=NO-SUCH-CODE`);
    expect(empty.status).toBe(200);
    expect(empty.text.trim().split('\n')).toHaveLength(1);
    const head = await fetch(`${smallBase}/datasets/permits.csv`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toMatch(/^attachment; filename="permits-/);
    expect(await head.text()).toBe('');
  });
});

describe('the role’s limits', () => {
  it('a download over downloadRows is refused before its first byte, naming the limit; a narrower one is served', async () => {
    const answer = await download(`${smallBase}/datasets/service-requests.csv`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('content-disposition')).toBeNull();
    const error = JSON.parse(answer.text).errors[0];
    expect(error.extensions).toEqual({ code: 'DOWNLOAD_TOO_LARGE', measure: 'downloadRows', limit: SMALL_DOWNLOAD_ROWS, measured: truth.total - truth.withheld });
    expect(error.message).toContain('downloadRows');
    expect(error.message).toContain('role public');
    // The same download, narrowed, fits.
    const narrowed = await download(`${smallBase}/datasets/service-requests.csv?requestedAt.lt=2022-01-01T00:00:00Z`);
    expect(narrowed.status, narrowed.text.slice(0, 300)).toBe(200);
    // Staff's downloadRows is their own, 200,000.
    expect((await fetch(`${smallBase}/datasets/service-requests.csv`, { method: 'HEAD', headers: staff })).status).toBe(200);
  });

  it('a public download larger than the public’s 25,000 rows per request is served page by page, each page held to the role’s per-request limits', async () => {
    // The public role may read 25,000 rows in one request; each page of a download is a request's worth of its own.
    const answer = await download(`${smallBase}/datasets/work-orders.csv`);
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    const [, ...records] = parse(answer.text) as string[][];
    const { workOrders } = await graphql(smallBase, '{ workOrders(first: 0) { totalCount } }');
    expect(workOrders.totalCount).toBeGreaterThan(25_000);
    expect(records).toHaveLength(workOrders.totalCount);
  }, 120_000);
});

describe('bad input', () => {
  const bad: Array<[string, string, string]> = [
    ['a field that does not exist', 'colour=red', 'colour'],
    ['a field hidden from the public', 'callerPhone=555', 'callerPhone'],
    ['a field the public reads only redacted', 'description=pothole', 'description'],
    ['a condition on a field the public reads only redacted', 'description.contains=312', 'description.contains'],
    ['a condition the field lacks', 'serviceCode.near=PTHOLE', 'serviceCode.near'],
    ['a date that is not one', 'requestedAt.gte=2024-13-45', 'requestedAt.gte'],
    ['a date without a time zone', 'requestedAt.gte=2024-01-01', 'requestedAt.gte'],
    ['an enum value that does not exist', 'status=PENDING', 'status'],
    ['a boolean that is not one', 'closedAt.isNull=maybe', 'closedAt.isNull'],
    ['a parameter given twice', 'serviceCode=PTHOLE&serviceCode=GRAFITI', 'serviceCode'],
    ['a filter that is not JSON', 'filter=%7Bnope', 'filter'],
    ['a filter that is not an object', 'filter=%5B1%5D', 'filter'],
    ['a filter on a hidden field', `filter=${encodeURIComponent('{"callerEmail":{"eq":"x"}}')}`, 'filter'],
    ['an order that does not exist', 'orderBy=REQUESTED_AT_UP', 'orderBy'],
    ['an order on a field the public reads only redacted', 'orderBy=DESCRIPTION_ASC', 'orderBy'],
  ];
  it.each(bad)('%s is a 400 naming the parameter, before the first byte', async (_what, query, parameter) => {
    const answer = await download(`${smallBase}/datasets/service-requests.csv?${query}`);
    expect(answer.status, answer.text).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('content-disposition')).toBeNull();
    const [error] = JSON.parse(answer.text).errors;
    expect(error.extensions.code).toBe('BAD_REQUEST');
    expect(error.extensions.parameter).toBe(parameter);
    expect(error.message.startsWith(`${error.extensions.parameter}: `)).toBe(true);
    expect(answer.text).not.toMatch(/stack|\.ts:\d+|SR_CASE|CALLER_|select /i);
  });

  it('a number that is not one, on a field the public compares (permits’ latitude)', async () => {
    const answer = await download(`${smallBase}/datasets/permits.geojson?latitude.gte=north`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).errors[0]).toEqual({ message: 'latitude.gte: "north" is not a number', extensions: { code: 'BAD_REQUEST', parameter: 'latitude.gte' } });
  });

  it('a hidden field is refused exactly as a field that does not exist', async () => {
    const shape = async (name: string) => JSON.parse((await download(`${smallBase}/datasets/service-requests.csv?${name}=1`)).text).errors[0].message.split(name).join('<NAME>');
    expect(await shape('callerPhone')).toBe(await shape('qqqqqqqqqqq'));
  });

  it('a dataset that does not exist, an internal one, or another format is a 404 listing the downloads', async () => {
    for (const file of ['potholes.csv', 'service-requests.xml', 'service-requests', 'ServiceRequest.csv']) {
      const answer = await download(`${smallBase}/datasets/${file}`);
      expect(answer.status, file).toBe(404);
      const [error] = JSON.parse(answer.text).errors;
      expect(error.extensions.code).toBe('NOT_FOUND');
      expect(error.message).toContain('service-requests.csv');
    }
  });
});
