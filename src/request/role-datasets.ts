/**
 * What a caller's role may read of each dataset, as that role's own schema says it: the
 * catalog entries and, by introspection, the root fields, the columns, the filter, the order
 * and the statistics offered. Read with one GraphQL operation through the role's server, so an
 * entry point beside /graphql (data.json, downloads) offers exactly what the role's GraphQL does:
 * a field the role cannot read is not in its schema, so it is in no column, filter or order here.
 */
import type { Catalog, CatalogDataset } from '../generated/graphql.js';
import type { AdmittedRequest, OperationResult } from './graphql-endpoint.js';

/** A value's GraphQL type as introspection nests it (NON_NULL and LIST wrap a named type). */
interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

interface IntrospectedField {
  name: string;
  args?: Array<{ name: string }>;
  type: TypeRef;
}

interface IntrospectedType {
  kind: string;
  name: string;
  fields: IntrospectedField[] | null;
  inputFields: IntrospectedField[] | null;
  enumValues: Array<{ name: string }> | null;
}

/** The named type under the wrappers, and whether a list is among them. */
export interface NamedType {
  name: string;
  kind: string;
  list: boolean;
}

/** One column of a dataset's rows: a scalar field, or a scalar inside an object field (`location.latitude`). */
export interface Column {
  /** Dotted: `status`, `location.latitude`. */
  path: string;
  type: NamedType;
}

export interface RoleDataset {
  catalog: CatalogDataset;
  /** The GraphQL type, e.g. `ServiceRequest`. */
  type: string;
  /** The root connection field, e.g. `serviceRequests`. */
  connection: string;
  /** The root statistics field, e.g. `serviceRequestStats`; absent when the role has none. */
  stats: string | undefined;
  /** Its name in URLs: the connection field in kebab case, e.g. `service-requests`. */
  slug: string;
  /** Every field of a row the role may read, joins left out, in the schema's order. */
  columns: Column[];
  /** The filter's fields → their conditions (`eq`, `in`, …) → each condition's type. */
  filter: Map<string, Map<string, NamedType>>;
  /** The values of the order enum, e.g. `REQUESTED_AT_DESC`. */
  orderBy: string[];
  /** Fields whose smallest and largest values the statistics offer. */
  statsValues: Column[];
}

export interface RoleCatalog {
  catalog: Omit<Catalog, 'dataset'>;
  datasets: RoleDataset[];
}

const CATALOG_FIELDS = 'identifier title description keyword publisher { name } contactPoint { fn hasEmail } accessLevel license accrualPeriodicity rights spatial landingPage usageNotes';

const ROLE_DATASETS = `query CivicGraphRoleDatasets {
  catalog { conformsTo dataset { ${CATALOG_FIELDS} } }
  __schema {
    queryType { name }
    types { kind name fields { name args { name } type { ...Ref } } inputFields { name type { ...Ref } } enumValues { name } }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

/** A refusal or failure of one of the operations an entry point ran, with the status the GraphQL endpoint gave it. */
export class OperationFailed extends Error {
  constructor(readonly answer: OperationResult) {
    super(answer.result.errors?.[0]?.message ?? 'the operation failed');
  }
}

/** Runs `operation` and returns its data, or throws OperationFailed when it answered with errors. */
export async function dataOf<T>(admitted: AdmittedRequest, query: string, variables?: Record<string, unknown>): Promise<T> {
  const answer = await admitted.execute(variables ? { query, variables } : { query });
  if (answer.result.errors?.length || !answer.result.data) throw new OperationFailed(answer);
  return answer.result.data as T;
}

export async function roleDatasets(admitted: AdmittedRequest): Promise<RoleCatalog> {
  const data = await dataOf<{ catalog: Catalog; __schema: { queryType: { name: string }; types: IntrospectedType[] } }>(admitted, ROLE_DATASETS);
  const types = new Map(data.__schema.types.map((type) => [type.name, type]));
  const datasetTypes = new Set(data.catalog.dataset.map((dataset) => dataset.identifier));
  const rootFields = types.get(data.__schema.queryType.name)?.fields ?? [];
  const rootReturning = (typeName: string) => rootFields.find((field) => named(field.type).name === typeName)?.name;

  const datasets: RoleDataset[] = [];
  for (const entry of data.catalog.dataset) {
    const type = entry.identifier;
    const connection = rootReturning(`${type}Connection`);
    if (!connection) continue;
    datasets.push({
      catalog: entry,
      type,
      connection,
      stats: rootReturning(`${type}StatsGroup`),
      slug: connection.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(),
      columns: columnsOf(types, type, datasetTypes),
      filter: filterOf(types, `${type}Filter`),
      orderBy: (types.get(`${type}OrderBy`)?.enumValues ?? []).map((value) => value.name),
      statsValues: (types.get(`${type}StatsValues`)?.fields ?? []).map((field) => ({ path: field.name, type: named(field.type) })),
    });
  }
  return { catalog: { conformsTo: data.catalog.conformsTo }, datasets };
}

function named(type: TypeRef): NamedType {
  let list = false;
  let at: TypeRef = type;
  while (at.ofType) {
    if (at.kind === 'LIST') list = true;
    at = at.ofType;
  }
  return { name: at.name ?? '', kind: at.kind, list };
}

const isLeaf = (type: NamedType) => !type.list && (type.kind === 'SCALAR' || type.kind === 'ENUM');

/**
 * A row's columns: its scalar fields, and the scalars of its plain object fields (a Location).
 * Joins (fields with arguments, lists, other datasets) are left out: a download is one dataset's rows.
 */
function columnsOf(types: Map<string, IntrospectedType>, typeName: string, datasetTypes: ReadonlySet<string>): Column[] {
  const columns: Column[] = [];
  for (const field of types.get(typeName)?.fields ?? []) {
    if (field.args?.length) continue;
    const type = named(field.type);
    if (isLeaf(type)) {
      columns.push({ path: field.name, type });
    } else if (type.kind === 'OBJECT' && !type.list && !datasetTypes.has(type.name)) {
      const inner = (types.get(type.name)?.fields ?? []).map((sub) => ({ path: `${field.name}.${sub.name}`, type: named(sub.type), args: sub.args }));
      if (inner.length > 0 && inner.every((sub) => isLeaf(sub.type) && !sub.args?.length)) columns.push(...inner.map(({ path, type: subType }) => ({ path, type: subType })));
    }
  }
  return columns;
}

/** The filter's fields by dotted path (`serviceCode`, `location.latitude`) → their conditions. */
function filterOf(types: Map<string, IntrospectedType>, filterName: string): Map<string, Map<string, NamedType>> {
  const filter = new Map<string, Map<string, NamedType>>();
  const add = (path: string, inputName: string) => {
    const inputs = types.get(inputName)?.inputFields ?? [];
    // An object field's filter (a Location's) holds a filter per sub-field; a scalar's holds its conditions.
    const nested = inputs.length > 0 && inputs.every((input) => named(input.type).kind === 'INPUT_OBJECT');
    if (nested) for (const input of inputs) add(`${path}.${input.name}`, named(input.type).name);
    else filter.set(path, new Map(inputs.map((condition) => [condition.name, named(condition.type)])));
  };
  for (const field of types.get(filterName)?.inputFields ?? []) {
    // and / or / not nest the filter itself; they are written in the JSON form only.
    if (named(field.type).name !== filterName) add(field.name, named(field.type).name);
  }
  return filter;
}

/** The GraphQL selection of `columns`: `id status location { latitude longitude }`. */
export function selectionOf(columns: readonly Column[]): string {
  const groups = new Map<string, string[]>();
  for (const { path } of columns) {
    const [head, sub] = path.split('.') as [string, string | undefined];
    if (!groups.has(head)) groups.set(head, []);
    if (sub) groups.get(head)!.push(sub);
  }
  return [...groups].map(([name, subs]) => (subs.length > 0 ? `${name} { ${subs.join(' ')} }` : name)).join(' ');
}
