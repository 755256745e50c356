/**
 * `GET` and `PUT /console/api/mappings/:file`: a mapping file's text, for the liaison to edit in
 * the page and download. Mappings live in version control, so the console writes none by
 * default; a city that wants in-place editing names its connectors folder in
 * CIVICGRAPH_CONSOLE_EDITS, and only when that is the folder being served does `PUT` write —
 * a file of the caller's own department (by what the file says, before and after the edit), not
 * changed since the caller read it (its version), never roles.yaml. The gateway's reload then
 * checks it like any edit: a file that does not load keeps its last good version serving.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ROLES_FILE } from '../../config/load-roles.js';
import { mappingVersion } from '../../privacy/reviews.js';
import { ConsoleRefusal, requireDepartment, type ConsoleUser } from './access.js';
import type { ConsoleContext } from './context.js';

const MAPPING_FILE = /^[a-z0-9][a-z0-9-]*\.ya?ml$/;

export interface MappingText {
  file: string;
  text: string;
  /** `sha256:…` of the text, to be sent back with an edit. */
  version: string;
  /** Whether PUT writes it (CIVICGRAPH_CONSOLE_EDITS names the folder served). */
  editable: boolean;
}

export function editsAllowed(context: ConsoleContext): boolean {
  const { env, connectorsDir } = context.gateway.configuration;
  return Boolean(env.CIVICGRAPH_CONSOLE_EDITS) && resolve(env.CIVICGRAPH_CONSOLE_EDITS!) === resolve(connectorsDir);
}

export async function readMapping(context: ConsoleContext, user: ConsoleUser, file: string): Promise<MappingText> {
  const path = mappingPath(context, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConsoleRefusal(404, `no mapping file ${file}`);
  }
  requireDepartment(user, departmentOf(text, file), `mapping file ${file}`);
  return { file, text, version: await mappingVersion(path), editable: editsAllowed(context) };
}

export async function writeMapping(context: ConsoleContext, user: ConsoleUser, file: string, body: unknown): Promise<{ file: string; version: string }> {
  if (!editsAllowed(context)) throw new ConsoleRefusal(403, 'the console writes no mapping files on this gateway: download the file and commit it (a city turns in-place editing on with CIVICGRAPH_CONSOLE_EDITS=<its connectors folder>)');
  const input = (typeof body === 'object' && body !== null ? body : {}) as { text?: unknown; version?: unknown };
  if (typeof input.text !== 'string' || input.text.trim() === '') throw new ConsoleRefusal(400, 'text: the mapping file’s new text');
  const path = mappingPath(context, file);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current !== undefined) {
    requireDepartment(user, departmentOf(current, file), `mapping file ${file}`);
    if (input.version !== (await mappingVersion(path))) throw new ConsoleRefusal(409, `${file} has changed since you opened it: reload it and edit again`);
  }
  requireDepartment(user, departmentOf(input.text, file), `the edited ${file}`);
  // Written beside and renamed over, so the reload never reads half a file.
  const temporary = join(context.gateway.configuration.connectorsDir, `.${file}.${randomBytes(4).toString('hex')}`);
  await writeFile(temporary, input.text, 'utf8');
  await rename(temporary, path);
  return { file, version: await mappingVersion(path) };
}

function mappingPath(context: ConsoleContext, file: string): string {
  if (!MAPPING_FILE.test(file) || file === ROLES_FILE) throw new ConsoleRefusal(400, `file: a mapping file's name in the connectors folder (e.g. parks.yaml), not ${JSON.stringify(file.slice(0, 64))}`);
  return join(context.gateway.configuration.connectorsDir, file);
}

/** The department a mapping file's text names; a text without one belongs to no liaison. */
function departmentOf(text: string, file: string): string {
  let department: unknown;
  try {
    department = (parse(text) as { department?: unknown } | null)?.department;
  } catch {
    // A file that does not parse is the one a liaison most needs to open: its own line says.
    department = /^department:\s*['"]?(.+?)['"]?\s*$/m.exec(text)?.[1];
  }
  if (typeof department !== 'string' || department.trim() === '') throw new ConsoleRefusal(400, `${file}: says no department: (its text must name the department it belongs to)`);
  return department;
}
