/**
 * The executable schema of one role: the public SDL cut down to the datasets and fields
 * of the role's view, plus the generated query surface for each dataset.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { pruneSchema } from '@graphql-tools/utils';
import { visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { QueryLimits } from '../config/limits.js';
import type { ServedDataset } from '../plan/served-dataset.js';
import type { PlaceTable } from '../privacy/place-points.js';
import { addressSdl } from './address-sdl.js';
import { datasetSdl, enumFiltersSdl } from './dataset-sdl.js';
import { nodeSdl } from './node-sdl.js';
import { statsSdl } from './stats-sdl.js';
import { resolvers } from './resolvers.js';

export interface RoleView {
  role: string;
  /** What one request of the role may ask for and spend. */
  limits: QueryLimits;
  /** The datasets the role may query, each holding only the fields the role may read. */
  datasets: ServedDataset[];
  /** The places whose points the role reads generalised positions as (src/privacy/place-points.ts), filled once the view is built. */
  places: PlaceTable;
}

export function buildRoleSchema(publicDocument: DocumentNode, view: RoleView): GraphQLSchema {
  const byType = new Map(view.datasets.map((dataset) => [dataset.type.name, dataset]));
  const document = visit(publicDocument, {
    ObjectTypeDefinition(node) {
      const isDataset = node.directives?.some((directive) => directive.name.value === 'dataset');
      if (!isDataset) return undefined;
      const dataset = byType.get(node.name.value);
      if (!dataset) return null;
      return { ...node, fields: node.fields?.filter((field) => dataset.fields.has(field.name.value)) };
    },
  });

  const enumFilters = new Set<string>();
  const generated = view.datasets.map((dataset) => {
    const { sdl, enumFilters: used } = datasetSdl(dataset);
    used.forEach((name) => enumFilters.add(name));
    return sdl;
  });

  const schema = makeExecutableSchema({
    typeDefs: [document, ...generated, ...view.datasets.map(statsSdl), addressSdl(view.datasets), nodeSdl(view.datasets), enumFiltersSdl(enumFilters)].filter(Boolean),
    resolvers: resolvers(view.datasets),
  });
  return pruneSchema(schema);
}

