/**
 * One CSV file's bytes → its typed records, or a SourceError naming the file, line and
 * column of the first problem. Messages never quote a cell: rows may hold personal data.
 */
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { CsvOptions } from '../../config/mapping.js';
import type { RawRecord } from '../memory/scanner.js';
import { SourceError, type ColumnDescription, type DeclaredType, type SourceValue } from '../source.js';
import { cellReader, EXPECTED, type CellReader } from './typed-values.js';

/** A file read completely: an immutable snapshot that requests may keep reading while the file changes. */
export interface CsvTable {
  readonly columns: readonly ColumnDescription[];
  readonly records: readonly RawRecord[];
}

export interface ParseSettings {
  source: string;
  /** The file's name, for messages (never its folder: the connection is a secret). */
  file: string;
  csv: CsvOptions;
  /** Declared column → type, in declared order (which names the fields of a file without header). */
  declared: ReadonlyMap<string, DeclaredType>;
  /** The zone of date-times without offset in `timestamptz` columns. */
  timezone: string;
  /** More data rows than this fail the whole file, before it fills the gateway's memory. */
  rowLimit: number;
}

/** Reads the file `open` streams; settings that cannot work fail before it is opened. */
export async function parseCsv(open: () => Readable, settings: ParseSettings): Promise<CsvTable> {
  const { csv } = settings;
  const reader = new TableReader(settings);
  const parser = parse({
    bom: true,
    encoding: csv.encoding,
    delimiter: csv.delimiter,
    quote: csv.quote,
    // A quote character inside a quoted field is written doubled, whatever the quote character.
    escape: csv.quote,
    // Field counts are checked below, to name the line and the expected count in our own words.
    relax_column_count: true,
  });
  // Records are handled as the parser emits them ('data'), never buffered: a syntax error then
  // finds every earlier record counted, and so the line it is on.
  await new Promise<void>((resolve, reject) => {
    const input = open();
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      parser.destroy();
      reject(error instanceof CsvError ? reader.syntaxError(error) : error);
    };
    input.on('error', fail);
    parser.on('error', fail);
    parser.on('data', (record: string[]) => {
      if (failed) return;
      try {
        reader.add(record);
      } catch (error) {
        fail(error);
      }
    });
    parser.on('end', resolve);
    input.pipe(parser);
  });
  return reader.finish();
}

/** What csv-parse's error codes mean, in words that quote nothing from the file (its own messages do). */
const SYNTAX: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted field has other characters after its closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted field has other characters after its closing quote',
  INVALID_OPENING_QUOTE: 'a quote appears inside a field that does not start with one',
};

class TableReader {
  /**
   * The line the next record starts on. Counted here: csv-parse counts a quoted CRLF as two
   * lines, and its per-record line numbers (`info`) more than double the time a parse takes.
   */
  #nextLine = 1;
  #names?: readonly string[];
  #readers: CellReader[] = [];
  readonly #records: RawRecord[] = [];
  readonly #checkDecoding: boolean;

  constructor(private readonly settings: ParseSettings) {
    // Bytes that are not valid UTF-8/UTF-16 decode to U+FFFD: most often a latin1 export read as UTF-8.
    this.#checkDecoding = settings.csv.encoding !== 'latin1';
    if (!settings.csv.header) this.#useColumns(this.#declaredNames());
  }

  add(fields: string[]): void {
    const line = this.#nextLine;
    this.#nextLine = line + 1 + lineBreaks(fields);
    // Blank lines, and the rows of empty cells spreadsheet exports pad a sheet with, hold no row.
    if (fields.every((field) => field === '')) return;
    if (!this.#names) return this.#header(fields, line);
    const names = this.#names;
    if (fields.length !== names.length) {
      const expected = this.settings.csv.header ? `the header has ${names.length}` : `the mapping declares ${names.length} columns`;
      throw this.#error(`line ${line}: ${fields.length} fields where ${expected}`);
    }
    if (this.#records.length >= this.settings.rowLimit) {
      throw new SourceError(
        this.settings.source,
        `${this.settings.file} has more than ${this.settings.rowLimit} rows, the most this source reads into memory (memoryRowLimit)`,
        'row-limit',
      );
    }
    const entries: Array<[string, SourceValue]> = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const text = fields[i]!;
      this.#checkText(text, line, name);
      const value = this.#readers[i]!(text);
      if (value === undefined) {
        const type = this.settings.declared.get(name) ?? 'text';
        throw this.#error(`line ${line}, column "${name}": not ${EXPECTED[type]}`);
      }
      entries.push([name, value]);
    }
    // fromEntries rather than assignment: a column may be called "__proto__".
    this.#records.push(Object.freeze(Object.fromEntries(entries)));
  }

  finish(): CsvTable {
    if (!this.#names) throw this.#error('is empty, but its first line should name the columns');
    const { declared } = this.settings;
    return {
      columns: Object.freeze(
        this.#names.map((name): ColumnDescription => {
          const type = declared.get(name) ?? 'text';
          return { name, type, nativeType: `csv ${type}`, nullable: true };
        }),
      ),
      records: Object.freeze(this.#records),
    };
  }

  /** The error csv-parse reports, placed at the start of the record it could not read. */
  syntaxError(error: CsvError): SourceError {
    return this.#error(`line ${this.#nextLine}: ${SYNTAX[error.code] ?? 'not readable as CSV'} (check csv.delimiter and csv.quote)`);
  }

  #header(fields: string[], line: number): void {
    for (const field of fields) this.#checkText(field, line);
    // Stray spaces around a header cell are invisible in a spreadsheet; they should not make a column unmappable.
    const names = fields.map((field) => field.trim());
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw this.#error(`line ${line}: the header names column "${name}" twice`);
      seen.add(name);
    }
    for (const declared of this.settings.declared.keys()) {
      if (!seen.has(declared)) throw this.#error(`line ${line}: the header has no column "${declared}", which the mapping declares`);
    }
    this.#useColumns(names);
  }

  #declaredNames(): string[] {
    const names = [...this.settings.declared.keys()];
    if (names.length === 0) {
      throw new SourceError(
        this.settings.source,
        `${this.settings.file}: with csv.header false, the dataset must declare its columns in the order of the fields`,
        'query-failed',
      );
    }
    return names;
  }

  #useColumns(names: readonly string[]): void {
    this.#names = names;
    this.#readers = names.map((name) => cellReader(this.settings.declared.get(name) ?? 'text', this.settings.timezone));
  }

  #checkText(text: string, line: number, column?: string): void {
    if (!this.#checkDecoding || !text.includes('\uFFFD')) return;
    const where = column === undefined ? `line ${line}` : `line ${line}, column "${column}"`;
    throw this.#error(`${where}: not valid ${this.settings.csv.encoding} text (is csv.encoding the file's encoding?)`);
  }

  #error(message: string): SourceError {
    return new SourceError(this.settings.source, `${this.settings.file} ${message}`, 'bad-data');
  }
}

function lineBreaks(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    if (field.includes('\n') || field.includes('\r')) count += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return count;
}
