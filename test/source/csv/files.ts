/**
 * Real CSV files in temporary folders for the CSV connector's suites, and sources over them
 * that the suites close when done.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceConfig } from '../../../src/config/mapping.js';
import type { DeclaredType, TableSettings } from '../../../src/source/source.js';
import type { Cell } from '../contract/data.js';
import { testSourceConfig } from '../source-config.js';

export type Columns = ReadonlyArray<readonly [string, DeclaredType]>;

/** One field as a spreadsheet writes it: quoted only when it must be. */
function field(cell: Cell, delimiter: string): string {
  if (cell === null) return '';
  const text = String(cell);
  const quoted = text.includes(delimiter) || /["\r\n]/.test(text) || text.trim() !== text;
  return quoted ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvText(header: readonly string[] | undefined, rows: readonly Cell[][], { delimiter = ',', eol = '\n' } = {}): string {
  const lines = [...(header ? [header] : []), ...rows].map((row) => row.map((cell) => field(cell, delimiter)).join(delimiter));
  return lines.map((line) => line + eol).join('');
}

export function tableSettings(tables: Record<string, Columns>): Map<string, TableSettings> {
  return new Map(Object.entries(tables).map(([table, columns]) => [table, { columns: new Map(columns), filterParams: [] }]));
}

export function csvConfig(connection: string, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return testSourceConfig('csv', connection, 'test/source/csv/files.ts', { pool: { min: 0, max: 1 }, queryTimeoutMs: 10_000, ...overrides });
}

/** Temporary folders, removed by `removeAll`. */
export class Folders {
  readonly #paths: string[] = [];

  async create(files: Record<string, string | Buffer> = {}): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'civicgraph-csv-'));
    this.#paths.push(folder);
    for (const [name, content] of Object.entries(files)) await writeFile(join(folder, name), content);
    return folder;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.#paths.splice(0).map((path) => rm(path, { recursive: true, force: true })));
  }
}

/** Reads until `done` holds of what was read (a reload is asynchronous), failing after a few seconds. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
