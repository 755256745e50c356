/**
 * `POST /console/api/drafts/tables` and `POST /console/api/drafts`: the `introspect` flow in the
 * browser, through the same code as `civicgraph introspect` (../../cli/introspect.ts). The
 * connection is always the NAME of an environment variable of the gateway, never a value typed
 * into the page: the value stays on the server, the draft says `${NAME}`, and no error carries
 * it. A variable that holds another department's connection is refused, so a liaison drafts
 * from their own department's systems only. Nothing is written on the server: the page offers
 * the draft's text for download.
 */
import { parse, parseDocument } from 'yaml';
import { draftFromSystem, KINDS, systemTables, UsageError, type DraftOptions } from '../../cli/introspect.js';
import type { SourceKind } from '../../config/mapping.js';
import { SourceError } from '../../source/source.js';
import { departmentSlug } from '../authenticate.js';
import { ConsoleRefusal, type ConsoleUser } from './access.js';
import { editsAllowed } from './mappings.js';
import type { ConsoleContext } from './context.js';

const VARIABLE = /^[A-Z_][A-Z0-9_]*$/;
/** The gateway's own secrets: no system is reached through them, and an error could echo them. */
const GATEWAY_SECRETS = /^CIVICGRAPH_(JWT|PSEUDONYM|APP_TOKENS|RATE_LIMIT)/;

export interface DraftRequest {
  kind: SourceKind;
  /** The environment variable holding the connection. */
  variable: string;
  name: string;
  tables: string[];
}

export interface DraftedField {
  field: string;
  /** The column (or `a + b` for an object's parts), as the draft maps it. */
  column: string;
  /** The column's type as the system describes it (or, for CSV and JSON, as its values look). */
  type: string;
  /** Whether the draft guessed this column as the key, for want of one named like it. */
  guessedKey: boolean;
}

export interface DraftedTableView {
  table: string;
  type?: string;
  fields: DraftedField[];
  unmatched: Array<{ column: string; type: string }>;
  leftOut?: string;
  /** Why the draft declares a new type for the table (no curated type fits it): the liaison names and describes its fields under `types:`. */
  declared?: string;
  /** Warnings about the table, the source named (no key column, …). */
  warnings: string[];
}

export function draftRequest(body: unknown, withTables: boolean): DraftRequest {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const kind = input.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind as SourceKind)) throw new ConsoleRefusal(400, `kind: pick one of ${KINDS.join(', ')}`);
  const variable = typeof input.variable === 'string' ? input.variable.trim() : '';
  // The page asks for a name; anything else is most likely a connection string pasted by mistake, and is not echoed.
  if (!VARIABLE.test(variable)) throw new ConsoleRefusal(400, 'connection: give the NAME of an environment variable of the gateway that holds the connection (e.g. PARKS_DB_URL), never the connection itself');
  const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : kind;
  const tables = withTables ? (Array.isArray(input.tables) ? input.tables.filter((table): table is string => typeof table === 'string' && table !== '') : []) : [];
  if (withTables && tables.length === 0) throw new ConsoleRefusal(400, 'tables: pick at least one table');
  return { kind: kind as SourceKind, variable, name, tables };
}

export async function listTables(context: ConsoleContext, user: ConsoleUser, request: DraftRequest): Promise<{ source: string; tables: string[] }> {
  const tables = await reaching(context, user, request, (options) => systemTables(options));
  return { source: request.name, tables };
}

export async function draft(context: ConsoleContext, user: ConsoleUser, request: DraftRequest): Promise<{ source: string; file: string; text: string; tables: DraftedTableView[]; editable: boolean }> {
  const drafted = await reaching(context, user, request, (options) => draftFromSystem(options, context.gateway.configuration.connectorsDir));
  drafted.text = ownDepartment(context, user, drafted.text);
  const document = (parse(drafted.text) ?? {}) as { datasets?: Record<string, { fields?: Record<string, unknown> }> };
  const tables = drafted.datasets.map((dataset): DraftedTableView => {
    const columns = new Map((drafted.tables.find((table) => table.table === dataset.table)?.columns ?? []).map((column) => [column.name, column.type === 'other' ? column.nativeType : column.type]));
    const fields = dataset.type ? Object.entries(document.datasets?.[dataset.type]?.fields ?? {}) : [];
    const view: DraftedTableView = {
      table: dataset.table,
      fields: fields.map(([field, value]) => {
        const column = typeof value === 'string' ? value : Object.values((value as { fields?: Record<string, string> }).fields ?? {}).join(' + ');
        return { field, column, type: typeof value === 'string' ? (columns.get(value) ?? '') : 'object', guessedKey: dataset.keyGuessed === true && field === 'id' };
      }),
      unmatched: dataset.unmatchedColumns.map((column) => ({ column, type: columns.get(column) ?? '' })),
      warnings: [],
    };
    if (dataset.type) view.type = dataset.type;
    if (dataset.leftOut) view.leftOut = dataset.leftOut;
    if (dataset.declared) view.declared = dataset.declared;
    if (view.fields.some((field) => field.guessedKey)) {
      view.warnings.push(`source ${request.name}: table ${dataset.table} has no column named like a key; the draft guessed ${view.fields.find((field) => field.guessedKey)!.column} as its key: check that it identifies one row (the quality profile counts keys that repeat)`);
    }
    return view;
  });
  return { source: request.name, file: `${request.name}.yaml`, text: drafted.text, tables, editable: editsAllowed(context) };
}

/** The draft with the caller's department filled in, where the caller acts for one the gateway knows: the file is theirs. */
function ownDepartment(context: ConsoleContext, user: ConsoleUser, text: string): string {
  const name = context.gateway.served.mappings.find((mapping) => departmentSlug(mapping.department) === user.department)?.department;
  if (name === undefined) return text;
  const document = parseDocument(text);
  document.set('department', name);
  return document.toString({ lineWidth: 0 });
}

/** Runs `work` against the system the variable names, with every error worded without its value and naming the source. */
async function reaching<T>(context: ConsoleContext, user: ConsoleUser, request: DraftRequest, work: (options: DraftOptions) => Promise<T>): Promise<T> {
  const { env, connectorsDir, schemasDir } = context.gateway.configuration;
  const value = env[request.variable];
  if (GATEWAY_SECRETS.test(request.variable)) throw new ConsoleRefusal(400, `connection: ${request.variable} is one of the gateway's own secrets, not a system's connection`, request.name);
  if (value === undefined || value === '') throw new ConsoleRefusal(400, `connection: environment variable ${request.variable} is not set in the gateway's environment`, request.name);
  const other = context.gateway.served.mappings.find((mapping) => mapping.source.connection.reveal() === value && departmentSlug(mapping.department) !== user.department);
  if (other && user.department !== undefined) {
    throw new ConsoleRefusal(403, `connection: ${request.variable} is the connection of source ${other.name} of department ${other.department}: a liaison drafts from their own department's systems`, request.name);
  }
  const options: DraftOptions = { kind: request.kind, connection: request.variable, name: request.name, schemasDir, connectorsDir, env };
  if (request.tables.length > 0) options.tables = request.tables;
  try {
    return await work(options);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof SourceError)) throw error;
    throw new ConsoleRefusal(error instanceof UsageError ? 400 : 502, `source ${request.name} (${request.kind}, ${request.variable}): ${withoutSecret(error.message, value)}`, request.name);
  }
}

/** `message` with the connection's value, and its password if it is a URL, cut out: drivers' messages sometimes quote them. */
export function withoutSecret(message: string, value: string): string {
  const secrets = [value];
  try {
    const url = new URL(value);
    if (url.password) secrets.push(decodeURIComponent(url.password), url.password);
  } catch {
    // not a URL: the value alone
  }
  return secrets.filter((secret) => secret.length >= 4).reduce((text, secret) => text.split(secret).join('…'), message);
}
