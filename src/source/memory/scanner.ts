/**
 * The narrow interface of a system that can only hand over records (a REST API, CSV files):
 * it may apply some of a query's filter itself, and says how much it did. `scanSource`
 * (./scan-source.ts) builds a full Source on top of it by doing the rest in memory.
 */
import type { ColumnDescription, OrderKey, Predicate, Pushdown } from '../source.js';

/** A record as the system gives it: a flat row (CSV) or a nested document (JSON), read by dotted paths. */
export type RawRecord = Readonly<Record<string, unknown>>;

export interface ScanRequest {
  table: string;
  /** The rows the query needs; the scanner may apply all, part or none of it. */
  where?: Predicate;
  /** The order the query needs; the scanner may ignore it. */
  orderBy: readonly OrderKey[];
  /**
   * How many matching records the query needs at most. When the scan is filtered and ordered
   * (or no order is asked for), the caller stops reading after this many, so the scanner
   * need not fetch further pages.
   */
  limit?: number;
  /** The query's deadline (epoch ms): a scanner that reads from elsewhere stops reading then. */
  deadline?: number;
}

export interface Scan {
  /** Whether every record yielded matches `where` (the scanner applied all of it). */
  filtered: boolean;
  /** Whether the records come in `orderBy` order. */
  ordered: boolean;
  records: AsyncIterable<RawRecord>;
}

export interface Scanner {
  readonly name: string;
  /** What the scanner's system does itself; filters/ordering/paging as the scanner reports them. */
  readonly pushdown: Pushdown;
  /** Plans a scan (synchronously, so the caller knows `filtered`/`ordered` before reading). */
  scan(request: ScanRequest): Scan;
  describeTable(table: string): Promise<ColumnDescription[] | undefined>;
  /** As `Source.estimateRows`: what the system can tell of a table's size without a scan. */
  estimateRows(table: string): Promise<number | undefined>;
  listTables(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** As `Source.dataVersion`. */
  dataVersion?(): string;
}
