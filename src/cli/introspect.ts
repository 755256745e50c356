/**
 * `civicgraph introspect <kind> <connection>`: reads a live system's tables (collections,
 * files, or the endpoints named with --table) and writes a draft connector mapping for the
 * liaison to finish (see ../config/draft-mapping.ts). The connection is read, never written:
 * the draft names an environment variable instead, and nothing prints the value.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphQLSchema } from 'graphql';
import { draftMapping, type DraftedDataset, type DraftTable } from '../config/draft-mapping.js';
import { inferType } from '../config/infer-types.js';
import type { Environment } from '../config/interpolate.js';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import type { ConnectorMapping, CsvOptions, RestOptions, SourceConfig, SourceKind } from '../config/mapping.js';
import { Secret } from '../config/secret.js';
import { didYouMean } from '../config/suggest.js';
import { datasetTypes } from '../schema/datasets.js';
import { loadPublicSchema } from '../schema/sdl.js';
import { openSource } from '../source/open-source.js';
import { SourceError, type ColumnDescription, type Source } from '../source/source.js';

export const KINDS: readonly SourceKind[] = ['postgres', 'mysql', 'mssql', 'pglite', 'mongodb', 'rest', 'csv'];

export interface IntrospectOptions {
  kind: SourceKind;
  /** A URL or path, or the name of the environment variable holding it (kept out of shell history). */
  connection: string;
  /** The connector's name; default: the kind. */
  name?: string;
  /** Tables to read; default: every table the system lists. */
  tables?: readonly string[];
  /** `table=Type`: the public type a table fills, where the guess would be wrong. */
  types?: readonly string[];
  /** rest: `Header-Name=VARIABLE`, each header's value read from the environment. */
  headers?: readonly string[];
  /** rest: the dotted path to the records in a response. */
  records?: string;
  csv?: Partial<CsvOptions>;
  /** The file to write; standard output when absent. */
  out?: string;
  force?: boolean;
  schemasDir: string;
  connectorsDir: string;
  env?: Environment;
  print?: (line: string) => void;
  printError?: (line: string) => void;
}

/**
 * The draft was written, but some tables are in no dataset (no public type fits them, or
 * another table fills theirs). Not 0, so a CI job that redrafts a system notices a table it
 * would silently lose; not 1, which means nothing was written (bad arguments, no system).
 */
export const LEFT_OUT_EXIT_CODE = 2;

/** Rows sampled to infer the types of systems that store only text (CSV) or have no dates (JSON). */
const SAMPLE = 200;
const VARIABLE = /^[A-Z_][A-Z0-9_]*$/;

/** The options cannot be drafted from (a table that does not exist, a variable not set…); the message names what is at fault. */
export class UsageError extends Error {}

export async function introspect(options: IntrospectOptions): Promise<number> {
  const printError = options.printError ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    return await run(options, printError);
  } catch (error) {
    if (error instanceof UsageError || error instanceof SourceError) {
      const hint = error instanceof SourceError && options.kind === 'rest' && options.records === undefined && error.reason === 'bad-data' ? '; pass --records with their path (e.g. --records data.items)' : '';
      printError(`civicgraph introspect: ${error.message}${hint}`);
      return 1;
    }
    throw error;
  }
}

async function run(options: IntrospectOptions, printError: (line: string) => void): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const out = options.out === undefined ? undefined : resolve(options.out);
  if (out && existsSync(out) && !options.force) throw new UsageError(`${options.out} exists; pass --force to overwrite it`);
  const draft = await draftFromSystem(options, out ? dirname(out) : process.cwd());
  if (out) await writeFile(out, draft.text);
  else print(draft.text);
  for (const dataset of draft.datasets) {
    printError(
      dataset.leftOut !== undefined
        ? `${dataset.table}: left out: ${dataset.leftOut}; name another type for it with --type ${dataset.table}=Type`
        : dataset.declared !== undefined
          ? `${dataset.table} → ${dataset.type}, declared in the draft (${dataset.declared}): ${dataset.mapped.length} fields; rename and describe them under types:`
          : `${dataset.table} → ${dataset.type}: ${dataset.mapped.length} fields mapped${dataset.unmatchedColumns.length > 0 ? `; columns left for you: ${dataset.unmatchedColumns.join(', ')}` : ''}`,
    );
  }
  if (draft.connection.startsWith('${')) printError(`The draft reads its connection from ${draft.connection}: set it in the gateway's environment.`);
  if (out) printError(`Wrote ${relative(process.cwd(), out) || out}. Every field is hidden from the public until you decide; then run civicgraph validate.`);
  const leftOut = draft.datasets.filter((dataset) => dataset.leftOut !== undefined).length;
  if (leftOut === 0) return 0;
  printError(`${leftOut} of ${draft.datasets.length} tables left out of the draft (listed at its end); exit code ${LEFT_OUT_EXIT_CODE}`);
  return LEFT_OUT_EXIT_CODE;
}

/** What to draft from, as `introspect` takes it; the console passes the same (./../request/console/drafts.ts). */
export type DraftOptions = Omit<IntrospectOptions, 'out' | 'force' | 'print' | 'printError'>;

export interface SystemDraft {
  /** The mapping file's text. */
  text: string;
  datasets: DraftedDataset[];
  /** Each table read, with its columns as described (and, for CSV and JSON, inferred). */
  tables: DraftTable[];
  /** The connection as the draft spells it: `${VARIABLE}`, or a path for files. */
  connection: string;
}

/**
 * The tables a system lists (for REST, none: an API does not list its endpoints). Throws
 * UsageError or SourceError, whose messages carry no connection value.
 */
export async function systemTables(options: DraftOptions): Promise<string[]> {
  const { source } = await openSystem(options, process.cwd());
  try {
    return await source.listTables();
  } finally {
    await source.close();
  }
}

/** Reads the system's tables and drafts a mapping of them; `dir`: where the draft will be, for the paths it writes. */
export async function draftFromSystem(options: DraftOptions, dir: string): Promise<SystemDraft> {
  const env = options.env ?? process.env;
  const { source, name, written } = await openSystem(options, dir);
  try {
    const { roles } = await loadRoles(join(options.connectorsDir, ROLES_FILE), env);
    const { schema } = await loadPublicSchema(options.schemasDir);
    const types = tableTypes(options.types ?? [], schema);
    const names = options.tables && options.tables.length > 0 ? [...options.tables] : await source.listTables();
    if (names.length === 0) {
      throw new UsageError(options.kind === 'rest' ? 'an API does not list its endpoints: name each with --table (e.g. --table v1/permits)' : 'the system holds no tables to read');
    }
    for (const table of types.keys()) {
      if (!names.includes(table)) throw new UsageError(`--type names table "${table}", which is not among the tables read${didYouMean(table, names)} (${names.join(', ')})`);
    }
    const tables: DraftTable[] = [];
    for (const table of names) {
      const columns = await source.describeTable(table);
      if (!columns) throw new UsageError(`table "${table}" does not exist in the source`);
      const typed = options.kind === 'csv' || options.kind === 'rest' ? await inferTypes(source, table, columns) : columns;
      const type = types.get(table);
      tables.push(type ? { table, columns: typed, type } : { table, columns: typed });
    }
    const jsonSchemaPath = relative(dir, fileURLToPath(new URL('../config/mapping.schema.json', import.meta.url)));
    const draft = draftMapping({ name, kind: options.kind, connection: written, settings: settings(options), tables, schema, publicRole: roles?.publicRole ?? 'public', jsonSchemaPath });
    return { ...draft, tables, connection: written };
  } finally {
    await source.close();
  }
}

/** The system's source, opened (no connection is made before the first question), with the connector's name and its connection as the draft spells it. */
async function openSystem(options: DraftOptions, dir: string): Promise<{ source: Source; name: string; written: string }> {
  const env = options.env ?? process.env;
  const name = options.name ?? options.kind;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new UsageError(`--name "${name}" must be lowercase letters, digits and '-' (e.g. permits-api)`);
  const { value, written } = connection(options, name, dir, env);
  const config = sourceConfig(options, value, env);
  const mapping: ConnectorMapping = { file: join(dir, 'draft.yaml'), name, system: name, department: name, liaison: { name: '', email: '' }, source: config, types: [], datasets: [] };
  return { source: openSource(mapping), name, written };
}

/** The connection to read now, and how the draft spells it: an environment variable, or for CSV the path. */
function connection(options: DraftOptions, name: string, dir: string, env: Environment): { value: string; written: string } {
  if (VARIABLE.test(options.connection)) {
    const value = env[options.connection];
    if (value === undefined || value === '') throw new UsageError(`environment variable ${options.connection} is not set`);
    return { value, written: `\${${options.connection}}` };
  }
  if (options.kind === 'csv' || options.kind === 'pglite') {
    const path = resolve(options.connection);
    return { value: path, written: relative(dir, path) || '.' };
  }
  return { value: options.connection, written: `\${${name.toUpperCase().replace(/-/g, '_')}_URL}` };
}

function sourceConfig(options: DraftOptions, value: string, env: Environment): SourceConfig {
  const config: SourceConfig = {
    kind: options.kind,
    connection: new Secret(value),
    pool: { min: 0, max: 2 },
    queryTimeoutMs: 30_000,
    timezone: 'UTC',
    memoryRowLimit: 10_000_000,
    at: { file: 'civicgraph introspect', line: 0, column: 0 },
  };
  if (options.kind === 'rest') {
    const rest: RestOptions = {
      headers: headerVariables(options.headers ?? []).map(([header, variable]) => {
        const secret = env[variable];
        if (secret === undefined) throw new UsageError(`environment variable ${variable} (for header ${header}) is not set`);
        return [header, new Secret(secret)] as const;
      }),
      query: [],
      records: options.records ?? '',
      pagination: { style: 'none' },
      retries: 2,
      maxResponseBytes: 50 * 1024 * 1024,
    };
    config.rest = rest;
  }
  if (options.kind === 'csv') config.csv = { delimiter: ',', quote: '"', encoding: 'utf8', header: true, ...options.csv };
  return config;
}

/** What the draft's source block says besides kind and connection. */
function settings(options: DraftOptions): Record<string, unknown> {
  if (options.kind === 'rest') {
    const headers = Object.fromEntries(headerVariables(options.headers ?? []).map(([header, variable]) => [header, `\${${variable}}`]));
    return { rest: { ...(Object.keys(headers).length > 0 ? { headers } : {}), records: options.records ?? '', pagination: { style: 'none' } } };
  }
  if (options.kind === 'csv' && options.csv && Object.keys(options.csv).length > 0) return { csv: options.csv };
  return {};
}

function headerVariables(headers: readonly string[]): Array<[string, string]> {
  return headers.map((header) => {
    const [name, variable] = header.split('=');
    if (!name || !variable || !VARIABLE.test(variable)) throw new UsageError(`--header "${header}" must be Header-Name=VARIABLE, the value read from that environment variable`);
    return [name, variable];
  });
}

/** `--type table=Type` pairs, each naming a dataset type of the public schema. */
function tableTypes(pairs: readonly string[], schema: GraphQLSchema): Map<string, string> {
  const known = [...datasetTypes(schema).keys()].sort();
  return new Map(
    pairs.map((pair) => {
      const at = pair.lastIndexOf('=');
      if (at <= 0) throw new UsageError(`--type "${pair}" must be table=Type (e.g. permits.csv=Permit)`);
      const type = pair.slice(at + 1);
      // A name that is no public type declares a new one, unless it is a near miss of one (a typo would otherwise declare a type).
      const nearMiss = known.includes(type) ? '' : didYouMean(type, known, { ignoreCase: true });
      if (nearMiss || !/^[A-Z][_0-9A-Za-z]*$/.test(type) || (!known.includes(type) && schema.getType(type))) {
        throw new UsageError(`--type ${pair}: "${type}" is not a public dataset type${nearMiss}; name one of ${known.join(', ')}, or a new type to declare (a capital letter, then letters and digits, e.g. CodeCase)`);
      }
      return [pair.slice(0, at), type];
    }),
  );
}

/** Text columns whose sampled values all fit a narrower type take it (the liaison confirms it in the draft). */
async function inferTypes(source: Source, table: string, columns: readonly ColumnDescription[]): Promise<ColumnDescription[]> {
  const text = columns.filter((column) => column.type === 'text');
  if (text.length === 0) return [...columns];
  const select = Object.fromEntries(text.map((column, i) => [`c${i}`, { column: column.name }]));
  const rows = await source.find({ table, select, orderBy: [], limit: SAMPLE, offset: 0 });
  const inferred = new Map(text.map((column, i) => [column.name, inferType(rows.map((row) => row[`c${i}`]))]));
  return columns.map((column) => {
    const type = inferred.get(column.name);
    return type === undefined || type === column.type ? column : { ...column, type, nativeType: `${column.nativeType}, values look like ${type}` };
  });
}
