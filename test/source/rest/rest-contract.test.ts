/**
 * The REST connector honours the cross-connector contract: the contract data served as JSON
 * by a local API (page-numbered, three records a page, honouring two filter parameters), read
 * through the real connector over HTTP, must answer exactly as the SQL databases do.
 */
// Naive date-times must never pass through the Node process's zone: run in one that is not UTC.
process.env.TZ = 'America/Los_Angeles';

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe } from 'vitest';
import type { FilterParam } from '../../../src/config/mapping.js';
import { openRestSource } from '../../../src/source/rest/rest-source.js';
import type { DeclaredType, TableSettings } from '../../../src/source/source.js';
import { contractCases, type ContractHarness } from '../contract/cases.js';
import { type Cell, PLACE_ROWS, PLACES, RAW_ROWS, TABLE, VISIT_ROWS, VISITS } from '../contract/data.js';
import { CASE_COLUMNS, PLACE_COLUMNS, VISIT_COLUMNS } from '../contract/typed-records.js';
import { restConfig } from './support.js';

/** A record as a JSON API writes it: date-times as text, instants with their offset. */
function json(row: Cell[], columns: ReadonlyArray<readonly [string, DeclaredType]>): Record<string, Cell> {
  return Object.fromEntries(columns.map(([name, type], i) => [name, type === 'timestamptz' && typeof row[i] === 'string' ? `${String(row[i]).replace(' ', 'T')}Z` : (row[i] ?? null)]));
}

const ENDPOINTS: Record<string, Array<Record<string, Cell>>> = {
  [`/${TABLE}`]: RAW_ROWS.map((row) => json(row, CASE_COLUMNS)),
  [`/${VISITS}`]: VISIT_ROWS.map((row) => json(row, VISIT_COLUMNS)),
  [`/${PLACES}`]: PLACE_ROWS.map((row) => json(row, PLACE_COLUMNS)),
};

/** What the API applies itself: equality on `status`, and a list of ids. Everything else the gateway applies. */
const FILTER_PARAMS: FilterParam[] = [
  { column: 'status', op: 'eq', param: 'status' },
  { column: 'id', op: 'in', param: 'ids' },
];

describe('REST API honours the connector contract', () => {
  let server: Server;
  let harness: ContractHarness;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const records = ENDPOINTS[url.pathname];
      if (!records) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      const status = url.searchParams.get('status');
      const ids = url.searchParams.get('ids')?.split(',');
      const matching = records.filter((record) => (status === null || record.status === status) && (ids === undefined || ids.includes(String(record.id))));
      const page = Number(url.searchParams.get('page') ?? 1);
      const size = Number(url.searchParams.get('size') ?? 3);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: matching.slice((page - 1) * size, page * size) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const settings = (columns: ReadonlyArray<readonly [string, DeclaredType]>): TableSettings => ({ columns: new Map(columns), filterParams: FILTER_PARAMS });
    const source = openRestSource(
      'rest-fixture',
      restConfig(url, { records: 'results', pagination: { style: 'page', pageParam: 'page', sizeParam: 'size', firstPage: 1, size: 3 } }),
      new Map([
        [TABLE, settings(CASE_COLUMNS)],
        [VISITS, settings(VISIT_COLUMNS)],
        [PLACES, settings(PLACE_COLUMNS)],
      ]),
    );
    harness = { source, rowEstimates: 'none', teardown: () => source.close() };
  });
  afterAll(async () => {
    await harness?.teardown();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });
  contractCases(() => harness);
});
