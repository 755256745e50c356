/** Resolvers of the generated query surface: each hands its arguments to the planner. */
import type { IResolvers } from '@graphql-tools/utils';
import type { GraphQLResolveInfo } from 'graphql';
import type { DatasetMapping } from '../config/mapping.js';
import type { Catalog } from '../generated/graphql.js';
import { resolveConnection, type Connection, type ConnectionArgs } from '../plan/connection.js';
import { planFilter, type FilterInput } from '../plan/filter.js';
import type { JoinArgs } from '../plan/join.js';
import { orderChoices, type OrderChoice } from '../plan/order.js';
import { badRequest } from '../plan/bad-request.js';
import { decodeNodeId, encodeNodeId, NODE_ID_FIELD } from '../plan/node-id.js';
import { MAX_PAGE_SIZE } from '../plan/page.js';
import { selectedConnectionFields, selectedNodeFields, selectedObjectFields, selectedStatsValues } from '../plan/selected-fields.js';
import { groupChoices, resolveStats, type GroupChoice } from '../plan/stats.js';
import { filterFields } from '../privacy/audit.js';
import { normalizeAddress } from '../source/address.js';
import { statsFieldName } from './stats-sdl.js';
import type { ServedDataset } from '../plan/served-dataset.js';
import type { RequestContext } from '../request/context.js';
import { DateScalar, DateTimeScalar } from './scalars.js';
import { sortableFields } from './dataset-sdl.js';

const DCAT_US = 'https://project-open-data.cio.gov/v1.1/schema';

/** DCAT-US asks a dataset that is not public why (`rights`); when its liaison wrote nothing, its publication says. */
const RIGHTS: Record<DatasetMapping['publication'], string> = {
  public: 'Published with the access rules of its mapping: some fields are withheld or coarsened for the public.',
  internal: 'Served to city staff only.',
  draft: 'A draft under review by its department; served to that department only.',
};

type Resolver = (parent: any, args: any, context: RequestContext, info: GraphQLResolveInfo) => unknown;

/** The filter and order as the fingerprints of cursors and loaders see them; order keys are named by field. */
function argsIdentity(args: { filter?: unknown; orderBy?: readonly OrderChoice[] | null }): { filter?: unknown; orderBy?: string[] } {
  return { filter: args.filter, orderBy: args.orderBy?.map(({ field, direction }) => `${field.path}:${direction}`) };
}

export function resolvers(datasets: readonly ServedDataset[]): IResolvers<unknown, RequestContext> {
  const query: Record<string, Resolver> = { catalog: () => catalog(datasets) };
  const types: Record<string, Record<string, unknown>> = {};
  const address: Record<string, Resolver> = {};

  for (const dataset of datasets) {
    const typeName = dataset.type.name;
    types[`${typeName}OrderBy`] = Object.fromEntries(orderChoices(sortableFields(dataset)));
    types[`${typeName}Connection`] = { totalCount: (connection: Connection) => connection.count() };
    types[`${typeName}GroupBy`] = Object.fromEntries(groupChoices(dataset));
    query[dataset.many] = async (_, args: ConnectionArgs, context, info) => {
      const fields = selectedConnectionFields(info, dataset);
      const connection = await resolveConnection(dataset, context.loaders.memo, args, fields, argsIdentity(args));
      context.audit.record(dataset, [...fields, ...filterFields(args.filter)], connection.edges.length);
      return connection;
    };
    if (dataset.byId) {
      query[dataset.one] = async (_, args: { id: string }, context, info) => {
        const fields = selectedObjectFields(info, dataset);
        const row = await context.loaders.byKey(dataset, fields).load(args.id);
        context.audit.record(dataset, fields, row ? 1 : 0);
        return row;
      };
    }
    query[statsFieldName(dataset)] = async (_, args: { filter?: FilterInput; groupBy?: GroupChoice[] }, context, info) => {
      const values = selectedStatsValues(info, typeName);
      const groupBy = args.groupBy ?? [];
      const groups = await resolveStats(dataset, context.loaders.memo, planFilter(dataset, args.filter), { groupBy, values });
      context.audit.record(dataset, [...Object.values(values).flat(), ...groupBy.map((choice) => choice.path), ...filterFields(args.filter)], groups.length);
      return groups;
    };

    const fieldResolvers: Record<string, Resolver> = {};
    if (dataset.byId) {
      const keyField = dataset.mapping.keyField;
      fieldResolvers[NODE_ID_FIELD] = (row: Record<string, unknown>) => encodeNodeId(typeName, String(row[keyField]));
    }
    for (const join of dataset.joins.values()) {
      fieldResolvers[join.mapping.name] = async (parent: Record<string, unknown>, args: JoinArgs, context, info) => {
        const value = parent[join.mapping.from];
        const fields = selectedObjectFields(info, join.target);
        const rows =
          value === null || value === undefined
            ? []
            : await context.loaders.join(dataset, join, args, JSON.stringify([args.filter ?? null, argsIdentity(args).orderBy ?? null, args.first ?? null]), fields).load(String(value));
        const result = join.mapping.cardinality === 'one' ? rows.slice(0, 1) : rows;
        context.audit.record(join.target, [...fields, ...filterFields(args.filter)], result.length);
        return join.mapping.cardinality === 'one' ? (result[0] ?? null) : result;
      };
    }
    if (Object.keys(fieldResolvers).length > 0) types[typeName] = fieldResolvers;

    const located = dataset.address;
    if (located) {
      address[dataset.many] = async (parent: { line: string }, args: ConnectionArgs, context, info) => {
        const fields = selectedConnectionFields(info, dataset);
        const connection = await resolveConnection(dataset, context.loaders.memo, args, fields, argsIdentity(args), {
          id: parent.line,
          where: planFilter(dataset, { [located.path]: { eq: parent.line } })!,
        });
        // The address itself is compared: a role that reads it raw (where the public does not) is audited for it.
        context.audit.record(dataset, [...fields, ...filterFields(args.filter), located.path], connection.edges.length);
        return connection;
      };
    }
  }
  Object.assign(query, nodeResolvers(datasets));
  if (datasets.some((dataset) => dataset.byId)) types.Node = { __resolveType: (row: { __typename: string }) => row.__typename };
  if (Object.keys(address).length > 0) {
    query.address = (_, args: { line: string }) => ({ line: normalizeAddress(args.line) });
    types.Address = address;
  }

  return { DateTime: DateTimeScalar, Date: DateScalar, Query: query, ...types } as IResolvers<unknown, RequestContext>;
}

/**
 * `node(id:)` and `nodes(ids:)`: each id is looked up through the same batched by-id loaders,
 * row rules and audit as the by-id fields. An id of a type the role cannot look up by id
 * answers null, exactly like a row that does not exist, so no answer tells such a type apart.
 */
function nodeResolvers(datasets: readonly ServedDataset[]): Record<string, Resolver> {
  const identified = new Map(datasets.filter((dataset) => dataset.byId).map((dataset) => [dataset.type.name, dataset]));
  if (identified.size === 0) return {};
  const load = async (id: string, argument: string, context: RequestContext, fieldsOf: (dataset: ServedDataset) => string[]) => {
    const { type, key } = decodeNodeId(id, argument);
    const dataset = identified.get(type);
    if (!dataset) return null;
    const fields = fieldsOf(dataset);
    const row = await context.loaders.byKey(dataset, fields).load(key);
    context.audit.record(dataset, fields, row ? 1 : 0);
    return row && { ...row, __typename: type };
  };
  return {
    node: (_, args: { id: string }, context, info) => load(args.id, 'id', context, (dataset) => selectedNodeFields(info, dataset)),
    nodes: (_, args: { ids: string[] }, context, info) => {
      if (args.ids.length > MAX_PAGE_SIZE) throw badRequest('ids', `at most ${MAX_PAGE_SIZE} ids per list, as many as one page holds; ask for the others in another list`);
      const selected = new Map<ServedDataset, string[]>();
      const fieldsOf = (dataset: ServedDataset) => selected.get(dataset) ?? selected.set(dataset, selectedNodeFields(info, dataset)).get(dataset)!;
      // One promise per id: a malformed id fails its own item, and the others still answer.
      return args.ids.map((id) => load(id, 'ids', context, fieldsOf));
    },
  };
}

function catalog(datasets: readonly ServedDataset[]): Catalog {
  return {
    conformsTo: DCAT_US,
    dataset: datasets.map(({ mapping, connector }) => ({
      identifier: mapping.typeName,
      title: mapping.metadata.title,
      description: mapping.metadata.description,
      keyword: mapping.metadata.keywords,
      publisher: { name: connector.department },
      contactPoint: contactPoint(mapping.metadata.contact ?? connector.liaison),
      accessLevel: mapping.metadata.accessLevel,
      license: mapping.metadata.license ?? null,
      accrualPeriodicity: mapping.metadata.accrualPeriodicity ?? null,
      rights: mapping.metadata.rights ?? (mapping.metadata.accessLevel === 'public' ? null : RIGHTS[mapping.publication]),
      spatial: mapping.metadata.spatial ?? null,
      landingPage: mapping.metadata.landingPage ?? null,
      usageNotes: mapping.metadata.usageNotes ?? null,
    })),
  };
}

function contactPoint(contact: { name: string; email: string }): Catalog['dataset'][number]['contactPoint'] {
  return { fn: contact.name, hasEmail: `mailto:${contact.email}` };
}
