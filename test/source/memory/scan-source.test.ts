/**
 * The in-memory engine (src/source/memory) on its own: the contract cases over the fixture
 * held as plain typed records, as a system that can do nothing but hand them over. The CSV
 * and REST suites run the same cases through real files and a real HTTP server.
 */
// Naive date-times must never pass through the Node process's zone: run in one that is not UTC.
process.env.TZ = 'America/Los_Angeles';

import { describe, expect, it } from 'vitest';
import { scanSource } from '../../../src/source/memory/scan-source.js';
import type { RawRecord, Scan, ScanRequest, Scanner } from '../../../src/source/memory/scanner.js';
import { type ColumnDescription, SourceError } from '../../../src/source/source.js';
import { contractCases } from '../contract/cases.js';
import { PLACES, TABLE, VISITS } from '../contract/data.js';
import { typedFixture } from '../contract/typed-records.js';
import { cmp, rejection } from '../query-helpers.js';

/** A scanner over arrays of records that applies what it is told it may, counting what it hands over. */
class ArrayScanner implements Scanner {
  readonly name = 'memory-fixture';
  readonly pushdown = { filters: 'none', ordering: false, paging: false, grouping: false, keyLookups: false, notes: [] } as const;
  handedOver = 0;
  requests: ScanRequest[] = [];

  constructor(
    private readonly tables: ReadonlyMap<string, { records: RawRecord[]; columns: ColumnDescription[] }>,
    private readonly filters = false,
  ) {}

  scan(request: ScanRequest): Scan {
    this.requests.push(request);
    const table = this.tables.get(request.table);
    if (!table) throw new SourceError(this.name, `table "${request.table}" does not exist`, 'missing-table');
    const scanner = this;
    async function* records(): AsyncGenerator<RawRecord> {
      for (const record of table!.records) {
        scanner.handedOver++;
        yield record;
      }
    }
    return { filtered: this.filters && request.where === undefined, ordered: request.orderBy.length === 0, records: records() };
  }

  async describeTable(table: string): Promise<ColumnDescription[] | undefined> {
    return this.tables.get(table)?.columns;
  }

  async estimateRows(table: string): Promise<number | undefined> {
    return this.tables.get(table)?.records.length;
  }

  async listTables(): Promise<string[]> {
    return [...this.tables.keys()];
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

function fixtureScanner(filters = false): ArrayScanner {
  const fixture = typedFixture();
  return new ArrayScanner(
    new Map([
      [TABLE, fixture.cases],
      [VISITS, fixture.visits],
      [PLACES, fixture.places],
    ]),
    filters,
  );
}

describe('in-memory engine over a scanner that does nothing itself', () => {
  const harness = { source: scanSource(fixtureScanner(), 100_000), rowEstimates: 'exact' as const, teardown: async () => {} };
  contractCases(() => harness);
});

describe('memory row limit', () => {
  const byStatus = cmp('status', 'eq', 'O');

  it('refuses a query that needs more matching records than the limit, naming the table and the setting', async () => {
    const source = scanSource(fixtureScanner(), 5);
    const error = await rejection(source.count({ table: TABLE }));
    expect(error.reason).toBe('row-limit');
    expect(error.message).toMatch(/more than 5 records of "sr_case".*memoryRowLimit/);
  });

  it('counts only records matching the whole filter, so rows a filter or row rule withholds never trip it', async () => {
    // Six records are read, two match: a limit of two answers, whatever the other four hold.
    expect(await scanSource(fixtureScanner(), 2).count({ table: TABLE, where: byStatus })).toBe(2);
    expect((await rejection(scanSource(fixtureScanner(), 1).count({ table: TABLE, where: byStatus }))).reason).toBe('row-limit');
  });

  it('stops reading once a filtered, unordered page is full, and tells the scanner how many it needs', async () => {
    const scanner = fixtureScanner(true);
    const source = scanSource(scanner, 3);
    const rows = await source.find({ table: TABLE, select: { id: { column: 'id' } }, orderBy: [], limit: 2, offset: 1 });
    expect(rows).toEqual([{ id: 2 }, { id: 3 }]);
    expect(scanner.requests.at(-1)?.limit).toBe(3);
    expect(scanner.handedOver).toBeLessThanOrEqual(4);
  });

  it('reports the pushdown with the limit', () => {
    expect(scanSource(fixtureScanner(), 7).pushdown).toMatchObject({ filters: 'none', grouping: false, memoryRowLimit: 7 });
  });
});

describe('deadline', () => {
  /** The fixture's cases over and over: enough records that reading them crosses the engine's looks at the clock. */
  function manyRecords(): ArrayScanner {
    const { cases } = typedFixture();
    const records = Array.from({ length: 5_000 }, (_, i) => ({ ...cases.records[i % cases.records.length]!, id: i }));
    return new ArrayScanner(new Map([[TABLE, { records, columns: cases.columns }]]));
  }

  it('stops reading records held in memory once the deadline has passed, with a deadline error', async () => {
    const scanner = manyRecords();
    const error = await rejection(scanSource(scanner, 100_000).count({ table: TABLE, deadline: Date.now() - 1 }));
    expect(error.reason).toBe('deadline');
    expect(error.message).toBe(`source "memory-fixture": the query could not finish by its caller's deadline and was stopped`);
    expect(scanner.handedOver).toBeLessThan(5_000);
    expect(scanner.requests.at(-1)?.deadline).toBeDefined();
  });

  it('answers as without one while the deadline is ahead', async () => {
    expect(await scanSource(manyRecords(), 100_000).count({ table: TABLE, deadline: Date.now() + 60_000 })).toBe(5_000);
  });
});
