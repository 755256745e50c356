/** Finds the object types marked `@dataset` in the public schema. */
import { getDirective } from '@graphql-tools/utils';
import type { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { isObjectType } from 'graphql';

export interface DatasetType {
  type: GraphQLObjectType;
  /** Root field fetching one row by id, e.g. `serviceRequest`. */
  one: string;
  /** Root connection field, e.g. `serviceRequests`. */
  many: string;
}

export function datasetTypes(schema: GraphQLSchema): Map<string, DatasetType> {
  const found = new Map<string, DatasetType>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const [directive] = getDirective(schema, type, 'dataset') ?? [];
    if (!directive) continue;
    found.set(type.name, { type, one: String(directive.one), many: String(directive.many) });
  }
  return found;
}
