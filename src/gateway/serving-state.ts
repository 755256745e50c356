/**
 * Everything one generation of configuration serves: the mappings, their open sources,
 * the bound datasets and each role's schema. A reload builds a new state beside the old
 * one and swaps it in whole.
 */
import type { GraphQLSchema } from 'graphql';
import { describesBySampling, type ConnectorMapping, type DatasetMapping } from '../config/mapping.js';
import { checkColumns } from '../config/check-columns.js';
import type { Problem } from '../config/problem.js';
import { bindDataset, bindJoins, type ServedDataset } from '../plan/served-dataset.js';
import type { RolesConfig } from '../config/roles.js';
import type { Secret } from '../config/secret.js';
import { fillPlaces } from '../privacy/place-points.js';
import { buildRoleViews } from '../privacy/role-views.js';
import { RequestMemo } from '../plan/request-memo.js';
import { datasetTypes } from '../schema/datasets.js';
import { withDeclaredTypes } from '../schema/declared-sdl.js';
import type { PublicSchema } from '../schema/sdl.js';
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

/**
 * What a table its system cannot describe now is: the gateway serves it unchecked, with a
 * warning, so one department's outage never keeps the others from starting; `validate` was
 * asked to check it against the system, and could not, which is an error.
 */
export type Undescribed = 'serve unchecked' | 'error';

/**
 * @param publicSchema the curated schema (`schemas/`); the mappings' declared types are added
 *   to it here, so that a declared type is served through the same path as a curated one.
 */
export async function buildServingState(
  mappings: ConnectorMapping[],
  curated: PublicSchema,
  sourceFor: (connector: ConnectorMapping) => Source,
  access: { roles: RolesConfig; pseudonymKey: Secret | undefined },
  undescribed: Undescribed = 'serve unchecked',
): Promise<ServingState> {
  const sources = new Map<string, Source>();
  const problems: Problem[] = [];
  const datasets: ServedDataset[] = [];
  const publicSchema = withDeclaredTypes(curated, mappings);
  const types = datasetTypes(publicSchema.schema);

  await Promise.all(
    mappings.map(async (connector) => {
      const source = sourceFor(connector);
      sources.set(connector.name, source);
      for (const { mapping, columns, problems: found } of await checkAgainstSource(connector, source, publicSchema.schema, undescribed)) {
        problems.push(...found);
        if (found.some((problem) => problem.severity === 'error')) continue;
        const type = types.get(mapping.typeName)!;
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
  // At every load, and then from time to time (refreshPlaces): the points every generalised position is served as (src/privacy/place-points.ts).
  problems.push(...(await refreshPlaces(views)));
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
 * Each dataset of the connector with the columns its table has (undefined: no such table;
 * 'unavailable': the source cannot answer now, and its datasets, if served, report the
 * source's error per query until it comes back) and what is wrong between the two.
 */
export async function checkAgainstSource(
  connector: ConnectorMapping,
  source: Source,
  schema: GraphQLSchema,
  undescribed: Undescribed,
): Promise<Array<{ mapping: DatasetMapping; columns: ColumnDescription[] | undefined | 'unavailable'; problems: Problem[] }>> {
  const checked = [];
  for (const mapping of connector.datasets) {
    const problems: Problem[] = [];
    let columns: ColumnDescription[] | undefined | 'unavailable';
    try {
      columns = await withTimeout(source.describeTable(mapping.table));
      problems.push(...checkColumns(mapping, columns, schema, connector.file, describesBySampling(connector.source.kind)));
    } catch (error) {
      columns = 'unavailable';
      const reason = error instanceof Error ? error.message : String(error);
      const [severity, consequence] = undescribed === 'error' ? (['error', 'nothing could be checked against it (--offline checks the files alone)'] as const) : (['warning', 'serving it unchecked'] as const);
      problems.push({ severity, file: connector.file, line: connector.source.at.line, column: connector.source.at.column, path: 'source', message: `could not describe table ${mapping.table}: ${reason}; ${consequence}` });
    }
    checked.push({ mapping, columns, problems });
  }
  return checked;
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

/** Computes each role's places again from its views; returns a warning for each dataset whose source could not answer. */
export async function refreshPlaces(views: Parameters<typeof fillPlaces>[0]): Promise<Problem[]> {
  return (await fillPlaces(views)).map(({ role, dataset, field, reason }) => {
    const at = dataset.mapping.fields.get(field)?.at ?? dataset.connector.source.at;
    return {
      severity: 'warning' as const,
      file: dataset.connector.file,
      line: at.line,
      column: at.column,
      path: `datasets.${dataset.type.name}.fields.${field}`,
      message: `could not compute the places of ${role}'s positions: ${reason}; blocks only these rows know serve ${role} no position until the places are computed again`,
    };
  });
}
