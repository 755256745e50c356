/**
 * The SQL connector against real PostgreSQL, MariaDB and PGlite: the same cases on the same
 * fixture for each. PostgreSQL and MariaDB must be running (see test/support/servers.ts):
 * when they are not, these tests fail.
 */
// Naive date-times must never pass through the Node process's zone: run in one that is not UTC.
process.env.TZ = 'America/Los_Angeles';

import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, mysqlHarness, pgliteHarness, postgresHarness } from './fixture.js';
import { sourceCases } from './cases.js';

describe.each([
  { dialect: 'PostgreSQL', open: postgresHarness },
  { dialect: 'MariaDB', open: mysqlHarness },
  { dialect: 'PGlite', open: pgliteHarness },
])('SQL source on $dialect', ({ open }) => {
  let harness: Harness | undefined;
  // A server that is down must fail every case (with its reason), not leave them skipped.
  let setupError: unknown;
  beforeAll(async () => {
    harness = await open().catch((error: unknown) => {
      setupError = error;
      return undefined;
    });
  });
  afterAll(async () => {
    await harness?.teardown();
  });
  sourceCases(() => {
    if (!harness) throw new Error('the fixture database could not be prepared (is the server running?)', { cause: setupError });
    return harness;
  });
});

describe('PostgreSQL type parsers', () => {
  it('are per connection: the process-wide pg.types keep their defaults', () => {
    const pg = createRequire(import.meta.url)('pg') as { types: { getTypeParser(oid: number): (text: string) => unknown } };
    expect(pg.types.getTypeParser(1700)('1.50')).toBe('1.50');
    expect(pg.types.getTypeParser(1114)('2024-03-05 14:30:00')).toBeInstanceOf(Date);
  });
});
