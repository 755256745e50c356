/**
 * Builds a ConnectorMapping from one shape-checked mapping file: applies defaults, checks
 * what the JSON Schema cannot (time zones, connection form, pool bounds) and resolves each
 * dataset against the public schema. Yields no mapping when anything in the file is wrong.
 */
import { dirname, resolve } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { resolveDataset, type RawDataset } from './dataset.js';
import type { ConnectorMapping, DatasetMapping, SourceConfig, SourceKind } from './mapping.js';
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
    pool?: { min?: number; max?: number };
  };
  datasets: Record<string, RawDataset>;
}

/**
 * @param schemaErrorAt JSON pointers where the JSON Schema found errors in this file.
 * @param roles roles.yaml, for the datasets' access rules; undefined when it did not load.
 */
export function resolveConnector(
  source: YamlSource,
  schema: GraphQLSchema,
  schemaErrorAt: readonly string[],
  roles?: RolesConfig,
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

  let sourceConfig: SourceConfig | undefined;
  if (raw?.source && !schemaErrorAt.includes('/source')) sourceConfig = resolveSource(raw.source);

  if (schemaErrorAt.length > 0 || hasErrors(problems) || !raw || !sourceConfig) return { problems };
  const { name, system, department, liaison } = raw as RawConnector;
  return {
    mapping: { file: source.file, name, system, department, liaison: { ...liaison }, source: sourceConfig, datasets },
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
    if (problems.length > before || connection === undefined || rejected(['source'])) return undefined;
    return {
      kind: rawSource.kind,
      connection: new Secret(connection),
      pool,
      queryTimeoutMs: rawSource.queryTimeoutMs ?? 10_000,
      timezone,
      at: source.keyAt(['source']),
    };
  }

  /** Never puts the value in a message: it is likely to hold a password. */
  function resolveConnection(kind: SourceKind, value: string): string | undefined {
    const path: KeyPath = ['source', 'connection'];
    const variables = source.variablesAt(path);
    const origin = variables.length > 0 ? ` (from ${variables.map((name) => '${' + name + '}').join(', ')})` : '';
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
    if (kind === 'pglite') {
      // A data directory travels with the mapping file, like the paths in a docker-compose.yml.
      return scheme ? value : resolve(dirname(source.file), value);
    }
    // The scheme is checked too: `kind: postgres` with pglite's `memory://` is a half-edited file.
    if (scheme ? URL_SCHEMES[kind].includes(scheme) : kind === 'mssql' && value.includes('=')) return value;
    const expected = kind === 'mssql' ? 'a URL such as mssql://user@host:1433/database or an ADO string (Server=…;Database=…)' : `a URL such as ${kind}://user@host/database`;
    report(path, `the connection${origin} must be ${expected}, for kind "${kind}"`);
    return undefined;
  }
}

const URL_SCHEMES: Record<Exclude<SourceKind, 'pglite'>, readonly string[]> = {
  postgres: ['postgres', 'postgresql'],
  mysql: ['mysql', 'mysql2', 'mariadb'],
  mssql: ['mssql', 'sqlserver'],
};

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
