/** Resolvers of the generated query surface: each hands its arguments to the planner. */
import type { IResolvers } from '@graphql-tools/utils';
import type { GraphQLResolveInfo } from 'graphql';
import type { Catalog } from '../generated/graphql.js';
import { resolveConnection, type ConnectionArgs } from '../plan/connection.js';
import { queryFingerprint } from '../plan/cursor.js';
import { planFilter, type FilterInput } from '../plan/filter.js';
import type { JoinArgs } from '../plan/join.js';
import { orderChoices, type OrderChoice } from '../plan/order.js';
import { selectedConnectionFields, selectedObjectFields, selectedStatsValues } from '../plan/selected-fields.js';
import { groupChoices, resolveStats, type GroupChoice } from '../plan/stats.js';
import { normalizeAddress } from '../source/address.js';
import { statsFieldName } from './stats-sdl.js';
import type { ServedDataset } from '../plan/served-dataset.js';
import type { RequestContext } from '../request/context.js';
import { DateScalar, DateTimeScalar } from './scalars.js';
import { sortableFields } from './dataset-sdl.js';

const DCAT_US = 'https://project-open-data.cio.gov/v1.1/schema';

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
    types[`${typeName}GroupBy`] = Object.fromEntries(groupChoices(dataset));
    query[dataset.many] = (_, args: ConnectionArgs, _context, info) =>
      resolveConnection(dataset, args, selectedConnectionFields(info, typeName), argsIdentity(args));
    query[dataset.one] = (_, args: { id: string }, context, info) => context.loaders.byKey(dataset, selectedObjectFields(info, typeName)).load(args.id);
    query[statsFieldName(dataset)] = (_, args: { filter?: FilterInput; groupBy?: GroupChoice[] }, _context, info) =>
      resolveStats(dataset, planFilter(dataset, args.filter), { groupBy: args.groupBy ?? [], values: selectedStatsValues(info, typeName) });

    const joins: Record<string, Resolver> = {};
    for (const join of dataset.joins.values()) {
      joins[join.mapping.name] = async (parent: Record<string, unknown>, args: JoinArgs, context, info) => {
        const value = parent[join.mapping.from];
        const rows =
          value === null || value === undefined
            ? []
            : await context.loaders
                .join(dataset, join, args, queryFingerprint('join', args.filter, argsIdentity(args).orderBy) + `:${args.first ?? ''}`, selectedObjectFields(info, join.target.type.name))
                .load(String(value));
        return join.mapping.cardinality === 'one' ? (rows[0] ?? null) : rows;
      };
    }
    if (dataset.joins.size > 0) types[typeName] = joins;

    const located = dataset.address;
    if (located) {
      address[dataset.many] = (parent: { line: string }, args: ConnectionArgs, _context, info) =>
        resolveConnection(dataset, args, selectedConnectionFields(info, typeName), argsIdentity(args), {
          id: parent.line,
          where: planFilter(dataset, { [located.path]: { eq: parent.line } })!,
        });
    }
  }
  if (Object.keys(address).length > 0) {
    query.address = (_, args: { line: string }) => ({ line: normalizeAddress(args.line) });
    types.Address = address;
  }

  return { DateTime: DateTimeScalar, Date: DateScalar, Query: query, ...types } as IResolvers<unknown, RequestContext>;
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
      contactPoint: { fn: connector.liaison.name, hasEmail: `mailto:${connector.liaison.email}` },
      accessLevel: mapping.metadata.accessLevel,
      license: mapping.metadata.license ?? null,
      accrualPeriodicity: mapping.metadata.accrualPeriodicity ?? null,
    })),
  };
}
