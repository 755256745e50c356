/**
 * The source settings the connector suites open their sources with: UTC, a small pool, a
 * 20-second time limit and a 100,000-record memory limit, attributed to the suite file that
 * builds them, with whatever a suite sets differently laid over them.
 */
import type { SourceConfig, SourceKind } from '../../src/config/mapping.js';
import { Secret } from '../../src/config/secret.js';

export function testSourceConfig(kind: SourceKind, connection: string, file: string, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    kind,
    connection: new Secret(connection),
    pool: { min: 0, max: 4 },
    queryTimeoutMs: 20_000,
    timezone: 'UTC',
    memoryRowLimit: 100_000,
    at: { file, line: 1, column: 1 },
    ...overrides,
  };
}
