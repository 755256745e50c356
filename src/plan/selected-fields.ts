/** The public fields a GraphQL query selects on a dataset's objects, through aliases and fragments. */
import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { NODE_ID_FIELD } from './node-id.js';
import type { ServedDataset } from './served-dataset.js';
import type { StatsValue } from './stats.js';

/** Selections kept per field of a parsed query, one per set of variables (which @include and @skip may read). */
const KEPT_PER_FIELD = 32;
const trees = new WeakMap<FieldNode, Map<string, ResolveTree | undefined>>();

/**
 * The selection below the field being resolved. Apollo keeps each parsed query, so a query sent
 * again resolves the same field nodes: their selection is worked out once, not on every request.
 */
function selection(info: GraphQLResolveInfo): ResolveTree | undefined {
  const [node, ...others] = info.fieldNodes;
  if (!node || others.length > 0) return parseResolveInfo(info) as ResolveTree | undefined;
  const key = info.operation.variableDefinitions?.length ? JSON.stringify(info.variableValues) : '';
  let byVariables = trees.get(node);
  if (!byVariables) trees.set(node, (byVariables = new Map()));
  if (byVariables.has(key)) return byVariables.get(key);
  const tree = parseResolveInfo(info) as ResolveTree | undefined;
  if (byVariables.size >= KEPT_PER_FIELD) byVariables.clear();
  byVariables.set(key, tree);
  return tree;
}

function children(tree: ResolveTree | undefined, typeName: string): ResolveTree[] {
  return Object.values(tree?.fieldsByTypeName[typeName] ?? {});
}

function named(trees: ResolveTree[], name: string): ResolveTree[] {
  return trees.filter((tree) => tree.name === name);
}

/** The dataset fields behind the selected ones: a node id is read from the key. */
function datasetFields(dataset: ServedDataset, trees: ResolveTree[]): string[] {
  return trees.map((field) => (field.name === NODE_ID_FIELD ? dataset.mapping.keyField : field.name));
}

/** Fields selected on the object a by-id field or a join returns. */
export function selectedObjectFields(info: GraphQLResolveInfo, dataset: ServedDataset): string[] {
  const tree = selection(info);
  return datasetFields(dataset, children(tree, dataset.type.name));
}

/** Fields selected on a `Node` when it is a row of `dataset`: on the type and on the interface. */
export function selectedNodeFields(info: GraphQLResolveInfo, dataset: ServedDataset): string[] {
  const tree = selection(info);
  return datasetFields(dataset, [...children(tree, dataset.type.name), ...children(tree, 'Node')]);
}

/** Fields selected on a connection's nodes, through `edges { node }` and `nodes`. */
export function selectedConnectionFields(info: GraphQLResolveInfo, dataset: ServedDataset): string[] {
  const typeName = dataset.type.name;
  const tree = selection(info);
  const top = children(tree, `${typeName}Connection`);
  const nodes = [
    ...named(top, 'edges').flatMap((edges) => named(children(edges, `${typeName}Edge`), 'node')),
    ...named(top, 'nodes'),
  ];
  return nodes.flatMap((node) => datasetFields(dataset, children(node, typeName)));
}

/** Which measures a stats query selects: `{ min { requestedAt } avg { cost } }` → { min: ['requestedAt'], avg: ['cost'] }. */
export function selectedStatsValues(info: GraphQLResolveInfo, typeName: string): Record<StatsValue, string[]> {
  const tree = selection(info);
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
