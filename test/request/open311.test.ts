/**
 * Open311 GeoReport v2 at /open311/v2, over HTTP against a real gateway over the demo on
 * PostgreSQL: every resource in JSON and XML (the XML parsed back and compared with the JSON),
 * the field lists of the specification (read from shared/standards.md), public answers equal
 * to GraphQL's public answers field by field, withheld requests answered exactly as missing
 * ones, paging, the 90-day window, bad parameters named in Open311 errors, and the door's
 * refusals (cost limit, rate limit, bad key) in Open311's error format.
 *
 * No Open311 client library from npm is driven here: the one on the registry, `open311`
 * 0.0.12 (Code for America's node-open311), does not install — it depends on a package
 * fetched from GitHub over git:// and on xml2json 0.2, a native module of 2012.
 */
import { SignJWT } from 'jose';
import { XMLParser } from 'fast-xml-parser';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';
import { withKnex } from '../support/servers.js';

const JWT_SECRET = 'open311-test-jwt-secret-0123456789-abcdef';
const APP_TOKEN = 'open311-test-app-token-0123456789';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The demo's last quarter: 2024-10-03 to 2024-12-31, within GeoReport v2's 90 days. */
const WINDOW = { start: '2024-10-03T00:00:00Z', end: '2024-12-31T23:59:59Z' };
/** A homelessness case of the demo: withheld from the public by a row rule. */
const HOMELESS_ID = 'SR-19-00000015';
const MISSING_ID = 'SR-19-99999999';

// ---- The specification's lists (shared/standards.md) ----

const standards = await readFile(resolve('..', 'shared', 'standards.md'), 'utf8');
/** The names in the first backquoted list of the first line `- <label>…` (the Open311 section comes first). */
function specList(label: string): string[] {
  const line = standards.split('\n').find((text) => text.startsWith(`- ${label}`));
  const list = line && /`([^`]+)`/.exec(line)?.[1];
  if (!list) throw new Error(`standards.md has no "${label}" list`);
  return list.split(',').map((name) => name.trim().replace(/\s*\(.*\)$/, ''));
}
const REQUEST_FIELDS = specList('Request fields:');
const BULK_FIELDS = specList('Bulk proposal adds:');
const SERVICE_FIELDS = specList('Service:');
const SUBMITTER_FIELDS = specList('Submitter personal data exists only as POST inputs');
/** Service Discovery's fields (wiki.open311.org/Service_Discovery): all required. */
const DISCOVERY_FIELDS = ['changeset', 'contact', 'key_service', 'endpoints'];
const ENDPOINT_FIELDS = ['specification', 'url', 'changeset', 'type', 'formats'];

// ---- Gateways ----

const running: RunningGateway[] = [];
const audit: string[] = [];
let env: Record<string, string>;
let base: string;
let tokens: { staff: string; department: string };

async function start(extra: Record<string, string> = {}, connectorsDir = resolve('connectors')): Promise<string> {
  const gateway = await serve({
    connectorsDir,
    schemasDir: resolve('schemas'),
    port: 0,
    host: '127.0.0.1',
    watch: false,
    env: { ...env, CIVICGRAPH_JWT_SECRET: JWT_SECRET, CIVICGRAPH_APP_TOKENS: APP_TOKEN, CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000', ...extra },
    audit: (line) => audit.push(line),
    log: () => undefined,
  });
  running.push(gateway);
  return gateway.url.replace(/\/graphql$/, '');
}

const sign = (claims: Record<string, string>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(`open311-${claims.role}`).setAudience('civicgraph').setExpirationTime('1h').sign(new TextEncoder().encode(JWT_SECRET));

/** Requests added to the demo, dated from now: the default window is the last 90 days. */
const RECENT = { id: 'SR-26-00000001', description: 'Tom & Jerry <b>said</b> "hi" \u0001 at the corner' };
const OLD = 'SR-26-00000002';
const RECENT_HOMELESS = 'SR-26-00000003';

async function addRecentRequests(url: string): Promise<void> {
  await withKnex('pg', url, async (db) => {
    const local = (daysAgo: number) => db.raw(`(now() at time zone 'America/Chicago') - interval '${daysAgo} days'`);
    const row = (caseNo: string, type: string, agency: string, daysAgo: number, description: string) => ({
      CASE_NO: caseNo,
      SR_TYPE_CD: type,
      STATUS_CD: 'O',
      CHANNEL_CD: 'W',
      AGENCY_CD: agency,
      CREATED_DT: local(daysAgo),
      MODIFIED_DT: local(daysAgo),
      ADDR_LINE: '1163 W 24TH ST',
      ZIP_CD: 62561,
      LAT_NUM: 39.812345,
      LON_NUM: -86.154321,
      DESCR_TXT: description,
    });
    await db('SR_CASE').insert([
      row(RECENT.id, 'PTHOLE', 'DOT', 1, RECENT.description),
      row(OLD, 'PTHOLE', 'DOT', 100, 'An old pothole.'),
      row(RECENT_HOMELESS, 'HOMELESS', 'DHS', 2, 'A person sleeping outside.'),
    ]);
  });
}

beforeAll(async () => {
  env = await demoEnvironment('postgres', 'open311');
  await addRecentRequests(env.CIVICGRAPH_CRM_URL!);
  base = await start();
  tokens = { staff: await sign({ role: 'staff' }), department: await sign({ role: 'department', department: '311 Customer Service' }) };
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.stop()));
});

// ---- HTTP helpers ----

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function open311(path: string, headers: Record<string, string> = {}, to = base, method = 'GET'): Promise<Answer> {
  const response = await fetch(`${to}/open311/v2/${path}`, { method, headers });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return { status: response.status, headers: response.headers, text, body: json ? JSON.parse(text) : undefined };
}

async function graphql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body: any = await response.json();
  expect(body.errors).toBeUndefined();
  return body.data;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const xml = new XMLParser({ parseTagValue: false, trimValues: false, isArray: (name) => ['request', 'service', 'error', 'endpoint', 'format'].includes(name) });

/** The Spark convention (wiki.open311.org/JSON_and_XML_Conversion): an element holding only repeated children is their list. */
function spark(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(spark);
  const children = Object.entries(node);
  if (children.length === 1 && Array.isArray(children[0]![1])) return spark(children[0]![1]);
  return Object.fromEntries(children.map(([name, child]) => [name, spark(child)]));
}

/** An XML answer read back by the Spark convention, every value as the text XML carries; `list`: the root holds a list, maybe empty. */
function parseXml(answer: Answer, root: string, list = true): any {
  expect(answer.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  expect(answer.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const document = xml.parse(answer.text);
  expect(Object.keys(document)).toEqual(['?xml', root]);
  return list && document[root] === '' ? [] : spark(document[root]);
}

/** A JSON answer as XML writes it: text everywhere, null as the empty element. */
function asXmlText(value: unknown): unknown {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map(asXmlText);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([key, child]) => [key, asXmlText(child)]));
  return String(value);
}

/** Fetches `path` as JSON and as XML and checks that both say the same. */
async function both(path: string, root: string, list = true, headers: Record<string, string> = {}): Promise<{ json: Answer; xml: any }> {
  const [json, asXml] = await Promise.all([open311(`${path.replace('{format}', 'json')}`, headers), open311(`${path.replace('{format}', 'xml')}`, headers)]);
  expect(json.status).toBe(asXml.status);
  expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const parsed = parseXml(asXml, root, list);
  expect(parsed).toEqual(asXmlText(json.body));
  return { json, xml: parsed };
}

/** A 400 naming the parameter at fault, the same in JSON and XML. */
async function expectBadParameter(path: string, parameter: string): Promise<string> {
  const { json } = await both(path, 'errors');
  expect(json.status).toBe(400);
  expect(json.body).toHaveLength(1);
  expect(json.body[0].code).toBe(400);
  expect(json.body[0].description.startsWith(`${parameter}: `)).toBe(true);
  expect(json.text).not.toMatch(/\bat .*\.ts:\d+|stack/i);
  return json.body[0].description;
}

// ---- GraphQL's answers, in Open311's names (written out here, apart from the implementation) ----

const PUBLIC_SELECTION = 'id status statusNotes serviceName serviceCode description agencyResponsible requestedAt updatedAt expectedAt address zipcode location { latitude longitude } mediaUrl';
const BULK_SELECTION = 'closedAt statusDescription source';

function asOpen311(node: any): Record<string, unknown> {
  const named: Record<string, unknown> = {
    service_request_id: node.id,
    status: node.status.toLowerCase(),
    status_notes: node.statusNotes,
    service_name: node.serviceName,
    service_code: node.serviceCode,
    description: node.description,
    agency_responsible: node.agencyResponsible,
    requested_datetime: node.requestedAt,
    updated_datetime: node.updatedAt,
    expected_datetime: node.expectedAt,
    address: node.address,
    zipcode: node.zipcode,
    lat: node.location?.latitude ?? null,
    long: node.location?.longitude ?? null,
    media_url: node.mediaUrl,
  };
  if ('closedAt' in node) Object.assign(named, { closed_date: node.closedAt, status_description: node.statusDescription, source: node.source });
  return named;
}

async function graphqlRequests(filter: Record<string, unknown>, first: number, headers: Record<string, string> = {}, selection = PUBLIC_SELECTION): Promise<Record<string, unknown>[]> {
  const data = await graphql(
    `query($filter: ServiceRequestFilter, $first: Int) { serviceRequests(filter: $filter, orderBy: [REQUESTED_AT_DESC], first: $first) { nodes { ${selection} } } }`,
    { filter, first },
    headers,
  );
  return data.serviceRequests.nodes.map(asOpen311);
}

const windowFilter = { requestedAt: { gte: WINDOW.start, lte: WINDOW.end } };
const windowQuery = `start_date=${WINDOW.start}&end_date=${WINDOW.end}`;

// ---- The tests ----

describe('discovery', () => {
  it('lists the GeoReport v2 endpoint with every field Service Discovery requires, in JSON and XML', async () => {
    const { json } = await both('discovery.{format}', 'discovery', false);
    expect(json.status).toBe(200);
    expect(Object.keys(json.body).sort()).toEqual([...DISCOVERY_FIELDS].sort());
    expect(json.body.contact).toBe('311 Customer Service: Dana Whitfield, opendata-311@riverton.example');
    expect(json.body.endpoints).toHaveLength(1);
    const [endpoint] = json.body.endpoints;
    expect(Object.keys(endpoint).sort()).toEqual([...ENDPOINT_FIELDS].sort());
    expect(endpoint).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${base}/open311/v2`, type: 'production', formats: ['text/xml', 'application/json'] });
    // The endpoint it names answers.
    expect((await fetch(`${endpoint.url}/services.json`)).status).toBe(200);
  });
});

describe('from a page on another site', () => {
  it('may be read anonymously (CORS, as for GraphQL)', async () => {
    const answer = await open311('services.json', { origin: 'https://maps.example.org' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('services', () => {
  it('lists the codes of the requests the public may read, with exactly the fields of a GeoReport v2 service', async () => {
    const { json } = await both('services.{format}', 'services');
    expect(json.status).toBe(200);
    for (const service of json.body) {
      expect(Object.keys(service).sort()).toEqual([...SERVICE_FIELDS].sort());
      expect(service).toMatchObject({ metadata: false, type: 'blackbox', description: null, keywords: null });
    }
    const stats = await graphql('{ serviceRequestStats(groupBy: [SERVICE_CODE, SERVICE_NAME, AGENCY_RESPONSIBLE]) { key { serviceCode serviceName agencyResponsible } } }');
    const expected = stats.serviceRequestStats
      .map(({ key }: any) => ({ service_code: key.serviceCode, service_name: key.serviceName, group: key.agencyResponsible }))
      .sort((a: any, b: any) => (a.service_code < b.service_code ? -1 : 1));
    expect(json.body.map(({ service_code, service_name, group }: any) => ({ service_code, service_name, group }))).toEqual(expected);
    const codes = json.body.map((service: any) => service.service_code);
    expect(codes).toContain('PTHOLE');
    expect(codes).not.toContain('HOMELESS');
    expect(codes).not.toContain('ELDERCHK');
  });

  it('lists the withheld codes to staff, who read their requests', async () => {
    const { json } = await both('services.{format}', 'services', true, bearer(tokens.staff));
    const codes = json.body.map((service: any) => service.service_code);
    expect(codes).toEqual(expect.arrayContaining(['HOMELESS', 'ELDERCHK', 'PTHOLE']));
    expect(json.body.find((service: any) => service.service_code === 'HOMELESS')).toMatchObject({ service_name: 'Person Experiencing Homelessness', group: 'Department of Human Services' });
  });

  it('has no service definitions: services/{code} is a 404 for a known code and an unknown one alike', async () => {
    const known = await both('services/PTHOLE.{format}', 'errors');
    const unknown = await both('services/NOSUCH.{format}', 'errors');
    expect(known.json.status).toBe(404);
    expect(known.json.body).toEqual([{ code: 404, description: expect.stringMatching(/^service_code: no service definition/) }]);
    expect(unknown.json.text).toBe(known.json.text);
  });
});

describe('requests', () => {
  it('answers with GeoReport v2 request fields only, equal to GraphQL public answers field by field', async () => {
    const { json } = await both(`requests.{format}?${windowQuery}&page_size=100`, 'service_requests');
    expect(json.status).toBe(200);
    expect(json.body.length).toBeGreaterThan(20);
    const expected = await graphqlRequests(windowFilter, 100);
    expect(json.body).toEqual(expected);
    for (const request of json.body) {
      for (const field of Object.keys(request)) expect(REQUEST_FIELDS).toContain(field);
      expect(request.requested_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
      expect(new Date(request.requested_datetime).getTime()).toBeGreaterThanOrEqual(Date.parse(WINDOW.start));
      expect(['open', 'closed']).toContain(request.status);
      // The public's transforms, as GraphQL applies them: hundred blocks, rounded positions.
      if (request.address !== null) expect(request.address).toMatch(/^\d*XX /);
      expect(String(request.lat)).toMatch(/^-?\d+(\.\d{1,3})?$/);
      expect(String(request.long)).toMatch(/^-?\d+(\.\d{1,3})?$/);
    }
    // Newest first.
    const times = json.body.map((request: any) => Date.parse(request.requested_datetime));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('adds the bulk proposal fields with extensions=true, and nothing else', async () => {
    const { json } = await both(`requests.{format}?${windowQuery}&page_size=20&extensions=true`, 'service_requests');
    expect(json.body).toEqual(await graphqlRequests(windowFilter, 20, {}, `${PUBLIC_SELECTION} ${BULK_SELECTION}`));
    for (const request of json.body) {
      for (const field of Object.keys(request)) expect([...REQUEST_FIELDS, ...BULK_FIELDS]).toContain(field);
      expect(request).toHaveProperty('closed_date');
      expect(request).toHaveProperty('status_description');
    }
  });

  it('answers one request by id as GraphQL does, in a list of one', async () => {
    const ids = (await graphqlRequests(windowFilter, 3)).map((request) => request.service_request_id as string);
    for (const id of ids) {
      const { json } = await both(`requests/${id}.{format}`, 'service_requests');
      expect(json.status).toBe(200);
      const data = await graphql(`query($id: ID!) { serviceRequest(id: $id) { ${PUBLIC_SELECTION} } }`, { id });
      expect(json.body).toEqual([asOpen311(data.serviceRequest)]);
    }
  });

  it('escapes text for XML, and replaces what XML cannot carry', async () => {
    const json = await open311(`requests/${RECENT.id}.json`);
    expect(json.body[0].description).toBe(RECENT.description);
    const answer = await open311(`requests/${RECENT.id}.xml`);
    expect(answer.text).toContain('Tom &amp; Jerry &lt;b&gt;said&lt;/b&gt;');
    expect(answer.text).not.toContain('\u0001');
    expect(parseXml(answer, 'service_requests')[0].description).toBe(RECENT.description.replace('\u0001', '\uFFFD'));
  });

  it('answers a withheld request exactly as a request that does not exist', async () => {
    for (const format of ['json', 'xml']) {
      const withheld = await open311(`requests/${HOMELESS_ID}.${format}`);
      const missing = await open311(`requests/${MISSING_ID}.${format}`);
      expect(withheld.status).toBe(404);
      expect(withheld.text).toBe(missing.text);
      expect(withheld.headers.get('content-type')).toBe(missing.headers.get('content-type'));
    }
    expect((await open311(`requests/${HOMELESS_ID}.json`)).body).toEqual([{ code: 404, description: 'service_request_id: no service request with this id' }]);
    // Staff read it.
    const staff = await open311(`requests/${HOMELESS_ID}.json`, bearer(tokens.staff));
    expect(staff.status).toBe(200);
    expect(staff.body[0]).toMatchObject({ service_request_id: HOMELESS_ID, service_code: 'HOMELESS' });
  });

  it('leaves withheld requests out of lists, whatever the filter names', async () => {
    const byIds = await open311(`requests.json?service_request_id=${HOMELESS_ID},${MISSING_ID},SR-24-00000218`);
    expect(byIds.body.map((request: any) => request.service_request_id)).toEqual(['SR-24-00000218']);
    expect((await open311(`requests.json?service_code=HOMELESS,ELDERCHK&${windowQuery}`)).body).toEqual([]);
    const staff = await open311(`requests.json?service_code=HOMELESS,ELDERCHK&${windowQuery}`, bearer(tokens.staff));
    expect(staff.body.length).toBeGreaterThan(0);
  });

  it('pages by page and page_size: pages 1 and 2 are GraphQL’s first 2 × page_size rows', async () => {
    const [page1, page2] = await Promise.all([open311(`requests.json?${windowQuery}&page_size=20`), open311(`requests.json?${windowQuery}&page_size=20&page=2`)]);
    const first40 = await graphqlRequests(windowFilter, 40);
    expect(first40).toHaveLength(40);
    expect(page1.body).toHaveLength(20);
    expect([...page1.body, ...page2.body]).toEqual(first40);
    const xmlPage2 = parseXml(await open311(`requests.xml?${windowQuery}&page_size=20&page=2`), 'service_requests');
    expect(xmlPage2).toEqual(asXmlText(page2.body));
    // Beyond the last row: an empty list, in both formats.
    expect((await open311(`requests.json?${windowQuery}&page_size=1000&page=5`)).body).toEqual([]);
    expect(parseXml(await open311(`requests.xml?${windowQuery}&page_size=1000&page=5`), 'service_requests')).toEqual([]);
  });

  it('filters by service_code, status and updated_after/updated_before as GraphQL does', async () => {
    const { json } = await both(`requests.{format}?${windowQuery}&service_code=PTHOLE,STRTLGT&status=closed&page_size=200`, 'service_requests');
    const expected = await graphqlRequests({ ...windowFilter, serviceCode: { in: ['PTHOLE', 'STRTLGT'] }, status: { eq: 'CLOSED' } }, 200);
    expect(expected.length).toBeGreaterThan(0);
    expect(json.body).toEqual(expected);
    // Repeated and comma-separated lists are the same list.
    expect((await open311(`requests.json?${windowQuery}&service_code=PTHOLE&service_code=STRTLGT&status=closed&page_size=200`)).body).toEqual(expected);

    const updated = await open311('requests.json?updated_after=2024-12-01T00:00:00-06:00&updated_before=2024-12-15T00:00:00-06:00&page_size=200');
    const updatedExpected = await graphqlRequests({ updatedAt: { gte: '2024-12-01T06:00:00Z', lte: '2024-12-15T06:00:00Z' } }, 200);
    expect(updatedExpected.length).toBeGreaterThan(0);
    expect(updated.body).toEqual(updatedExpected);
  });

  it('takes service_request_id over every other condition', async () => {
    const [request] = await graphqlRequests({ ...windowFilter, status: { eq: 'CLOSED' } }, 1);
    const id = request!.service_request_id;
    const answer = await open311(`requests.json?service_request_id=${id}&status=open&service_code=NOSUCH&start_date=2019-01-01T00:00:00Z&end_date=2019-01-02T00:00:00Z`);
    expect(answer.body).toEqual([request]);
  });

  it('defaults to the most recent 90 days', async () => {
    const ids = (await open311('requests.json')).body.map((request: any) => request.service_request_id);
    expect(ids).toContain(RECENT.id);
    expect(ids).not.toContain(OLD);
    expect(ids).not.toContain(RECENT_HOMELESS);
    expect(ids.every((id: string) => id.startsWith('SR-26-'))).toBe(true);
    const staffIds = (await open311('requests.json', bearer(tokens.staff))).body.map((request: any) => request.service_request_id);
    expect(staffIds).toEqual([RECENT.id, RECENT_HOMELESS]);
    // start_date alone: the 90 days after it; end_date alone: the 90 days before it.
    const from = new Date(Date.now() - 120 * DAY_MS).toISOString();
    expect((await open311(`requests.json?start_date=${from}`)).body.map((request: any) => request.service_request_id)).toEqual([OLD]);
    const to = new Date(Date.now() - 20 * DAY_MS).toISOString();
    expect((await open311(`requests.json?end_date=${to}`)).body.map((request: any) => request.service_request_id)).toEqual([OLD]);
  });
});

describe('roles', () => {
  it('gives staff exact addresses and positions, as GraphQL gives them', async () => {
    const answer = await open311(`requests.json?${windowQuery}&page_size=50`, bearer(tokens.staff));
    expect(answer.body).toEqual(await graphqlRequests(windowFilter, 50, bearer(tokens.staff)));
    const withAddress = answer.body.filter((request: any) => request.address);
    expect(withAddress.length).toBeGreaterThan(0);
    for (const request of withAddress) expect(request.address).toMatch(/^\d+ /);
    const publicAnswer = await open311(`requests/${withAddress[0].service_request_id}.json`);
    expect(publicAnswer.body[0].address).toMatch(/^\d*XX /);
    expect(publicAnswer.body[0].address).not.toBe(withAddress[0].address);
  });

  it('is audited like GraphQL when a role reads what the public cannot', async () => {
    audit.length = 0;
    await open311(`requests/${HOMELESS_ID}.json`, bearer(tokens.staff));
    const lines = audit.map((line) => JSON.parse(line));
    expect(lines).toContainEqual(expect.objectContaining({ role: 'staff', datasets: [expect.objectContaining({ type: 'ServiceRequest', fields: expect.arrayContaining(['address']) })] }));
  });

  it('never answers submitter data, even to the department that reads it in GraphQL', async () => {
    const headers = bearer(tokens.department);
    const data = await graphql(`query($filter: ServiceRequestFilter) { serviceRequests(filter: $filter, first: 200) { nodes { id callerName callerPhone } } }`, { filter: windowFilter }, headers);
    expect(data.serviceRequests.nodes.some((node: any) => node.callerName || node.callerPhone)).toBe(true);
    const answer = await open311(`requests.json?${windowQuery}&page_size=200&extensions=true`, headers);
    expect(answer.body).toHaveLength(data.serviceRequests.nodes.length);
    for (const request of answer.body) {
      for (const field of Object.keys(request)) expect([...REQUEST_FIELDS, ...BULK_FIELDS]).toContain(field);
      for (const field of SUBMITTER_FIELDS) expect(request).not.toHaveProperty(field);
    }
  });

  it('answers an unknown key or a bad token with 403', async () => {
    for (const [path, headers] of [
      ['services.json', { 'x-app-token': 'not-a-token' }],
      ['services.json?api_key=not-a-token', {}],
      ['requests.json', { authorization: 'Bearer not.a.jwt' }],
    ] as const) {
      const answer = await open311(path, headers);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual([{ code: 403, description: expect.any(String) }]);
    }
    const asXml = await open311('services.xml?api_key=not-a-token');
    expect(asXml.status).toBe(403);
    expect(parseXml(asXml, 'errors')).toEqual([{ code: '403', description: 'unknown app token' }]);
    expect((await open311(`services.json?api_key=${APP_TOKEN}`)).status).toBe(200);
  });
});

describe('bad requests', () => {
  it('refuse an unknown parameter, naming it', async () => {
    expect(await expectBadParameter('requests.{format}?sort=desc', 'sort')).toMatch(/not a parameter of this resource/);
    await expectBadParameter('services.{format}?service_code=PTHOLE', 'service_code');
    await expectBadParameter(`requests/SR-24-00000218.{format}?status=open`, 'status');
    await expectBadParameter('requests.{format}?status[]=open', 'status[]');
  });

  it('refuse bad dates and ranges, naming the parameter', async () => {
    await expectBadParameter('requests.{format}?start_date=yesterday', 'start_date');
    await expectBadParameter('requests.{format}?end_date=2024-03-05', 'end_date');
    expect(await expectBadParameter('requests.{format}?start_date=2024-03-05T00:00:00+05:00', 'start_date')).toMatch(/%2B/);
    await expectBadParameter('requests.{format}?updated_after=2024-02-30T25:00:00Z', 'updated_after');
    expect(await expectBadParameter('requests.{format}?start_date=2024-03-01T00:00:00Z&end_date=2024-02-01T00:00:00Z', 'end_date')).toMatch(/before start_date/);
    expect(await expectBadParameter('requests.{format}?start_date=2024-01-01T00:00:00Z&end_date=2024-04-01T00:00:01Z', 'end_date')).toMatch(/90 days/);
    expect((await open311('requests.json?start_date=2024-01-01T00:00:00Z&end_date=2024-03-31T00:00:00Z')).status).toBe(200);
    await expectBadParameter('requests.{format}?updated_after=2024-03-01T00:00:00Z&updated_before=2024-02-01T00:00:00Z', 'updated_before');
    await expectBadParameter('requests.{format}?start_date=2024-01-01T00:00:00Z&start_date=2024-02-01T00:00:00Z', 'start_date');
  });

  it('refuse bad statuses, pages and flags, naming the parameter', async () => {
    await expectBadParameter('requests.{format}?status=bogus', 'status');
    await expectBadParameter('requests.{format}?status=open,pending', 'status');
    expect(await expectBadParameter('requests.{format}?page_size=1001', 'page_size')).toMatch(/1 to 1000/);
    await expectBadParameter('requests.{format}?page_size=0', 'page_size');
    await expectBadParameter('requests.{format}?page_size=-5', 'page_size');
    await expectBadParameter('requests.{format}?page=0', 'page');
    await expectBadParameter('requests.{format}?page=1.5', 'page');
    await expectBadParameter('requests.{format}?page=99999999999999999999', 'page');
    await expectBadParameter('requests.{format}?extensions=yes', 'extensions');
    await expectBadParameter(`requests.{format}?service_request_id=${Array.from({ length: 1001 }, (_, index) => index).join(',')}`, 'service_request_id');
  });

  it('treat an empty parameter as no parameter, and ignore jurisdiction_id (one jurisdiction is served)', async () => {
    const expected = await graphqlRequests(windowFilter, 5);
    expect((await open311(`requests.json?${windowQuery}&status=&service_code=&page_size=5`)).body).toEqual(expected);
    expect((await open311(`requests.json?${windowQuery}&jurisdiction_id=riverton.example&page_size=5`)).body).toEqual(expected);
  });

  it('answer unknown resources, formats and methods in Open311 errors', async () => {
    const unknown = await open311('tokens/123.json');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual([{ code: 404, description: expect.stringMatching(/^no such resource/) }]);
    const csv = await open311('requests.csv');
    expect(csv.status).toBe(400);
    expect(csv.body[0].description).toMatch(/^format: "csv" is not served/);
    const post = await open311('requests.xml', { 'content-type': 'application/x-www-form-urlencoded' }, base, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(parseXml(post, 'errors')).toEqual([{ code: '405', description: 'this endpoint is read-only: requests cannot be submitted here' }]);
  });
});

describe('limits', () => {
  let limited: string;

  beforeAll(async () => {
    // The public role with a cost limit of 500, and 3 anonymous requests per window.
    const dir = await mkdtemp(join(tmpdir(), 'civicgraph-open311-'));
    await cp(resolve('connectors'), dir, { recursive: true });
    const rolesFile = join(dir, 'roles.yaml');
    const roles = await readFile(rolesFile, 'utf8');
    expect(roles).toContain('cost: 25000 ');
    await writeFile(rolesFile, roles.replace('cost: 25000 ', 'cost: 500 '));
    limited = await start({ CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '3' }, dir);
  }, 60_000);

  it('refuse a page over the role’s cost limit, naming page_size and keeping the explanation', async () => {
    const key = { 'x-app-token': APP_TOKEN };
    const refused = await open311(`requests.json?${windowQuery}&page_size=1000`, key, limited);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([{ code: 400, description: "page_size: this request's estimated cost is 1000, over the limit of 500 for role public: ask for fewer rows (first), fewer joined levels or fewer counts" }]);
    const asXml = await open311(`requests.xml?${windowQuery}&page_size=1000&api_key=${APP_TOKEN}`, {}, limited);
    expect(parseXml(asXml, 'errors')).toEqual(asXmlText(refused.body));
    expect((await open311(`requests.json?${windowQuery}&page_size=500`, key, limited)).status).toBe(200);
  });

  it('answer a spent rate limit with 429 in Open311’s format, with Retry-After', async () => {
    const answers = [];
    for (let index = 0; index < 4; index++) answers.push(await open311(index === 3 ? 'services.xml' : 'services.json', {}, limited));
    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([200, 200, 200]);
    const refused = answers[3]!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(parseXml(refused, 'errors')).toEqual([{ code: '429', description: expect.stringMatching(/^rate limit exceeded: 3 requests per window/) }]);
  });
});
