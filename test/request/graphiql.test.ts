/**
 * The query page at `/` as a civic technologist meets it: GraphiQL in real headless Chromium
 * against a gateway over the full demo, with every request to another host refused. It loads,
 * introspects the caller's role, runs the first example tab, and shows the staff schema once a
 * staff token is pasted into the Headers pane; its files are served with a tight policy and
 * long-lived caching, and nothing else is served under their path.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { exampleTabs } from '../../src/request/graphiql/example-tabs.js';
import { demoEnvironment } from '../support/demo.js';

const CHROMIUM = process.env.CIVICGRAPH_TEST_CHROMIUM ?? '/usr/bin/chromium';
const JWT_SECRET = 'graphiql-test-jwt-secret-0123456789-abcdef';
const SCREENSHOT = resolve('docs/graphiql.png');

let gateway: RunningGateway;
let origin: string;
let profile: string;
let browser: BrowserContext;
/** Every URL the browser asked for, and those refused for not being the gateway's. */
const requested: string[] = [];
const refused: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CIVICGRAPH_TEST_CHROMIUM`);
  // The full demo, as `npm start` serves it: README's case SR-24-00000563 exists at this scale only.
  const env = await demoEnvironment('pglite', 'graphiql', 1);
  gateway = await serve({
    connectorsDir: resolve('connectors'),
    schemasDir: resolve('schemas'),
    port: 0,
    host: '127.0.0.1',
    watch: false,
    env: { ...env, CIVICGRAPH_JWT_SECRET: JWT_SECRET },
    audit: () => undefined,
    log: () => undefined,
  });
  origin = new URL(gateway.url).origin;
  profile = await mkdtemp(join(tmpdir(), 'civicgraph-graphiql-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1440, height: 900 },
  });
  browser.setDefaultTimeout(20_000);
  browser.on('request', (request) => requested.push(request.url()));
  await browser.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    refused.push(url);
    return route.abort('blockedbyclient');
  });
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function staffToken(): Promise<string> {
  return new SignJWT({ role: 'staff' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('graphiql-test')
    .setAudience('civicgraph')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

async function post(query: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

/** A page on `/` with what went wrong in it collected: console errors (CSP violations among them) and uncaught exceptions. */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  await page.goto(`${origin}/`);
  await page.locator('.graphiql-container').waitFor();
  return { page, problems };
}

/** Opens the Docs pane unless GraphiQL remembered it open. */
async function openDocs(page: Page): Promise<void> {
  const show = page.getByRole('button', { name: 'Show Documentation Explorer' });
  if ((await show.count()) > 0) await show.click();
  await page.locator('.graphiql-doc-explorer').waitFor();
}

/** Searches the Docs for `text` and waits for a result that reads `expected`; then all the results. */
async function searchDocs(page: Page, text: string, expected: string): Promise<string> {
  const input = page.locator('[data-cy="doc-explorer-input"]');
  await input.fill(text);
  const list = page.locator('[data-cy="doc-explorer-list"]');
  await list.locator(':scope > *', { hasText: expected }).first().waitFor();
  const results = await list.innerText();
  await page.keyboard.press('Escape');
  return results;
}

async function runActiveTab(page: Page): Promise<string> {
  const answered = page.waitForResponse((response) => response.url() === `${origin}/graphql` && !response.request().postData()?.includes('IntrospectionQuery'));
  await page.locator('.graphiql-execute-button').click();
  await answered;
  const result = page.locator('.result-window');
  await result.locator('.CodeMirror-code', { hasText: '"data"' }).waitFor();
  return result.innerText();
}

describe('the query page in Chromium, with nothing but the gateway reachable', () => {
  it('introspects the public schema, runs the first example tab, and shows public values', async () => {
    const { page, problems } = await openPage();
    await openDocs(page);
    await page.locator('.graphiql-doc-explorer-root-type + a', { hasText: 'Query' }).click();
    await page.locator('.graphiql-doc-explorer-field-name', { hasText: /^serviceRequests$/ }).waitFor();

    const result = await runActiveTab(page);
    expect(result).toContain('"id": "SR-24-00000563"');
    // The public role sees the case's address cut to its hundred block.
    expect(result).toContain('"address": "11XX W 24TH ST"');
    expect(result).toContain('"workType"');
    await mkdir(resolve('docs'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    expect(await searchDocs(page, 'permitsAtAddress', 'No results found')).toBe('No results found');

    // A dialog adds GraphiQL's one style element, which must carry the page's nonce.
    await page.getByRole('button', { name: 'Open settings dialog' }).click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.close();
    expect(problems).toEqual([]);
  });

  it('shows the staff schema and values once a staff token is pasted into Headers', async () => {
    const { page, problems } = await openPage();
    const token = await staffToken();
    const introspected = page.waitForRequest((request) => request.headers().authorization === `Bearer ${token}` && !!request.postData()?.includes('IntrospectionQuery'));
    await page.locator('.graphiql-editor-tool .CodeMirror').filter({ visible: true }).click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
    await introspected;

    await openDocs(page);
    expect(await searchDocs(page, 'permitsAtAddress', 'ServiceRequest.permitsAtAddress')).not.toContain('No results found');

    const result = await runActiveTab(page);
    expect(result).toContain('"address": "1163 W 24TH ST"');
    await page.close();
    expect(problems).toEqual([]);
  });

  it('asked for nothing from any other host', () => {
    expect(requested.length).toBeGreaterThan(5);
    expect(refused).toEqual([]);
    expect(requested.filter((url) => new URL(url).origin !== origin && !url.startsWith('data:'))).toEqual([]);
  });
});

describe("the page's files", () => {
  it('are named by their content, typed, and cached for a year; the page itself never', async () => {
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    const files = [...html.matchAll(/(?:src|href)="(graphiql\/[^"]+)"/g)].map((match) => match[1]!);
    expect(files).toHaveLength(6);
    for (const file of files) {
      const response = await fetch(`${origin}/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type'), file).toMatch(file.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
      expect(response.headers.get('cache-control'), file).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('x-content-type-options'), file).toBe('nosniff');
    }
  });

  it('come with a policy on the page that admits scripts and styles from the gateway alone, with a fresh nonce each time', async () => {
    const policies = await Promise.all([1, 2].map(async () => (await fetch(`${origin}/`)).headers.get('content-security-policy') ?? ''));
    for (const policy of policies) {
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self';");
      expect(policy).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]{24}';/);
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toMatch(/unsafe|\*|https?:/);
    }
    expect(policies[0]).not.toBe(policies[1]);
  });

  it('serve nothing else under their path, and nothing to other methods or overlong URLs', async () => {
    const html = await (await fetch(`${origin}/`)).text();
    const version = /graphiql\/([0-9a-f]+)\/start\.js/.exec(html)![1]!;
    for (const path of [
      `/graphiql/${version}/package.json`,
      `/graphiql/${version}/..%2F..%2F..%2Fpackage.json`,
      `/graphiql/${version}/graphiql.min.js.map`,
      '/graphiql/0000000000000000/start.js',
      `/graphiql/${version}/../../package.json`,
      `/graphiql/${version}/start.js/x`,
    ]) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toMatch(/"name": "civicgraph"|at .*\.ts:\d+/);
    }
     expect((await fetch(`${origin}/graphiql/${version}/${'a'.repeat(9000)}.js`)).status).toBe(414);
    const posted = await fetch(`${origin}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(posted.status).toBe(404);
    expect(await posted.text()).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the example tabs', () => {
  /** A query without comments, its operation keyword and name, or layout, to compare with README's. */
  const bare = (query: string) =>
    query
      .replace(/^#.*$/gm, '')
      .replace(/^\s*query \w+(\([^)]*\))?\s*/, '')
      .replace(/\s+/g, ' ')
      .trim();

  it("begin with README's Quick start queries, word for word", async () => {
    const readme = await readFile(resolve('README.md'), 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    const documented = [...quickStart.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => bare(match[1]!));
    expect(documented).toHaveLength(2);
    expect(exampleTabs.slice(0, 2).map((tab) => bare(tab.query))).toEqual(documented);
  });

  it('all run without an error, the staff one as staff only', async () => {
    const staff = { authorization: `Bearer ${await staffToken()}` };
    for (const { query } of exampleTabs) {
      const staffOnly = query.startsWith('# Staff only');
      const answer = await post(query, staffOnly ? staff : {});
      expect(answer.errors, query).toBeUndefined();
      expect(Object.values(answer.data).every((value) => value !== null), query).toBe(true);
      if (staffOnly) expect((await post(query)).errors?.[0]?.message).toMatch(/Cannot query field "permitsAtAddress"/);
    }
  });
});
