/**
 * CSV exports as a Scanner: each table is a file, read whole into an immutable snapshot of
 * typed records and reloaded when it changes. A file cannot filter or sort, so every scan
 * hands over all records and ../memory/scan-source.ts does the rest.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CsvOptions, SourceConfig } from '../../config/mapping.js';
import type { RawRecord, Scan, ScanRequest, Scanner } from '../memory/scanner.js';
import { SourceError, type ColumnDescription, type Pushdown, type TableSettings } from '../source.js';
import { checkConnection, isMissing, listCsvFiles, locateTable } from './locate.js';
import { parseCsv, type CsvTable } from './parse.js';
import { LiveFile, type FileVersion, type VersionedFile } from './snapshot.js';
import { watchFolder, type FolderWatch } from './watch.js';

const DEFAULT_CSV: CsvOptions = { delimiter: ',', quote: '"', encoding: 'utf8', header: true };

export class CsvScanner implements Scanner {
  readonly pushdown: Pushdown;
  readonly #files = new Map<string, LiveFile<CsvTable>>();
  #watch?: FolderWatch;
  #closed = false;

  constructor(
    readonly name: string,
    private readonly config: SourceConfig,
    private readonly tables: ReadonlyMap<string, TableSettings>,
  ) {
    this.pushdown = {
      filters: 'none',
      ordering: false,
      paging: false,
      grouping: false,
      keyLookups: false,
      memoryRowLimit: config.memoryRowLimit,
      notes: ['each file is read into memory and reloaded when it changes; filters, order, pages, statistics and look-ups run in memory'],
    };
  }

  scan(request: ScanRequest): Scan {
    return { filtered: false, ordered: false, records: snapshotRecords(this.#file(request.table)) };
  }

  async describeTable(table: string): Promise<ColumnDescription[] | undefined> {
    const snapshot = await this.#snapshotIfExists(table);
    return snapshot && [...snapshot.columns];
  }

  /** Exact: the snapshot is held in memory. */
  async estimateRows(table: string): Promise<number | undefined> {
    return (await this.#snapshotIfExists(table))?.records.length;
  }

  async listTables(): Promise<string[]> {
    try {
      return await listCsvFiles(this.name, this.config.connection.reveal());
    } catch (error) {
      throw this.#toSourceError('the CSV folder', error);
    }
  }

  /** Checks every file the datasets read (not tables merely asked about, which may not exist). */
  async ping(): Promise<void> {
    if (this.tables.size === 0) {
      try {
        await checkConnection(this.name, this.config.connection.reveal());
      } catch (error) {
        throw this.#toSourceError('the CSV folder', error);
      }
      return;
    }
    for (const table of this.tables.keys()) await this.#file(table).check();
  }

  /** Every table's file version as last read: a change shows here within a second of a request (snapshot.ts). */
  dataVersion(): string {
    return [...this.#files].map(([table, file]) => `${table}:${file.version()}`).join(';');
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watch?.close();
    this.#watch = undefined;
  }

  async #snapshotIfExists(table: string): Promise<CsvTable | undefined> {
    try {
      return await this.#file(table).current();
    } catch (error) {
      if (error instanceof SourceError && error.reason === 'missing-table') return undefined;
      throw error;
    }
  }

  #file(table: string): LiveFile<CsvTable> {
    let file = this.#files.get(table);
    if (!file) {
      file = new LiveFile(this.#versionedFile(table), (error) => this.#toSourceError(`"${table}"`, error));
      this.#files.set(table, file);
    }
    return file;
  }

  #versionedFile(table: string): VersionedFile<CsvTable> {
    const settings = {
      source: this.name,
      file: table,
      csv: this.config.csv ?? DEFAULT_CSV,
      declared: this.tables.get(table)?.columns ?? new Map(),
      timezone: this.config.timezone,
      rowLimit: this.config.memoryRowLimit,
    };
    return {
      version: async (): Promise<FileVersion> => {
        const stats = await stat(await this.#locate(table));
        if (!stats.isFile()) throw new SourceError(this.name, `"${table}" is not a file`, 'missing-table');
        return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
      },
      read: async () => {
        const path = await this.#locate(table);
        return parseCsv(() => createReadStream(path), settings);
      },
    };
  }

  async #locate(table: string): Promise<string> {
    const path = await locateTable(this.name, this.config.connection.reveal(), table);
    this.#watchFolder(dirname(path));
    return path;
  }

  #watchFolder(folder: string): void {
    if (this.#closed || this.#watch) return;
    this.#watch = watchFolder(
      folder,
      (name) => {
        for (const [table, file] of this.#files) if (name === undefined || name === table) file.changed();
      },
      () => (this.#watch = undefined),
    );
  }

  /** Errors carry the full path (file system) or a cell (anything else) in their message, so only their code or name is kept. */
  #toSourceError(what: string, error: unknown): SourceError {
    if (error instanceof SourceError) return error;
    if (isMissing(error)) return new SourceError(this.name, `no CSV file ${what}`, 'missing-table');
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new SourceError(this.name, `cannot read ${what} (${code})`, 'unreachable');
    return new SourceError(this.name, `reading ${what} failed (${error instanceof Error ? error.name : typeof error})`, 'query-failed');
  }
}

/** The snapshot is taken once, when reading starts: a reload meanwhile only changes what later scans see. */
async function* snapshotRecords(file: LiveFile<CsvTable>): AsyncIterable<RawRecord> {
  yield* (await file.current()).records;
}
