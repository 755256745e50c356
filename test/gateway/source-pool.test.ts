/**
 * The sources kept across mapping reloads: a source is reused only while everything it was
 * opened with is unchanged, so an edit to a CSV file's column types, an API's filter
 * parameters or its token takes effect on reload.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import type { ConnectorMapping, DatasetMapping } from '../../src/config/mapping.js';
import { SourcePool } from '../../src/gateway/source-pool.js';

const at = { file: 'test/gateway/source-pool.test.ts', line: 1, column: 1 };

function connector(change: { columns?: Array<[string, 'integer' | 'text']>; filterParam?: string; token?: string; records?: string } = {}): ConnectorMapping {
  const dataset = {
    typeName: 'WorkOrder',
    table: 'wo.csv',
    columns: new Map(change.columns ?? [['cost', 'integer']]),
    filterParams: change.filterParam ? [{ column: 'status', op: 'eq', param: change.filterParam }] : [],
  } as unknown as DatasetMapping;
  return {
    file: '/city/connectors/works.yaml',
    types: [],
    name: 'works',
    system: 'works',
    department: 'Public Works',
    liaison: { name: 'x', email: 'x@example.org' },
    source: {
      kind: 'rest',
      connection: new Secret('http://127.0.0.1:9/api/'),
      pool: { min: 0, max: 2 },
      queryTimeoutMs: 1000,
      timezone: 'UTC',
      memoryRowLimit: 1000,
      rest: { headers: [['Authorization', new Secret(change.token ?? 'Bearer one')]], query: [], records: change.records ?? '', pagination: { style: 'none' }, retries: 0, maxResponseBytes: 1024 },
      at,
    },
    datasets: [dataset],
  };
}

const pools: SourcePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.closeAll()));
});

describe('SourcePool', () => {
  it('reuses a source whose settings are unchanged, and opens a new one for any change a mapping can make', async () => {
    const pool = new SourcePool();
    pools.push(pool);
    const first = pool.sourceFor(connector());
    expect(pool.sourceFor(connector())).toBe(first);
    for (const change of [{ columns: [['cost', 'text']] as Array<[string, 'text']> }, { filterParam: 'state' }, { token: 'Bearer two' }, { records: 'data' }]) {
      expect(pool.sourceFor(connector(change)), JSON.stringify(change)).not.toBe(first);
    }
  });
});
