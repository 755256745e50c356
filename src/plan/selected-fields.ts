/** The public fields a GraphQL query selects on a dataset's objects, through aliases and fragments. */
import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import type { StatsValue } from './stats.js';

function children(tree: ResolveTree | undefined, typeName: string): ResolveTree[] {
  return Object.values(tree?.fieldsByTypeName[typeName] ?? {});
}

function named(trees: ResolveTree[], name: string): ResolveTree[] {
  return trees.filter((tree) => tree.name === name);
}

/** Fields selected on the object a by-id field returns. */
export function selectedObjectFields(info: GraphQLResolveInfo, typeName: string): string[] {
  const tree = parseResolveInfo(info) as ResolveTree | undefined;
  return children(tree, typeName).map((field) => field.name);
}

/** Fields selected on a connection's nodes, through `edges { node }` and `nodes`. */
export function selectedConnectionFields(info: GraphQLResolveInfo, typeName: string): string[] {
  const tree = parseResolveInfo(info) as ResolveTree | undefined;
  const top = children(tree, `${typeName}Connection`);
  const nodes = [
    ...named(top, 'edges').flatMap((edges) => named(children(edges, `${typeName}Edge`), 'node')),
    ...named(top, 'nodes'),
  ];
  return nodes.flatMap((node) => children(node, typeName).map((field) => field.name));
}

/** Which measures a stats query selects: `{ min { requestedAt } avg { cost } }` → { min: ['requestedAt'], avg: ['cost'] }. */
export function selectedStatsValues(info: GraphQLResolveInfo, typeName: string): Record<StatsValue, string[]> {
  const tree = parseResolveInfo(info) as ResolveTree | undefined;
  const groups = children(tree, `${typeName}StatsGroup`);
  const values = (measure: StatsValue, valuesType: string) =>
    [...new Set(named(groups, measure).flatMap((selected) => children(selected, valuesType).map((field) => field.name)))].filter((name) => name !== '__typename');
  return {
    min: values('min', `${typeName}StatsValues`),
    max: values('max', `${typeName}StatsValues`),
    sum: values('sum', `${typeName}StatsNumbers`),
    avg: values('avg', `${typeName}StatsNumbers`),
  };
}
