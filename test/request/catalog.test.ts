/**
 * `/data.json` over HTTP against the demo on PostgreSQL, checked field by field against the
 * Project Open Data Metadata Schema v1.1 as its specification states it (project-open-data.cio.gov
 * /v1.1/schema: the "Required", "Required if applicable" and "Accepted values" of each field), and
 * against what the caller's role may read: only its datasets, and extents (temporal, modified,
 * spatial) that agree with the statistics GraphQL gives that role.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';

const JWT_SECRET = 'catalog-test-jwt-secret-0123456789-abcdef';
const running: RunningGateway[] = [];
let env: Record<string, string>;
let base: string;
let tokens: { staff: string; permits: string };

async function sign(claims: Record<string, string>): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('catalog-test').setAudience('civicgraph').setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));
}

async function start(connectorsDir: string): Promise<string> {
  const gateway = await serve({ connectorsDir, schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env, audit: () => undefined, log: () => undefined });
  running.push(gateway);
  return gateway.url.replace(/\/graphql$/, '');
}

beforeAll(async () => {
  env = { ...(await demoEnvironment('postgres', 'catalog')), CIVICGRAPH_JWT_SECRET: JWT_SECRET, CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000' };
  base = await start(resolve('connectors'));
  tokens = { staff: await sign({ role: 'staff' }), permits: await sign({ role: 'department', department: 'Building and Inspections' }) };
});

afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.stop()));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function dataJson(at: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${at}/data.json`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

async function graphql(at: string, query: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${at}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data: any; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

// ---------------------------------------------------------------------------------------------
// The specification's rules, written from its text.

/** "String (URL)": an absolute http(s) URL. */
function expectUrl(value: unknown, field: string): void {
  expect(typeof value, field).toBe('string');
  expect(() => new URL(value as string), `${field}: ${String(value)}`).not.toThrow();
  expect(new URL(value as string).protocol, field).toMatch(/^https?:$/);
}

/** A non-empty string: POD says an unpopulated optional field is null or absent, "not … an empty string". */
function expectText(value: unknown, field: string): void {
  expect(typeof value, field).toBe('string');
  expect((value as string).trim().length, field).toBeGreaterThan(0);
}

/** "IANA Media Type": type/subtype, no parameters. */
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/;
/** ISO 8601 date, or date and time with seconds and an offset (the resolutions the gateway writes). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** "ISO 8601 Repeating Duration (or irregular)": R/P1D, R/PT1H, R/P1Y… */
const REPEATING_DURATION = /^R\/P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

const isIsoDate = (value: string) => (ISO_DATE.test(value) || ISO_DATE_TIME.test(value)) && !Number.isNaN(Date.parse(value));

/** Every field of one dataset, by the specification's table of Dataset Fields and its guidance per field. */
function expectPodDataset(dataset: any): void {
  const at = (field: string) => `${dataset.identifier}.${field}`;
  // Required, always.
  expectText(dataset.title, at('title'));
  expectText(dataset.description, at('description'));
  expect(Array.isArray(dataset.keyword) && dataset.keyword.length > 0, at('keyword')).toBe(true);
  for (const keyword of dataset.keyword) expectText(keyword, at('keyword[]'));
  expect(new Set(dataset.keyword).size, `${at('keyword')}: avoid duplicate keywords`).toBe(dataset.keyword.length);
  expect(typeof dataset.modified, at('modified')).toBe('string');
  expect(isIsoDate(dataset.modified) || REPEATING_DURATION.test(dataset.modified), `${at('modified')}: ${dataset.modified}`).toBe(true);
  expectText(dataset.publisher?.name, at('publisher.name'));
  expectText(dataset.contactPoint?.fn, at('contactPoint.fn'));
  expect(dataset.contactPoint?.hasEmail, at('contactPoint.hasEmail')).toMatch(/^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/);
  expectText(dataset.identifier, 'identifier');
  expect(['public', 'restricted public', 'non-public'], at('accessLevel')).toContain(dataset.accessLevel);
  // The JSON-LD types the guidance names, where given.
  expect(dataset['@type']).toBe('dcat:Dataset');
  expect(dataset.publisher['@type']).toBe('org:Organization');
  expect(dataset.contactPoint['@type']).toBe('vcard:Contact');

  // Required if applicable.
  if (dataset.accessLevel !== 'public') {
    // "Yes, if accessLevel is "restricted public" or "non-public"": text, 255 characters.
    expectText(dataset.rights, at('rights'));
    expect(dataset.rights.length, at('rights')).toBeLessThanOrEqual(255);
  }
  if (dataset.license !== undefined) expectUrl(dataset.license, at('license'));
  if (dataset.spatial !== undefined) {
    expectText(dataset.spatial, at('spatial'));
    // A bounding box is "minimum longitude, minimum latitude, maximum longitude, maximum latitude".
    if (/^[-\d.,]+$/.test(dataset.spatial)) {
      const [minLon, minLat, maxLon, maxLat] = dataset.spatial.split(',').map(Number);
      expect(dataset.spatial.split(','), at('spatial')).toHaveLength(4);
      expect(minLon! <= maxLon! && minLat! <= maxLat!, at('spatial')).toBe(true);
      expect(Math.abs(minLat!) <= 90 && Math.abs(maxLat!) <= 90 && Math.abs(minLon!) <= 180 && Math.abs(maxLon!) <= 180, at('spatial')).toBe(true);
    }
  }
  if (dataset.temporal !== undefined) {
    // "pairs of {start datetime/end datetime}", separated by a solidus.
    const parts = String(dataset.temporal).split('/');
    expect(parts, at('temporal')).toHaveLength(2);
    for (const part of parts) expect(isIsoDate(part), `${at('temporal')}: ${part}`).toBe(true);
    expect(Date.parse(parts[0]!) <= Date.parse(parts[1]!), at('temporal')).toBe(true);
  }
  // "Yes, if the dataset has an accessURL or downloadURL": every URL sits in a distribution.
  for (const field of ['accessURL', 'downloadURL', 'mediaType']) expect(dataset, at(field)).not.toHaveProperty(field);
  expect(Array.isArray(dataset.distribution) && dataset.distribution.length > 0, at('distribution')).toBe(true);
  for (const distribution of dataset.distribution) expectPodDistribution(distribution, at('distribution[]'));

  // Expanded fields, where given.
  if (dataset.accrualPeriodicity !== undefined) expect(REPEATING_DURATION.test(dataset.accrualPeriodicity) || dataset.accrualPeriodicity === 'irregular', at('accrualPeriodicity')).toBe(true);
  if (dataset.landingPage !== undefined) expectUrl(dataset.landingPage, at('landingPage'));
  // Never an empty string for a field left unpopulated.
  for (const [field, value] of Object.entries(dataset)) expect(value, at(field)).not.toBe('');
}

function expectPodDistribution(distribution: any, at: string): void {
  expect(distribution['@type'], at).toBe('dcat:Distribution');
  // "Each distribution should contain one accessURL or downloadURL."
  expect(('accessURL' in distribution) !== ('downloadURL' in distribution), `${at}: one of accessURL, downloadURL`).toBe(true);
  if ('downloadURL' in distribution) {
    expectUrl(distribution.downloadURL, `${at}.downloadURL`);
    // "A downloadURL should always be accompanied by mediaType."
    expect(distribution.mediaType, `${at}.mediaType`).toMatch(MEDIA_TYPE);
  } else {
    expectUrl(distribution.accessURL, `${at}.accessURL`);
    // APIs: "the format specified as API", no downloadURL or mediaType.
    expect(distribution.format, `${at}.format`).toBe('API');
    expect(distribution, at).not.toHaveProperty('mediaType');
  }
  if (distribution.conformsTo !== undefined) expectUrl(distribution.conformsTo, `${at}.conformsTo`);
  if (distribution.describedBy !== undefined) expectUrl(distribution.describedBy, `${at}.describedBy`);
  if (distribution.describedByType !== undefined) expect(distribution.describedByType, `${at}.describedByType`).toMatch(MEDIA_TYPE);
  for (const field of ['title', 'description', 'format']) if (distribution[field] !== undefined) expectText(distribution[field], `${at}.${field}`);
}

function expectPodCatalog(catalog: any, at: string): void {
  // Catalog fields: conformsTo and dataset always; @context, @id, @type and describedBy as the guidance gives them.
  expect(catalog.conformsTo).toBe('https://project-open-data.cio.gov/v1.1/schema');
  expect(catalog['@context']).toBe('https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld');
  expect(catalog['@type']).toBe('dcat:Catalog');
  expect(catalog.describedBy).toBe('https://project-open-data.cio.gov/v1.1/schema/catalog.json');
  expect(catalog['@id']).toBe(`${at}/data.json`);
  expect(Array.isArray(catalog.dataset)).toBe(true);
  const identifiers = catalog.dataset.map((dataset: any) => dataset.identifier);
  // "Each identifier must be unique across the agency's catalog."
  expect(new Set(identifiers).size).toBe(identifiers.length);
  for (const dataset of catalog.dataset) expectPodDataset(dataset);
}

const byIdentifier = (catalog: any) => new Map<string, any>(catalog.dataset.map((dataset: any) => [dataset.identifier, dataset]));

// ---------------------------------------------------------------------------------------------

describe('/data.json', () => {
  it('is a Project Open Data v1.1 catalog, field by field, for the public and for staff', async () => {
    const anonymous = await dataJson(base);
    expectPodCatalog(anonymous, base);
    expect([...byIdentifier(anonymous).keys()].sort()).toEqual(['Permit', 'ServiceRequest', 'WorkOrder']);
    const staff = await dataJson(base, bearer(tokens.staff));
    expectPodCatalog(staff, base);
  });

  it('carries the liaisons’ metadata as the GraphQL catalog gives it', async () => {
    const { catalog } = await graphql(base, '{ catalog { dataset { identifier title description keyword publisher { name } contactPoint { fn hasEmail } accessLevel license accrualPeriodicity spatial usageNotes } } }');
    const served = byIdentifier(await dataJson(base));
    for (const entry of catalog.dataset) {
      const dataset = served.get(entry.identifier);
      expect(dataset).toMatchObject({
        title: entry.title,
        description: entry.description,
        keyword: entry.keyword,
        publisher: { name: entry.publisher.name },
        contactPoint: entry.contactPoint,
        accessLevel: entry.accessLevel,
        license: entry.license,
        accrualPeriodicity: entry.accrualPeriodicity,
        usageNotes: entry.usageNotes,
      });
    }
    // Each demo department says what its data is good for and what to mind, in its own words.
    expect(catalog.dataset.map((entry: any) => entry.usageNotes.length > 100)).toEqual([true, true, true]);
    expect(served.get('ServiceRequest').usageNotes).toMatch(/^Good for where and when residents report problems.*Duplicate/);
    expect(served.get('ServiceRequest').contactPoint).toEqual({ '@type': 'vcard:Contact', fn: 'Dana Whitfield', hasEmail: 'mailto:opendata-311@riverton.example' });
  });

  it('temporal, modified and spatial from the data as the role reads it: its statistics, never coordinates it reads rounded', async () => {
    const stats = await graphql(
      base,
      `{ serviceRequestStats { min { requestedAt } max { requestedAt updatedAt } }
         workOrderStats { min { createdAt } max { createdAt } }
         permitStats { min { appliedDate latitude longitude } max { appliedDate latitude longitude } } }`,
    );
    const served = byIdentifier(await dataJson(base));
    const [sr] = stats.serviceRequestStats;
    expect(served.get('ServiceRequest').temporal).toBe(`${sr.min.requestedAt}/${sr.max.requestedAt}`);
    expect(served.get('ServiceRequest').modified).toBe(sr.max.updatedAt);
    const [wo] = stats.workOrderStats;
    expect(served.get('WorkOrder').temporal).toBe(`${wo.min.createdAt}/${wo.max.createdAt}`);
    expect(served.get('WorkOrder').modified).toBe(wo.max.createdAt);
    const [permits] = stats.permitStats;
    expect(served.get('Permit').temporal).toBe(`${permits.min.appliedDate}/${permits.max.appliedDate}`);
    // The public reads permits' coordinates as they are: the bounding box of the data.
    expect(served.get('Permit').spatial).toBe([permits.min.longitude, permits.min.latitude, permits.max.longitude, permits.max.latitude].join(','));
    // It reads requests' and work orders' locations rounded, and statistics never offer a rounded field: the place the liaison named.
    expect(served.get('ServiceRequest').spatial).toBe('Riverton');
    expect(served.get('WorkOrder').spatial).toBe('Riverton');
  });

  it('the public’s temporal span leaves out the rows withheld from it; staff’s takes them in', async () => {
    const publicSpan = (await graphql(base, '{ serviceRequestStats { min { requestedAt } max { requestedAt } } }')).serviceRequestStats[0];
    const staffSpan = (await graphql(base, '{ serviceRequestStats { min { requestedAt } max { requestedAt } } }', bearer(tokens.staff))).serviceRequestStats[0];
    expect(byIdentifier(await dataJson(base)).get('ServiceRequest').temporal).toBe(`${publicSpan.min.requestedAt}/${publicSpan.max.requestedAt}`);
    expect(byIdentifier(await dataJson(base, bearer(tokens.staff))).get('ServiceRequest').temporal).toBe(`${staffSpan.min.requestedAt}/${staffSpan.max.requestedAt}`);
  });

  it('distributions: the GraphQL endpoint, Open311 for service requests, and downloads that answer with the media type they claim', async () => {
    const served = byIdentifier(await dataJson(base));
    for (const [identifier, dataset] of served) {
      const apis = dataset.distribution.filter((distribution: any) => distribution.format === 'API');
      expect(apis.map((api: any) => api.accessURL)).toEqual(identifier === 'ServiceRequest' ? [`${base}/graphql`, `${base}/open311/v2/requests.json`] : [`${base}/graphql`]);
      expect(apis[0].conformsTo).toBe('https://spec.graphql.org/October2021/');
      if (identifier === 'ServiceRequest') expect(apis[1].conformsTo).toBe('http://wiki.open311.org/GeoReport_v2/');
      const files = dataset.distribution.filter((distribution: any) => distribution.downloadURL);
      expect(files.map((file: any) => file.mediaType).sort()).toEqual(['application/geo+json', 'application/json', 'text/csv']);
      for (const file of files) {
        const response = await fetch(file.downloadURL, { method: 'HEAD' });
        expect(response.status, file.downloadURL).toBe(200);
        expect(response.headers.get('content-type')!.split(';')[0]).toBe(file.mediaType);
        expect(file.downloadURL.endsWith(`.${file.format === 'GeoJSON' ? 'geojson' : file.format.toLowerCase()}`)).toBe(true);
      }
    }
    // The GraphQL distribution answers GraphQL.
    expect((await graphql(base, '{ serviceRequests(first: 1) { totalCount } }')).serviceRequests.totalCount).toBeGreaterThan(0);
  });

  it('the URLs follow the address the caller used (a proxy’s Host)', async () => {
    // fetch keeps the Host header to itself; node:http sends the one a proxy would.
    const text = await new Promise<string>((done, failed) => {
      get(`${base}/data.json`, { headers: { host: 'data.riverton.example' } }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => done(body));
      }).on('error', failed);
    });
    const catalog: any = JSON.parse(text);
    expect(catalog['@id']).toBe('http://data.riverton.example/data.json');
    expect(catalog.dataset[0].distribution[0].accessURL).toBe('http://data.riverton.example/graphql');
  });
});

describe('/data.json per role', () => {
  let restricted: string;
  let copy: string;

  beforeAll(async () => {
    // Public Works internal (city staff), permits a non-public draft (their department only).
    copy = await mkdtemp(join(tmpdir(), 'civicgraph-catalog-'));
    await cp(resolve('connectors'), copy, { recursive: true });
    const change = async (file: string, edits: Array<[RegExp, string]>) => {
      let text = await readFile(join(copy, file), 'utf8');
      for (const [pattern, replacement] of edits) {
        const next = text.replace(pattern, replacement);
        expect(next, `${file}: ${pattern}`).not.toBe(text);
        text = next;
      }
      await writeFile(join(copy, file), text);
    };
    await change('public-works.yaml', [
      [/^(\s+)publication: public$/m, '$1publication: internal'],
      // A dataset's own contact, instead of the file's liaison.
      [/^(\s+)(usageNotes:)/m, '$1contact: { name: Work order data team, email: works-data@riverton.example }\n$1$2'],
    ]);
    await change('permits.yaml', [
      [/^\s+usageNotes: >-\n(\s{6}.*\n)+/m, ''],
      [/^(\s+)publication: public$/m, '$1publication: draft'],
      [/^(\s+)accessLevel: public$/m, '$1accessLevel: non-public'],
    ]);
    restricted = await start(copy);
  });

  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it('names the dataset’s own contact where its mapping gives one, else the liaison, and leaves out usage notes none were written for', async () => {
    const staff = byIdentifier(await dataJson(restricted, bearer(tokens.staff)));
    expect(staff.get('WorkOrder').contactPoint).toEqual({ '@type': 'vcard:Contact', fn: 'Work order data team', hasEmail: 'mailto:works-data@riverton.example' });
    expect(staff.get('ServiceRequest').contactPoint).toEqual({ '@type': 'vcard:Contact', fn: 'Dana Whitfield', hasEmail: 'mailto:opendata-311@riverton.example' });
    const permits = byIdentifier(await dataJson(restricted, bearer(tokens.permits))).get('Permit');
    expect(permits).not.toHaveProperty('usageNotes');
    const { catalog } = await graphql(restricted, '{ catalog { dataset { identifier usageNotes contactPoint { fn } } } }', bearer(tokens.permits));
    expect(catalog.dataset.find((entry: any) => entry.identifier === 'Permit')).toEqual({ identifier: 'Permit', usageNotes: null, contactPoint: { fn: expect.any(String) } });
  });

  it('lists only the datasets the caller’s role may see: an internal one for staff, a draft for its own department', async () => {
    const anonymous = await dataJson(restricted);
    expectPodCatalog(anonymous, restricted);
    expect([...byIdentifier(anonymous).keys()]).toEqual(['ServiceRequest']);
    expect(JSON.stringify(anonymous)).not.toMatch(/work-orders|permits|Public Works|Building and Inspections/);

    const staff = await dataJson(restricted, bearer(tokens.staff));
    expectPodCatalog(staff, restricted);
    expect([...byIdentifier(staff).keys()].sort()).toEqual(['ServiceRequest', 'WorkOrder']);

    const department = await dataJson(restricted, bearer(tokens.permits));
    expectPodCatalog(department, restricted);
    const draft = byIdentifier(department).get('Permit');
    expect(draft.accessLevel).toBe('non-public');
    // Required when not public, and no liaison wrote one: the publication says why.
    expect(draft.rights).toBe('A draft under review by its department; served to that department only.');
  });

  it('and so do the downloads it points at: a dataset the role may not see is not found, as one that does not exist', async () => {
    const hidden = await fetch(`${restricted}/datasets/work-orders.csv`);
    const missing = await fetch(`${restricted}/datasets/no-such-things.csv`);
    expect(hidden.status).toBe(404);
    const message = (answer: any, name: string) => answer.errors[0].message.replace(name, '<NAME>');
    expect(message(await hidden.json(), 'work-orders')).toBe(message(await missing.json(), 'no-such-things'));
    expect((await fetch(`${restricted}/datasets/work-orders.csv`, { method: 'HEAD', headers: bearer(tokens.staff) })).status).toBe(200);
  });
});
