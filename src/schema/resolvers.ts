/** Resolvers of the generated query surface: each hands its arguments to the planner. */
import type { IResolvers } from '@graphql-tools/utils';
import type { GraphQLResolveInfo } from 'graphql';
import type { Catalog } from '../generated/graphql.js';
import { resolveConnection, type ConnectionArgs } from '../plan/connection.js';
import { orderChoices, type OrderChoice } from '../plan/order.js';
import { selectedConnectionFields, selectedObjectFields } from '../plan/selected-fields.js';
import type { ServedDataset } from '../plan/served-dataset.js';
import type { RequestContext } from '../request/context.js';
import { DateScalar, DateTimeScalar } from './scalars.js';
import { sortableFields } from './dataset-sdl.js';

const DCAT_US = 'https://project-open-data.cio.gov/v1.1/schema';

export function resolvers(datasets: readonly ServedDataset[]): IResolvers<unknown, RequestContext> {
  const query: Record<string, unknown> = { catalog: () => catalog(datasets) };
  const orderEnums: Record<string, Record<string, OrderChoice>> = {};

  for (const dataset of datasets) {
    const typeName = dataset.type.name;
    orderEnums[`${typeName}OrderBy`] = Object.fromEntries(orderChoices(sortableFields(dataset)));
    query[dataset.many] = (_: unknown, args: ConnectionArgs, _context: RequestContext, info: GraphQLResolveInfo) => {
      // The fingerprint names order keys by field, since the enum's internal values are bindings.
      const orderBy = args.orderBy?.map(({ field, direction }) => `${field.path}:${direction}`);
      return resolveConnection(dataset, args, selectedConnectionFields(info, typeName), { filter: args.filter, orderBy });
    };
    query[dataset.one] = (_: unknown, args: { id: string }, context: RequestContext, info: GraphQLResolveInfo) =>
      context.loaders.byKey(dataset, selectedObjectFields(info, typeName)).load(args.id);
  }

  return { DateTime: DateTimeScalar, Date: DateScalar, Query: query, ...orderEnums } as IResolvers<unknown, RequestContext>;
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
