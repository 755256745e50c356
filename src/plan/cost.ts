/**
 * What a request will cost, estimated from its document and variables before any source
 * is asked, in rows:
 *
 * - a page of a list costs its `first` or `last` (or the default page size) per time it is asked for,
 *   and lists nested in it multiply: 100 requests × `workOrders(first: 10)` cost 100 + 1,000;
 * - `totalCount` and statistics cost by the rows they scan: one per 100 rows of the dataset
 *   where its system counts and groups, one per 10 where the gateway does it in memory;
 * - a by-id look-up, `node(id:)` or a to-one join costs one row per time it is asked for, and
 *   `nodes(ids:)` one per id;
 * - everything else (scalar fields, introspection, the catalog) costs nothing.
 *
 * The estimate is an upper bound of the rows the plan may read (a join of `first: 10` is
 * counted as 10 rows per parent even where most parents have fewer), like GitHub's GraphQL
 * API, so a client can compute it from the query alone. It is linear in the document: cost
 * is proportional to the multiplier it is reached with, so each fragment is costed once.
 */
import {
  getNamedType,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  isInterfaceType,
  isObjectType,
  Kind,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { statsFieldName } from '../schema/stats-sdl.js';
import { DEFAULT_PAGE_SIZE } from './page.js';
import { RequestMemo } from './request-memo.js';
import type { ServedDataset } from './served-dataset.js';

/** How one field of a role's schema costs. */
type FieldCost =
  /** A connection: one page of rows, sized by `first`. */
  | { kind: 'page' }
  /** A joined list: up to `first` rows per parent row. */
  | { kind: 'list' }
  /** The rows of the enclosing page (`nodes`, `edges`): their fields are asked once per row. */
  | { kind: 'rows' }
  /** One row. */
  | { kind: 'one' }
  /** One row per id of `ids`. */
  | { kind: 'ids' }
  /** A count or statistic: the rows it scans, weighted. */
  | { kind: 'scan'; cost: number };

/** A role's schema, as the cost estimate sees it: `Type.field` → how it costs. */
export interface CostModel {
  schema: GraphQLSchema;
  fields: ReadonlyMap<string, FieldCost>;
}

/** Rows assumed for a dataset whose source cannot estimate its size. */
export const DEFAULT_ROW_ESTIMATE = 100_000;

/** Rows counted per unit of cost where the system counts (SQL, MongoDB), and where the gateway counts in memory. */
const ROWS_PER_UNIT_PUSHED_DOWN = 100;
const ROWS_PER_UNIT_IN_MEMORY = 10;

export function costModel(schema: GraphQLSchema, datasets: readonly ServedDataset[]): CostModel {
  const fields = new Map<string, FieldCost>();
  for (const dataset of datasets) {
    const type = dataset.type.name;
    const scan: FieldCost = { kind: 'scan', cost: scanCost(dataset) };
    fields.set(`Query.${dataset.many}`, { kind: 'page' });
    if (dataset.byId) {
      fields.set(`Query.${dataset.one}`, { kind: 'one' });
      fields.set('Query.node', { kind: 'one' });
      fields.set('Query.nodes', { kind: 'ids' });
    }
    fields.set(`Query.${statsFieldName(dataset)}`, scan);
    fields.set(`${type}Connection.totalCount`, scan);
    fields.set(`${type}Connection.nodes`, { kind: 'rows' });
    fields.set(`${type}Connection.edges`, { kind: 'rows' });
    if (dataset.address) fields.set(`Address.${dataset.many}`, { kind: 'page' });
    for (const join of dataset.joins.values()) {
      fields.set(`${type}.${join.mapping.name}`, join.mapping.cardinality === 'many' ? { kind: 'list' } : { kind: 'one' });
    }
  }
  return { schema, fields };
}

function scanCost(dataset: ServedDataset): number {
  // What a source does itself does not change between requests: any request's view of it says.
  const { pushdown } = dataset.sourceFor(new RequestMemo());
  const rows = dataset.rowEstimate ?? pushdown.memoryRowLimit ?? DEFAULT_ROW_ESTIMATE;
  return Math.max(1, Math.ceil(rows / (pushdown.grouping ? ROWS_PER_UNIT_PUSHED_DOWN : ROWS_PER_UNIT_IN_MEMORY)));
}

export interface CostInput {
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>> | undefined;
}

/** The estimated cost of running `operation`; at least 1, so that every request spends something. */
export function estimateCost(model: CostModel, { operation, fragments, variables }: CostInput): number {
  const rootType = operation.operation === 'query' ? 'Query' : operation.operation === 'mutation' ? 'Mutation' : 'Subscription';
  /** A fragment's cost at multiplier 1, by name and the size of the page it sits in. */
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  /** `typeName`: the type the selection is on; `page`: rows of the enclosing page per parent, for `nodes`/`edges`. */
  const selectionCost = (selectionSet: SelectionSetNode, typeName: string, page: number): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) total += fieldCost(selection, typeName, page);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += selectionCost(selection.selectionSet, selection.typeCondition?.name.value ?? typeName, page);
      else total += fragmentCost(selection.name.value, page);
    }
    return total;
  };

  const fragmentCost = (name: string, page: number): number => {
    const key = `${name}:${page}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = fragments[name];
    // Validation refuses cycles; an unfinished fragment met again adds nothing rather than recursing.
    if (!fragment || inProgress.has(key)) return 0;
    inProgress.add(key);
    const cost = selectionCost(fragment.selectionSet, fragment.typeCondition.name.value, page);
    inProgress.delete(key);
    fragmentCosts.set(key, cost);
    return cost;
  };

  const fieldCost = (field: FieldNode, typeName: string, page: number): number => {
    const cost = model.fields.get(`${typeName}.${field.name.value}`);
    const children = field.selectionSet;
    const childType = (): string => returnTypeName(typeName, field.name.value);
    switch (cost?.kind) {
      case 'page': {
        const rows = pageSize(field, variables);
        // One page is read however few of its rows are selected; at least one row's worth for the query itself.
        return Math.max(1, rows) + (children ? selectionCost(children, childType(), rows) : 0);
      }
      case 'list': {
        const rows = pageSize(field, variables);
        return rows + (children ? rows * selectionCost(children, childType(), page) : 0);
      }
      case 'rows':
        return children ? page * selectionCost(children, childType(), page) : 0;
      case 'one':
        return 1 + (children ? selectionCost(children, childType(), page) : 0);
      case 'ids': {
        const rows = idCount(field, variables);
        return rows + (children ? rows * selectionCost(children, childType(), page) : 0);
      }
      case 'scan':
        return cost.cost;
      default:
        return children ? selectionCost(children, childType(), page) : 0;
    }
  };

  const returnTypeName = (parent: string, field: string): string => {
    const type = model.schema.getType(parent);
    const returned = isObjectType(type) || isInterfaceType(type) ? type.getFields()[field]?.type : undefined;
    return returned ? getNamedType(returned).name : '';
  };
  return Math.max(1, selectionCost(operation.selectionSet, rootType, 1));
}

/** `first` or `last` as the request gives it, literal or variable; the default page size when neither is given. */
function pageSize(field: FieldNode, variables: Readonly<Record<string, unknown>> | undefined): number {
  // Both given are refused when the request runs; costing the larger meanwhile keeps the estimate an upper bound.
  const sizes = ['first', 'last'].flatMap((name) => {
    const argument = field.arguments?.find((candidate) => candidate.name.value === name);
    const value: unknown = argument && valueFromAST(argument.value, GraphQLInt, variables as Record<string, unknown> | undefined);
    // Null or a variable not sent: not given (Relay sends `first: null` while paging backward).
    if (value === null || value === undefined) return [];
    // A value that is not an Int fails when the request runs; cost it as the default meanwhile.
    return [typeof value === 'number' && value >= 0 ? value : DEFAULT_PAGE_SIZE];
  });
  return sizes.length > 0 ? Math.max(...sizes) : DEFAULT_PAGE_SIZE;
}

const ID_LIST = new GraphQLList(new GraphQLNonNull(GraphQLID));

/** How many ids `nodes(ids:)` is given, literal or variable; a single id is a list of one, as GraphQL coerces it. */
function idCount(field: FieldNode, variables: Readonly<Record<string, unknown>> | undefined): number {
  const argument = field.arguments?.find((candidate) => candidate.name.value === 'ids');
  const value: unknown = argument && valueFromAST(argument.value, ID_LIST, variables as Record<string, unknown> | undefined);
  if (Array.isArray(value)) return value.length;
  return value === undefined || value === null ? 0 : 1;
}
