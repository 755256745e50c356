/** Shared set-up of the REST suites: a source config for the local API, and the checks every error must pass. */
import { expect } from 'vitest';
import type { RestOptions, SourceConfig } from '../../../src/config/mapping.js';
import type { TableSettings } from '../../../src/source/source.js';
import { testSourceConfig } from '../source-config.js';
import { APP_TOKEN, COLUMNS, ENDPOINT, RECORDS, type ApiServer } from './api-server.js';

export const BEARER = 'Bearer s3cr3t-b3ar3r-t0k3n';

export function restConfig(url: string, rest: Partial<RestOptions> = {}, source: Partial<SourceConfig> = {}): SourceConfig {
  return testSourceConfig('rest', url, 'test/source/rest/support.ts', {
    queryTimeoutMs: 10_000,
    rest: { headers: [], query: [], records: '', pagination: { style: 'none' }, retries: 3, maxResponseBytes: 10 * 1024 * 1024, ...rest },
    ...source,
  });
}

export function tables(settings: Partial<TableSettings> = {}): ReadonlyMap<string, TableSettings> {
  return new Map([[ENDPOINT, { columns: COLUMNS, filterParams: [], ...settings }]]);
}

/** Fails when an error message carries the base URL, host, port, a credential or a record value. */
export function expectNoSecrets(error: Error, api: Pick<ApiServer, 'port'>): void {
  const values = RECORDS.flatMap((record) => [record.title, (record.area as { ward?: unknown } | undefined)?.ward]).filter(
    (value) => typeof value === 'string',
  );
  for (const secret of ['127.0.0.1', 'localhost', `:${api.port}`, 'http:', APP_TOKEN, 'app_token', BEARER, BEARER.slice(7), ...values]) {
    expect(error.message).not.toContain(secret);
  }
  expect(error.message).toMatch(/^source "[^"]+": /);
}
