/**
 * Builds a ConnectorMapping from one shape-checked mapping file: applies defaults, checks
 * what the JSON Schema cannot (time zones, connection form, pool bounds) and resolves each
 * dataset against the public schema. When anything in the file is wrong, the mapping it yields
 * (if its source resolves) holds only what resolved: it must never be served, only checked
 * against its system, so that one run reports all of the file's problems.
 */
import { basename, dirname, resolve } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { resolveDataset, type RawDataset } from './dataset.js';
import { isSqlKind, type ConnectorMapping, type CsvOptions, type DatasetMapping, type DeclaredTypeMapping, type RestOptions, type RestPagination, type SourceConfig, type SourceKind } from './mapping.js';
import { hasErrors, pathString, type Problem } from './problem.js';
import type { RolesConfig } from './roles.js';
import { Secret } from './secret.js';
import { didYouMean } from './suggest.js';
import { shown } from './validate-raw.js';
import { pointer, type KeyPath, type YamlSource } from './yaml-document.js';

export interface RawConnector {
  name: string;
  system: string;
  department: string;
  liaison: { name: string; email: string };
  source: {
    kind: SourceKind;
    connection: string;
    timezone?: string;
    queryTimeoutMs?: number;
    memoryRowLimit?: number;
    pool?: { min?: number; max?: number };
    rest?: RawRest;
    csv?: Partial<CsvOptions>;
  };
  datasets: Record<string, RawDataset>;
}

interface RawRest {
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  records?: string;
  pagination?: { style: RestPagination['style'] } & Record<string, string | number>;
  retries?: number;
  maxResponseBytes?: number;
}

/** Defaults of each pagination style, so that `{ style: page }` alone works for the common `?page=&per_page=`. */
const PAGINATION_DEFAULTS = {
  page: { pageParam: 'page', sizeParam: 'per_page', firstPage: 1, size: 100 },
  offset: { offsetParam: 'offset', limitParam: 'limit', size: 100 },
  cursor: { cursorParam: 'cursor', size: 100 },
  none: {},
} as const;

/**
 * @param schemaErrorAt JSON pointers where the JSON Schema found errors in this file.
 * @param roles roles.yaml, for the datasets' access rules; undefined when it did not load.
 */
export function resolveConnector(
  source: YamlSource,
  schema: GraphQLSchema,
  schemaErrorAt: readonly string[],
  roles?: RolesConfig,
  types: DeclaredTypeMapping[] = [],
): { mapping?: ConnectorMapping; problems: Problem[] } {
  const problems: Problem[] = [];
  const raw = source.data as Partial<RawConnector> | undefined;
  const rejected = (path: KeyPath) => schemaErrorAt.some((error) => error === pointer(path) || error.startsWith(pointer(path) + '/'));
  const report = (path: KeyPath, message: string) => problems.push({ severity: 'error', ...source.valueAt(path), path: pathString(path), message });

  const datasets: DatasetMapping[] = [];
  if (raw && typeof raw.datasets === 'object' && raw.datasets !== null && !schemaErrorAt.includes('/datasets')) {
    for (const [typeName, rawDataset] of Object.entries(raw.datasets)) {
      const result = resolveDataset(source, typeName, rawDataset, schema, schemaErrorAt, roles);
      problems.push(...result.problems);
      if (result.dataset) datasets.push(result.dataset);
    }
  }

  // A declared type belongs to the file that declares it, so that adopting it into schemas/ moves one file's declaration.
  const filled = new Set(raw && typeof raw.datasets === 'object' && raw.datasets !== null ? Object.keys(raw.datasets) : []);
  for (const type of types) {
    if (!filled.has(type.name)) {
      problems.push({ severity: 'error', ...source.keyAt(['types', type.name]), path: `types.${type.name}`, message: `${type.name} is declared but not filled: add datasets.${type.name} with its table and fields, or remove the declaration` });
    }
  }

  let sourceConfig: SourceConfig | undefined;
  if (raw?.source && !schemaErrorAt.includes('/source')) sourceConfig = resolveSource(raw.source);
  if (raw?.source?.kind && !rejected(['source', 'kind'])) checkKindFits(raw.source.kind, datasets, raw.source.csv?.header ?? true);

  if (!raw || !sourceConfig) return { problems };
  if (schemaErrorAt.length > 0 || hasErrors(problems)) {
    // Never served; only checked against its system, where the source's name labels its errors.
    const name = typeof raw.name === 'string' && !rejected(['name']) ? raw.name : basename(source.file).replace(/\.ya?ml$/i, '');
    return { mapping: { file: source.file, name, system: '', department: '', liaison: { name: '', email: '' }, source: sourceConfig, types, datasets }, problems };
  }
  const { name, system, department, liaison } = raw as RawConnector;
  return {
    mapping: { file: source.file, name, system, department, liaison: { ...liaison }, source: sourceConfig, types, datasets },
    problems,
  };

  function resolveSource(rawSource: RawConnector['source']): SourceConfig | undefined {
    // Each check runs unless the JSON Schema already rejected what it reads.
    const before = problems.length;
    const timezone = rawSource.timezone ?? 'UTC';
    if (!rejected(['source', 'timezone']) && !isTimeZone(timezone)) {
      report(
        ['source', 'timezone'],
        `${shown(source, ['source', 'timezone'], timezone)} is not an IANA time zone such as America/Chicago${didYouMean(timezone, Intl.supportedValuesOf('timeZone'), { ignoreCase: true })}`,
      );
    }
    const pool = { min: rawSource.pool?.min ?? 0, max: rawSource.pool?.max ?? 10 };
    if (!rejected(['source', 'pool']) && pool.min > pool.max) report(['source', 'pool'], `min (${pool.min}) must not exceed max (${pool.max})`);
    const connection =
      rejected(['source', 'kind']) || rejected(['source', 'connection']) ? undefined : resolveConnection(rawSource.kind, rawSource.connection);
    for (const block of ['rest', 'csv'] as const) {
      if (rawSource[block] !== undefined && rawSource.kind !== block) report(['source', block], `"${block}" settings apply only to kind ${block}, and this source is kind ${rawSource.kind}`);
    }
    if (problems.length > before || connection === undefined || rejected(['source'])) return undefined;
    const config: SourceConfig = {
      kind: rawSource.kind,
      connection: new Secret(connection),
      pool,
      queryTimeoutMs: rawSource.queryTimeoutMs ?? 10_000,
      timezone,
      memoryRowLimit: rawSource.memoryRowLimit ?? 100_000,
      at: source.keyAt(['source']),
    };
    if (rawSource.kind === 'rest') config.rest = resolveRest(rawSource.rest ?? {});
    if (rawSource.kind === 'csv') config.csv = { delimiter: ',', quote: '"', encoding: 'utf8', header: true, ...rawSource.csv };
    return config;
  }

  function resolveRest(rest: RawRest): RestOptions {
    const headers = Object.entries(rest.headers ?? {}).map(([name, value]) => {
      // A token written into the file ends up in version control and in every copy of the file.
      if (source.variablesAt(['source', 'rest', 'headers', name]).length === 0 && /authorization|token|key|secret/i.test(name)) {
        problems.push({
          severity: 'warning',
          ...source.valueAt(['source', 'rest', 'headers', name]),
          path: pathString(['source', 'rest', 'headers', name]),
          message: `header "${name}" is written in the file; put its value in an environment variable and write \${VARIABLE} here`,
        });
      }
      return [name, new Secret(value)] as const;
    });
    const { style = 'none', ...given } = rest.pagination ?? {};
    return {
      headers,
      query: Object.entries(rest.query ?? {}).map(([name, value]) => [name, String(value)] as const),
      records: rest.records ?? '',
      pagination: { style, ...PAGINATION_DEFAULTS[style], ...given } as RestPagination,
      retries: rest.retries ?? 3,
      maxResponseBytes: rest.maxResponseBytes ?? 10 * 1024 * 1024,
    };
  }

  /** What a kind cannot do, said where the mapping asks for it. */
  function checkKindFits(kind: SourceKind, resolved: readonly DatasetMapping[], csvHeader: boolean) {
    const rawDatasets = raw?.datasets ?? {};
    for (const [typeName, rawDataset] of Object.entries(rawDatasets)) {
      if (typeof rawDataset !== 'object' || rawDataset === null) continue;
      const base: KeyPath = ['datasets', typeName];
      if (rawDataset.filterParams !== undefined && kind !== 'rest') {
        report([...base, 'filterParams'], `"filterParams" tell a REST API which filters it applies; kind ${kind} ${isSqlKind(kind) || kind === 'mongodb' ? 'applies every filter itself' : 'applies none'}`);
      }
      if (rawDataset.columns !== undefined && isSqlKind(kind)) {
        report([...base, 'columns'], `a ${kind} database describes its own column types (and validate checks them against the fields); remove "columns"`);
      }
      if (kind === 'csv' && !csvHeader && rawDataset.columns === undefined) {
        problems.push({ severity: 'error', ...source.keyAt(base), path: pathString(base), message: 'the CSV files have no header (csv.header: false), so "columns" must name the fields in order' });
      }
    }
    if (isSqlKind(kind)) return;
    for (const dataset of resolved) {
      for (const [name, field] of dataset.fields) {
        const scalars = field.kind === 'scalar' ? [[name, field] as const] : [...field.fields].map(([sub, value]) => [`${name}.fields.${sub}`, value] as const);
        for (const [path, scalar] of scalars) {
          if ('expression' in scalar.ref) {
            problems.push({
              severity: 'error',
              ...scalar.at,
              path: `datasets.${dataset.typeName}.fields.${path}`,
              message: `"expression" is SQL, and a ${kind} source has none: map a column${kind === 'csv' ? '' : ' (a dotted path such as address.street)'}`,
            });
          }
        }
      }
    }
  }

  /** Never puts the value in a message: it is likely to hold a password. */
  function resolveConnection(kind: SourceKind, value: string): string | undefined {
    const path: KeyPath = ['source', 'connection'];
    const variables = source.variablesAt(path);
    const origin = variables.length > 0 ? ` (from ${variables.map((name) => '${' + name + '}').join(', ')})` : '';
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
    if (kind === 'pglite' || kind === 'csv') {
      // A data directory or export folder travels with the mapping file, like the paths in a docker-compose.yml.
      if (kind === 'csv' && scheme) {
        report(path, `the connection${origin} must be a file or folder path for kind "csv", such as ./exports or /srv/exports/permits.csv`);
        return undefined;
      }
      return scheme ? value : resolve(dirname(source.file), value);
    }
    // The scheme is checked too: `kind: postgres` with pglite's `memory://` is a half-edited file.
    if (scheme ? URL_SCHEMES[kind].includes(scheme) : kind === 'mssql' && value.includes('=')) return value;
    const expected = EXPECTED_CONNECTION[kind];
    report(path, `the connection${origin} must be ${expected}, for kind "${kind}"`);
    return undefined;
  }
}

const URL_SCHEMES: Record<Exclude<SourceKind, 'pglite' | 'csv'>, readonly string[]> = {
  postgres: ['postgres', 'postgresql'],
  mysql: ['mysql', 'mysql2', 'mariadb'],
  mssql: ['mssql', 'sqlserver'],
  mongodb: ['mongodb', 'mongodb+srv'],
  rest: ['http', 'https'],
};

const EXPECTED_CONNECTION: Record<Exclude<SourceKind, 'pglite' | 'csv'>, string> = {
  postgres: 'a URL such as postgres://user@host/database',
  mysql: 'a URL such as mysql://user@host/database',
  mssql: 'a URL such as mssql://user@host:1433/database or an ADO string (Server=…;Database=…)',
  mongodb: 'a URL such as mongodb://user@host:27017/database',
  rest: 'the API base URL, such as https://api.example.gov/v1/',
};

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
