/**
 * Everything one generation of configuration serves: the mappings, their open sources,
 * the bound datasets and each role's schema. A reload builds a new state beside the old
 * one and swaps it in whole.
 */
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { describesBySampling, type ConnectorMapping } from '../config/mapping.js';
import { checkColumns } from '../config/check-columns.js';
import type { Problem } from '../config/problem.js';
import { bindDataset, bindJoins, type ServedDataset } from '../plan/served-dataset.js';
import type { RolesConfig } from '../config/roles.js';
import type { Secret } from '../config/secret.js';
import { buildRoleViews } from '../privacy/role-views.js';
import { RequestMemo } from '../plan/request-memo.js';
import type { DatasetType } from '../schema/datasets.js';
import { buildRoleSchema, type RoleView } from '../schema/role-schema.js';
import type { ColumnDescription, Source } from '../source/source.js';

/** How long startup waits for a source to describe (or size) its tables before serving without it. */
const DESCRIBE_TIMEOUT_MS = 15_000;

export interface ServingState {
  mappings: ConnectorMapping[];
  /** By connector name. */
  sources: Map<string, Source>;
  /** Every dataset with all its fields; serve only through a role's view. */
  datasets: ServedDataset[];
  views: RoleView[];
  schemas: Map<string, GraphQLSchema>;
  problems: Problem[];
}

export async function buildServingState(
  mappings: ConnectorMapping[],
  publicSchema: { document: DocumentNode; schema: GraphQLSchema },
  datasetTypes: ReadonlyMap<string, DatasetType>,
  sourceFor: (connector: ConnectorMapping) => Source,
  access: { roles: RolesConfig; pseudonymKey: Secret | undefined },
): Promise<ServingState> {
  const sources = new Map<string, Source>();
  const problems: Problem[] = [];
  const datasets: ServedDataset[] = [];

  await Promise.all(
    mappings.map(async (connector) => {
      const source = sourceFor(connector);
      sources.set(connector.name, source);
      for (const mapping of connector.datasets) {
        const columns = await describe(source, mapping.table, connector, problems);
        const sampled = describesBySampling(connector.source.kind);
        const found = columns === 'unavailable' ? [] : checkColumns(mapping, columns, publicSchema.schema, connector.file, sampled);
        problems.push(...found);
        if (found.some((problem) => problem.severity === 'error')) continue;
        const type = datasetTypes.get(mapping.typeName)!;
        datasets.push(bindDataset(connector, mapping, type, source, columns === 'unavailable' ? undefined : columns));
      }
    }),
  );
  datasets.sort((a, b) => a.type.name.localeCompare(b.type.name));
  for (const { dataset, join } of bindJoins(datasets)) {
    problems.push({
      severity: 'warning',
      file: dataset.connector.file,
      line: join.at.line,
      column: join.at.column,
      path: `datasets.${dataset.type.name}.joins.${join.name}`,
      message: `${join.target} is not being served, so this join is left out until it is`,
    });
  }

  // Each role's schema is generated from its view alone: what the view lacks cannot be asked for.
  const views = buildRoleViews(datasets, access);
  await estimateRows(views);
  const schemas = new Map(views.map((view) => [view.role, buildRoleSchema(publicSchema.document, view)]));
  return { mappings, sources, datasets, views, schemas, problems };
}

/**
 * Each view's dataset size, for what its counts and statistics cost, from the view's own source:
 * the rows the role may see. Views that share a source and table share one estimate; a source
 * that cannot answer in time leaves the size unknown (and the cost at its default).
 */
async function estimateRows(views: readonly RoleView[]): Promise<void> {
  const estimates = new Map<Source, Map<string, Promise<number | undefined>>>();
  const estimate = (source: Source, table: string): Promise<number | undefined> => {
    let tables = estimates.get(source);
    if (!tables) estimates.set(source, (tables = new Map()));
    let known = tables.get(table);
    if (!known) tables.set(table, (known = withTimeout(source.estimateRows(table)).catch(() => undefined)));
    return known;
  };
  await Promise.all(
    views.flatMap((view) =>
      view.datasets.map(async (dataset) => {
        const rows = await estimate(dataset.sourceFor(new RequestMemo()), dataset.mapping.table);
        if (rows !== undefined) dataset.rowEstimate = rows;
      }),
    ),
  );
}

/**
 * The table's columns, or 'unavailable' when the source cannot answer now: its datasets
 * are served anyway and report the source's error per query until it comes back.
 */
async function describe(
  source: Source,
  table: string,
  connector: ConnectorMapping,
  problems: Problem[],
): Promise<ColumnDescription[] | undefined | 'unavailable'> {
  try {
    return await withTimeout(source.describeTable(table));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problems.push({ severity: 'warning', file: connector.file, line: connector.source.at.line, column: connector.source.at.column, path: 'source', message: `could not describe table ${table}: ${reason}; serving it unchecked` });
    return 'unavailable';
  }
}

/** `work`, or a rejection once a source has taken longer than startup waits. */
async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DESCRIBE_TIMEOUT_MS / 1000} s`)), DESCRIBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
