/**
 * `GET /console/api/datasets/:type/preview`: the same rows of one dataset as each role below
 * the caller sees them (public, staff, the department), side by side. Every role's rows are
 * read by GraphQL operations through that role's own server (`AdmittedRequest.as`), so its
 * schema, row rules, transforms, suppression, audit and limits apply exactly as on /graphql;
 * nothing here reads a source. The rows are the first page the highest role shown reads; the
 * other roles are asked for the same keys, and a key a role does not get back is a row
 * withheld from it. Values that differ from the highest role's are marked transformed,
 * fields a role's schema lacks hidden.
 */
import type { AdmittedRequest } from '../graphql-endpoint.js';
import { dataOf, OperationFailed, roleDatasets, selectionOf, type Column, type RoleDataset } from '../role-datasets.js';
import { ConsoleRefusal, requireDepartment, type ConsoleUser } from './access.js';
import type { ConsoleContext } from './context.js';

export const PREVIEW_ROWS = { default: 20, max: 50 };

type Value = string | number | boolean | null;

export interface RoleCell {
  value: Value;
  /** `same` as the highest role reads it, `transformed` (a different value), `hidden` (not in the role's schema). */
  state: 'same' | 'transformed' | 'hidden';
}

export interface RolePreview {
  role: string;
  /** Why the role shows nothing (it cannot see the dataset, its query failed), in words safe for the caller. */
  error?: string;
  /** The rows the role may read in all, and how many fewer than the highest role shown. */
  totalCount?: number;
  withheld?: number;
  /** Whether rows could be lined up by key: not where the role cannot filter on the key as it is. */
  aligned: boolean;
  /** Per previewed row (the highest role's order): the role's cells by column, or null where the row is withheld from the role. */
  rows: Array<Record<string, RoleCell> | null>;
  /** Where the role reads the rows' positions (as it reads them: rounded where its rule rounds). */
  points: Array<[latitude: number, longitude: number]>;
}

export interface Preview {
  type: string;
  title: string;
  source: string;
  department: string;
  key: string;
  /** Every column of the highest role shown, in its schema's order. */
  columns: string[];
  roles: RolePreview[];
}

export async function preview(admitted: AdmittedRequest, context: ConsoleContext, user: ConsoleUser, type: string, rows: number): Promise<Preview> {
  const connector = context.gateway.served.mappings.find((mapping) => mapping.datasets.some((dataset) => dataset.typeName === type));
  const mapping = connector?.datasets.find((dataset) => dataset.typeName === type);
  if (!connector || !mapping) throw new ConsoleRefusal(404, `no dataset ${type} is mapped`);
  requireDepartment(user, connector.department, `dataset ${type}`);
  if (!context.gateway.served.datasets.some((dataset) => dataset.type.name === type)) {
    throw new ConsoleRefusal(409, `dataset ${type} of source ${connector.name} is not being served (see its problems): there is nothing to preview`, connector.name);
  }
  // The roles below the caller; the caller's own is shown only when it is the only one.
  const below = admitted.asRoles.length > 1 ? admitted.asRoles.slice(0, -1) : admitted.asRoles;
  const key = mapping.keyField;
  const reference = below.at(-1)!;
  const top = await roleView(admitted.as(reference), type);
  if (!top.dataset) throw new ConsoleRefusal(403, `role ${reference} cannot see dataset ${type}`, connector.name);
  const first = await read(admitted.as(reference), top.dataset, {}, rows, connector.name);
  const keys = first.nodes.map((node) => node[key] ?? null);
  const columns = top.dataset.columns.map((column) => column.path);

  const views = await Promise.all(
    below.map(async (role): Promise<RolePreview> => {
      if (role === reference) return rolePreview(role, first, first.totalCount, keys, key, columns, first.nodes, top.dataset!.columns, true);
      const asRole = admitted.as(role);
      const { dataset } = await roleView(asRole, type);
      if (!dataset) return { role, error: `role ${role} cannot see this dataset`, aligned: false, rows: keys.map(() => null), points: [] };
      const byKey = dataset.filter.get(key)?.has('in') === true && dataset.columns.some((column) => column.path === key);
      try {
        const all = await read(asRole, dataset, {}, 0, connector.name);
        const same = byKey ? await read(asRole, dataset, { [key]: { in: keys } }, rows, connector.name) : await read(asRole, dataset, {}, rows, connector.name);
        return rolePreview(role, same, all.totalCount, keys, key, columns, first.nodes, dataset.columns, byKey, first.totalCount);
      } catch (error) {
        if (!(error instanceof ConsoleRefusal)) throw error;
        return { role, error: error.message, aligned: false, rows: keys.map(() => null), points: [] };
      }
    }),
  );
  return { type, title: mapping.metadata.title, source: connector.name, department: connector.department, key, columns, roles: views };
}

interface Page {
  totalCount: number;
  nodes: Array<Record<string, Value>>;
}

async function roleView(admitted: AdmittedRequest, type: string): Promise<{ dataset: RoleDataset | undefined }> {
  const { datasets } = await roleDatasets(admitted);
  return { dataset: datasets.find((dataset) => dataset.type === type) };
}

/** One page of the role's rows, flattened to dotted columns; a failure is a refusal naming the source. */
async function read(admitted: AdmittedRequest, dataset: RoleDataset, filter: Record<string, unknown>, first: number, source: string): Promise<Page> {
  const operation = `query ConsolePreview($filter: ${dataset.type}Filter) { ${dataset.connection}(filter: $filter, first: ${first}) { totalCount nodes { ${selectionOf(dataset.columns)} } } }`;
  try {
    const data = await dataOf<Record<string, { totalCount: number; nodes: Array<Record<string, unknown>> }>>(admitted, operation, { filter });
    const page = data[dataset.connection]!;
    return { totalCount: page.totalCount, nodes: page.nodes.map((node) => flatten(node, dataset.columns)) };
  } catch (error) {
    if (!(error instanceof OperationFailed)) throw error;
    throw new ConsoleRefusal(error.answer.status >= 400 ? error.answer.status : 502, `source ${source}, as role ${admitted.role}: ${error.message}`, source);
  }
}

function flatten(node: Record<string, unknown>, columns: readonly Column[]): Record<string, Value> {
  const row: Record<string, Value> = {};
  for (const { path } of columns) {
    const [head, sub] = path.split('.') as [string, string | undefined];
    const value = sub === undefined ? node[head] : (node[head] as Record<string, unknown> | null | undefined)?.[sub];
    row[path] = (value ?? null) as Value;
  }
  return row;
}

function rolePreview(
  role: string,
  page: Page,
  totalCount: number,
  keys: readonly Value[],
  key: string,
  columns: readonly string[],
  reference: ReadonlyArray<Record<string, Value>>,
  roleColumns: readonly Column[],
  aligned: boolean,
  referenceTotal = totalCount,
): RolePreview {
  const readable = new Set(roleColumns.map((column) => column.path));
  const byKey = new Map(page.nodes.map((node) => [node[key], node]));
  const rows = keys.map((value, index) => {
    const node = aligned ? byKey.get(value) : page.nodes[index];
    if (!node) return null;
    return Object.fromEntries(
      columns.map((column): [string, RoleCell] => {
        if (!readable.has(column)) return [column, { value: null, state: 'hidden' }];
        const own = node[column] ?? null;
        const theirs = aligned ? (reference[index]?.[column] ?? null) : own;
        return [column, { value: own, state: own === theirs ? 'same' : 'transformed' }];
      }),
    );
  });
  const points = positions(page.nodes, readable);
  return { role, totalCount, withheld: Math.max(0, referenceTotal - totalCount), aligned, rows, points };
}

/** The rows' positions as the role reads them, from `location { latitude longitude }` or `latitude`/`longitude`. */
function positions(nodes: ReadonlyArray<Record<string, Value>>, readable: ReadonlySet<string>): Array<[number, number]> {
  const pair = readable.has('location.latitude') && readable.has('location.longitude') ? ['location.latitude', 'location.longitude'] : readable.has('latitude') && readable.has('longitude') ? ['latitude', 'longitude'] : undefined;
  if (!pair) return [];
  return nodes.flatMap((node) => {
    const [latitude, longitude] = [node[pair[0]!], node[pair[1]!]];
    return typeof latitude === 'number' && typeof longitude === 'number' ? [[latitude, longitude] as [number, number]] : [];
  });
}
