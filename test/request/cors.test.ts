/**
 * The public API called from a page on another site, as a civic technologist's web map calls it:
 * pages served by two other local HTTP servers (one origin the city lists in
 * CIVICGRAPH_CORS_ORIGINS, one it does not) run `fetch` in headless Chromium against a running
 * gateway over the demo (PGlite). Then the same rules over plain HTTP, header by header, where
 * a browser would hide what the gateway answered.
 */
import { SignJWT } from 'jose';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { corsOrigins } from '../../src/request/cors.js';
import { demoEnvironment } from '../support/demo.js';

const JWT_SECRET = 'cors-test-jwt-secret-0123456789-abcdef';
const APP_TOKEN = 'cors-test-app-token-0123456789';
const SCREENSHOTS = resolve('test-output/cors');

let env: Record<string, string>;
let gateway: RunningGateway;
let api: string;
let staffToken: string;
/** The case the page reads, whose address is cut to the hundred block for the public and exact for staff. */
let caseId: string;
let publicAddress: string;
let staffAddress: string;
const audited: string[] = [];
const pageServers: Server[] = [];
let listedOrigin: string;
let unlistedOrigin: string;

/** A server of its own origin that serves the page, as a city's or a stranger's site would. */
async function startPageServer(): Promise<string> {
  const html = await readFile(new URL('./cors-page.html', import.meta.url), 'utf8');
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  pageServers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  [listedOrigin, unlistedOrigin] = [await startPageServer(), await startPageServer()];
  env = {
    ...(await demoEnvironment('pglite', 'cors')),
    CIVICGRAPH_JWT_SECRET: JWT_SECRET,
    CIVICGRAPH_APP_TOKENS: APP_TOKEN,
    CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000',
    // A trailing slash and a second origin, as an operator might write them.
    CIVICGRAPH_CORS_ORIGINS: ` ${listedOrigin}/ , https://maps.city.example`,
  };
  gateway = await serve({
    connectorsDir: resolve('connectors'),
    schemasDir: resolve('schemas'),
    port: 0,
    host: '127.0.0.1',
    watch: false,
    env,
    audit: (line) => audited.push(line),
    log: () => undefined,
  });
  api = gateway.url;
  staffToken = await new SignJWT({ role: 'staff' }).setProtectedHeader({ alg: 'HS256' }).setSubject('cors-test').setAudience('civicgraph').setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));
  const read = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    const body: any = await response.json();
    return body.data;
  };
  const staff = await read('{ serviceRequests(first: 1, orderBy: [ID_ASC], filter: { address: { startsWith: "1" } }) { nodes { id address } } }', { authorization: `Bearer ${staffToken}` });
  ({ id: caseId, address: staffAddress } = staff.serviceRequests.nodes[0]);
  publicAddress = (await read(`{ serviceRequest(id: "${caseId}") { address } }`)).serviceRequest.address;
  expect(publicAddress).toMatch(/^\d*XX /);
  expect(staffAddress).toMatch(/^\d+ /);
  audited.length = 0;
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(pageServers.map((server) => new Promise((closed) => server.close(closed))));
});

interface PageResult {
  name: string;
  status?: number;
  address?: string | null;
  remaining?: string | null;
  errors?: string[];
  error?: string;
}

describe('a page on another site, in Chromium', () => {
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'civicgraph-cors-chromium-'));
    // Fails, not skips, where Chromium is missing: .ci/run installs it.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await rm(profile, { recursive: true, force: true });
  });

  /** Opens the page on `origin`, waits for its calls, screenshots it; returns its results and what the console said. */
  async function visit(origin: string, screenshot: string): Promise<{ results: Map<string, PageResult>; console: string[] }> {
    const page = await browser.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(message.text()));
    try {
      await page.goto(`${origin}/?${new URLSearchParams({ api, id: caseId, token: staffToken, appToken: APP_TOKEN })}`);
      const results = await page.evaluate(() => (globalThis as unknown as { results: Promise<PageResult[]> }).results);
      await page.screenshot({ path: join(SCREENSHOTS, screenshot), fullPage: true });
      return { results: new Map(results.map((result) => [result.name, result])), console };
    } finally {
      await page.close();
    }
  }

  it('an unlisted origin reads public data anonymously (POST, and GET with no preflight) and with an app token, and can send no staff token', async () => {
    const auditedBefore = audited.length;
    const { results, console } = await visit(unlistedOrigin, 'unlisted-origin.png');
    for (const name of ['anonymous POST', 'anonymous GET', 'app token POST']) {
      expect(results.get(name), name).toMatchObject({ status: 200, address: publicAddress, errors: [] });
      // Exposed, so a web map can slow down before it is refused.
      expect(Number(results.get(name)?.remaining), name).toBeGreaterThan(0);
    }
    expect(results.get('staff token POST')).toEqual({ name: 'staff token POST', error: 'TypeError: Failed to fetch' });
    expect(console.join('\n')).toMatch(new RegExp(`from origin '${unlistedOrigin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header`));
    // The preflight was refused, so the request itself was never sent: nothing ran as staff.
    expect(audited.slice(auditedBefore)).toEqual([]);
  });

  it('a listed origin reads as staff with its token', async () => {
    const auditedBefore = audited.length;
    const { results, console } = await visit(listedOrigin, 'listed-origin.png');
    expect(results.get('staff token POST')).toMatchObject({ status: 200, address: staffAddress, errors: [] });
    expect(results.get('anonymous POST')).toMatchObject({ status: 200, address: publicAddress });
    expect(results.get('anonymous GET')).toMatchObject({ status: 200, address: publicAddress });
    expect(console.join('\n')).not.toMatch(/CORS/);
    expect(audited.slice(auditedBefore).map((line) => JSON.parse(line).role)).toEqual(['staff']);
  });
});

describe('the CORS answers, header by header', () => {
  const caseQuery = () => JSON.stringify({ query: `{ serviceRequest(id: "${caseId}") { address } }` });
  const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
  const preflight = (origin: string, requestHeaders: string) =>
    fetch(api, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders } });
  const postFrom = (origin: string | undefined, headers: Record<string, string> = {}) =>
    fetch(api, { method: 'POST', headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}), ...headers }, body: caseQuery() });

  it('answers any origin’s preflight for credential-less requests with *, the methods, its headers and a cache time', async () => {
    const response = await preflight('https://stranger.example', 'content-type, x-app-token, apollo-require-preflight');
    expect(response.status).toBe(204);
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'content-type, x-app-token, apollo-require-preflight',
      'access-control-max-age': '7200',
      'access-control-expose-headers': 'RateLimit-Limit,RateLimit-Remaining,RateLimit-Reset,RateLimit-Policy,Retry-After,X-Request-Id',
    });
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('refuses the preflight of an Authorization header from an unlisted origin with 403 and no CORS header', async () => {
    for (const requestHeaders of ['authorization', 'content-type,Authorization', 'x-app-token, authorization']) {
      const response = await preflight('https://stranger.example', requestHeaders);
      expect(response.status, requestHeaders).toBe(403);
      expect(corsHeaders(response), requestHeaders).toEqual([]);
      const body: any = await response.json();
      expect(body.errors[0]).toEqual({
        message: 'origin https://stranger.example may not send credentials (an Authorization header or cookies): only the origins CIVICGRAPH_CORS_ORIGINS lists may; any origin may query the public API without them',
        extensions: { code: 'FORBIDDEN_ORIGIN' },
      });
    }
  });

  it('answers a listed origin’s preflight with the origin itself and credentials allowed', async () => {
    for (const origin of [listedOrigin, 'https://maps.city.example']) {
      const response = await preflight(origin, 'content-type, authorization');
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
      expect(response.headers.get('access-control-max-age')).toBe('7200');
    }
    // An origin is scheme, host and port: a look-alike is not listed.
    for (const origin of ['http://maps.city.example', 'https://maps.city.example:8443', 'https://maps.city.example.evil.example', 'null']) {
      expect((await preflight(origin, 'authorization')).status, origin).toBe(403);
    }
  });

  it('runs nothing for a request with a token or cookies from an unlisted origin: 403, no CORS header, no data', async () => {
    const auditedBefore = audited.length;
    const credentials: Array<Record<string, string>> = [{ authorization: `Bearer ${staffToken}` }, { cookie: 'session=1' }];
    for (const credential of credentials) {
      const response = await postFrom('https://stranger.example', credential);
      expect(response.status).toBe(403);
      expect(corsHeaders(response)).toEqual([]);
      const body: any = await response.json();
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions.code).toBe('FORBIDDEN_ORIGIN');
    }
    expect(audited.slice(auditedBefore)).toEqual([]);
  });

  it('serves a token from a listed origin, from the gateway’s own origin (its landing page), and from a client that sends no Origin', async () => {
    for (const origin of [listedOrigin, new URL(api).origin, undefined]) {
      const response = await postFrom(origin, { authorization: `Bearer ${staffToken}` });
      expect(response.status, origin).toBe(200);
      const body: any = await response.json();
      expect(body.data.serviceRequest.address, origin).toBe(staffAddress);
    }
    const listed = await postFrom(listedOrigin, { authorization: `Bearer ${staffToken}` });
    expect(listed.headers.get('access-control-allow-origin')).toBe(listedOrigin);
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listed.headers.get('access-control-expose-headers')).toContain('RateLimit-Remaining');
  });

  it('serves any origin without credentials, with * and the RateLimit headers exposed, refusals included', async () => {
    const served = await postFrom('https://stranger.example', { 'x-app-token': APP_TOKEN });
    expect(served.status).toBe(200);
    expect(served.headers.get('access-control-allow-origin')).toBe('*');
    expect(served.headers.get('access-control-allow-credentials')).toBeNull();
    const body: any = await served.json();
    expect(body.data.serviceRequest.address).toBe(publicAddress);
    // A refusal before GraphQL runs is readable too, so a page can show why.
    const tooLong = await fetch(`${api}?query=${'x'.repeat(9000)}`, { headers: { origin: 'https://stranger.example' } });
    expect(tooLong.status).toBe(414);
    expect(tooLong.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('runs no query a page can send without a preflight but GET: text/plain, form and multipart bodies are refused, nothing read', async () => {
    const bodies: Array<[string, RequestInit['body'], Record<string, string>]> = [
      ['text/plain', caseQuery(), { 'content-type': 'text/plain' }],
      ['form', new URLSearchParams({ query: '{ serviceRequests { totalCount } }' }), {}],
      ['multipart', (() => { const form = new FormData(); form.set('query', '{ serviceRequests { totalCount } }'); return form; })(), {}],
    ];
    for (const [what, body, headers] of bodies) {
      const response = await fetch(api, { method: 'POST', headers: { origin: 'https://stranger.example', ...headers }, body });
      expect(response.status, what).toBe(400);
      const answer: any = await response.json();
      expect(answer.data, what).toBeUndefined();
      expect(answer.errors[0].extensions.code, what).toBe('BAD_REQUEST');
    }
  });
});

describe('CIVICGRAPH_CORS_ORIGINS', () => {
  it('is a comma-separated list of origins, written as browsers send them', () => {
    expect(corsOrigins(undefined)).toEqual([]);
    expect(corsOrigins(' ')).toEqual([]);
    expect(corsOrigins('https://Maps.City.example:443/, http://localhost:3000')).toEqual(['https://maps.city.example', 'http://localhost:3000']);
  });

  it('refuses what is not an origin, naming the variable and the entry', () => {
    expect(() => corsOrigins('*')).toThrow('CIVICGRAPH_CORS_ORIGINS: "*" would let any page send credentials: list each origin that may, e.g. https://maps.city.gov');
    expect(() => corsOrigins('https://ok.example, null')).toThrow(/^CIVICGRAPH_CORS_ORIGINS: "null" would let any page/);
    expect(() => corsOrigins('maps.city.gov')).toThrow('CIVICGRAPH_CORS_ORIGINS: "maps.city.gov" is not an origin such as https://maps.city.gov');
    expect(() => corsOrigins('https://maps.city.gov/app')).toThrow('CIVICGRAPH_CORS_ORIGINS: "https://maps.city.gov/app" is not an origin: write https://maps.city.gov, with no path, query or user');
    expect(() => corsOrigins('https://user@maps.city.gov')).toThrow(/is not an origin: write https:\/\/maps.city.gov/);
    expect(() => corsOrigins('ftp://maps.city.gov')).toThrow('CIVICGRAPH_CORS_ORIGINS: "ftp://maps.city.gov" is not an http or https origin');
  });

  it('stops the gateway at startup when bad', async () => {
    await expect(serve({ connectorsDir: resolve('connectors'), schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env: { ...env, CIVICGRAPH_CORS_ORIGINS: 'maps.city.gov' }, audit: () => undefined, log: () => undefined })).rejects.toThrow(
      /^CIVICGRAPH_CORS_ORIGINS: "maps.city.gov"/,
    );
  });
});
