/**
 * The console as a liaison meets it, in real headless Chromium against a real gateway on real
 * PostgreSQL and MariaDB (test/support/console-gateway.ts), with every request to another host
 * refused: sign in with the demo liaison token, open the department and see its broken file's
 * problem at its line, draft a mapping from a MariaDB table, preview the data as public and
 * staff (hundred-block addresses, no personal fields for the public), open the quality profile
 * and find the planted code the mapping does not translate. Saves docs/console-*.png.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials } from '../../src/request/demo-credentials.js';
import { DEPARTMENT, startConsoleGateway, UNMAPPED_CODE, type ConsoleGateway } from '../support/console-gateway.js';

const CHROMIUM = process.env.CIVICGRAPH_TEST_CHROMIUM ?? '/usr/bin/chromium';
const shot = (name: string) => resolve(`docs/console-${name}.png`);

let gateway: ConsoleGateway;
let profile: string;
let browser: BrowserContext;
let page: Page;
const refused: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CIVICGRAPH_TEST_CHROMIUM`);
  gateway = await startConsoleGateway('h_console_browser');
  profile = await mkdtemp(join(tmpdir(), 'civicgraph-console-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  browser.setDefaultTimeout(20_000);
  await browser.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === gateway.origin || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    refused.push(url);
    return route.abort('blockedbyclient');
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('the console in a browser', () => {
  it('answers 403 and offers to sign in, then signs in with the demo liaison token', async () => {
    const response = await page.goto(`${gateway.origin}/console`);
    expect(response!.status()).toBe(403);
    await page.locator('#token').waitFor();
    expect(await page.locator('#nav').isVisible()).toBe(false);
    // The token `npm start` prints for the 311 department's liaison.
    const credentials = await demoCredentials(gateway.running.gateway.roles, gateway.running.gateway.departments);
    const liaison = credentials.find((credential) => credential.role === 'liaison:311-customer-service')!;
    await page.screenshot({ path: shot('sign-in') });
    await page.fill('#token', liaison.value);
    await page.click('#sign-in');
    await page.locator('#sign-out').waitFor();
    expect(await page.locator('#who').textContent()).toContain('liaison:311-customer-service');
  });

  it("opens the department and shows the broken file's problem at its line, and each source's state", async () => {
    await page.locator(`.department-item[data-department="311-customer-service"]`).click();
    const failing = page.locator('.failing-file');
    await failing.waitFor();
    expect(await failing.textContent()).toContain(`${gateway.broken.file}:${gateway.broken.line}:`);
    expect(await failing.textContent()).toContain('tabel');
    expect(await page.locator('[data-source="crm-311"] .badge.good').first().textContent()).toBe('source up');
    await page.screenshot({ path: shot('departments'), fullPage: true });
    // Public Works' system is down: shown, with no secret, and the console goes on.
    await page.locator(`.department-item[data-department="public-works"]`).click();
    await page.locator('[data-source="public-works"]').waitFor();
    expect(await page.locator('[data-source="public-works"]').textContent()).toContain('source down');
    expect(await page.content()).not.toContain('hunter2');
    await page.locator(`.department-item[data-department="311-customer-service"]`).click();
  });

  it('previews the same rows as public and staff: hundred blocks and no personal fields for the public', async () => {
    await page.locator('[data-dataset="ServiceRequest"] [data-action="preview"]').click();
    await page.locator('table.preview').waitFor();
    const publicAddresses = await page.locator('tr[data-role="public"] td[data-column="address"]').allTextContents();
    expect(publicAddresses.length).toBeGreaterThan(0);
    for (const address of publicAddresses.filter((text) => text !== '')) expect(address).toMatch(/^\d*XX /);
    for (const personal of ['callerName', 'callerPhone', 'callerEmail', 'internalNotes']) {
      const cells = await page.locator(`tr[data-role="public"] td[data-column="${personal}"]`).allTextContents();
      expect(cells.every((text) => text === 'hidden')).toBe(true);
    }
    const staffAddresses = await page.locator('tr[data-role="staff"] td[data-column="address"]').allTextContents();
    expect(staffAddresses.some((address) => /^\d+ /.test(address) && !address.includes('XX'))).toBe(true);
    expect(await page.locator('.role-card[data-role="public"]').textContent()).toMatch(/rows withheld/);
    expect(await page.locator('.map').count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: shot('preview') });
  });

  it('opens the quality profile and lists the code the mapping does not translate', async () => {
    await page.locator('[data-tab="quality"]').click();
    await page.locator('#untranslated').waitFor();
    expect(await page.locator('#untranslated').textContent()).toContain(UNMAPPED_CODE);
    expect(await page.locator('.histogram rect.bar').count()).toBeGreaterThan(1);
    expect(await page.locator('.bars[data-field="serviceName"] .untranslated').count()).toBe(1);
    await page.screenshot({ path: shot('quality'), fullPage: true });
  });

  it('drafts a mapping from a MariaDB table the test created, named by its environment variable, and offers it for download', async () => {
    await page.locator('nav [data-view="draft"]').click();
    await page.selectOption('#draft-kind', 'mysql');
    await page.fill('#draft-variable', 'CE_DB_URL');
    await page.fill('#draft-name', 'code-compliance');
    await page.click('#draft-list');
    await page.locator('[data-table="CE_CASE"]').check();
    await page.click('#draft-run');
    const table = page.locator('[data-draft-table="CE_CASE"]');
    await table.waitFor().catch(async (error) => {
      await page.screenshot({ path: '/tmp/h-console-draft-failure.png', fullPage: true });
      throw error;
    });
    expect(await table.textContent()).toContain('ServiceRequest');
    expect(await table.locator('tr', { hasText: 'REQUESTED_DATETIME' }).textContent()).toContain('requestedAt');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#draft-download')]);
    expect(download.suggestedFilename()).toBe('code-compliance.yaml');
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toContain('connection: ${CE_DB_URL}');
    expect(text).toContain('table: CE_CASE');
    await page.screenshot({ path: shot('draft'), fullPage: true });

    // An unreachable system: the error names the source and carries no secret; the form still works.
    await page.fill('#draft-variable', 'DEAD_DB_URL');
    await page.fill('#draft-name', 'dead-cms');
    await page.click('#draft-list');
    const error = page.locator('#draft-tables .error');
    await error.waitFor();
    expect(await error.textContent()).toContain('source dead-cms');
    expect(await page.content()).not.toContain('hunter2');
  });

  it('opens a mapping file to edit and download; this gateway writes none from the console', async () => {
    await page.locator('nav [data-view="departments"]').click();
    await page.locator('[data-source="crm-311"] [data-action="edit"]').click();
    await page.locator('#mapping-text').waitFor();
    expect(await page.locator('#mapping-text').inputValue()).toContain('name: crm-311');
    expect(await page.locator('#mapping-save').count()).toBe(0);
    await page.locator('#mapping-text').fill('# edited in the console\n' + (await page.locator('#mapping-text').inputValue()));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#mapping-download')]);
    expect(await readFile((await download.path())!, 'utf8')).toMatch(/^# edited in the console\nname|^# edited in the console\n#/);
  });

  it('records a review and shows it in the privacy report', async () => {
    await page.locator('nav [data-view="departments"]').click();
    await page.locator('[data-source="crm-311"] [data-action="review"]').click();
    await page.locator('[data-source="crm-311"] .review-note .badge').waitFor();
    await page.locator('nav [data-view="privacy"]').click();
    const report = page.frameLocator('iframe.report');
    await report.locator('ul.reviews').first().waitFor();
    expect(await report.locator('ul.reviews').first().textContent()).toContain('crm-311.yaml reviewed by demo:liaison:311-customer-service');
    await report.locator('.signoff').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('privacy') });
    expect(refused).toEqual([]);
  });
});
