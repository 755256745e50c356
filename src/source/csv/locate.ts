/**
 * A dataset's `table` → the file to read. The connection names a folder (tables are file
 * names directly inside it) or one file (the only table is that file's name). Messages name
 * the table, never the connection's path, which is a secret like any connection string.
 */
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { SourceError } from '../source.js';

export async function locateTable(source: string, connection: string, table: string): Promise<string> {
  const root = await statIfPresent(connection);
  if (!root) {
    // The file the connection names is a table that is missing; a missing folder is a system that is not there.
    if (table === basename(connection)) throw new SourceError(source, `no CSV file "${table}"`, 'missing-table');
    throw noConnection(source);
  }
  if (root.isDirectory()) {
    if (!isFileName(table)) throw new SourceError(source, `table "${table}" must be the name of a file directly inside the CSV folder`, 'missing-table');
    return join(connection, table);
  }
  if (table !== basename(connection)) {
    throw new SourceError(source, `table "${table}" is not the CSV file the connection names ("${basename(connection)}")`, 'missing-table');
  }
  return connection;
}

/** The tables a connection offers: the CSV files directly inside the folder, or the one file it names. */
export async function listCsvFiles(source: string, connection: string): Promise<string[]> {
  const root = await statIfPresent(connection);
  if (!root) throw noConnection(source);
  if (!root.isDirectory()) return [basename(connection)];
  const entries = await readdir(connection, { withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && /\.(csv|tsv|txt)$/i.test(entry.name)).map((entry) => entry.name).sort();
}

export async function checkConnection(source: string, connection: string): Promise<void> {
  if (!(await statIfPresent(connection))) throw noConnection(source);
}

function noConnection(source: string): SourceError {
  return new SourceError(source, 'the CSV file or folder the connection names does not exist', 'unreachable');
}

/** A plain name: nothing that could reach outside the folder (`..`, a separator, an absolute path). */
function isFileName(table: string): boolean {
  return (
    table !== '' && table !== '.' && table !== '..' && !isAbsolute(table) && !/[/\\\0]/.test(table) && basename(table) === table
  );
}

async function statIfPresent(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
