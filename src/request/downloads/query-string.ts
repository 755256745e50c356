/**
 * A download's filter and order, written in its URL:
 *
 *   /datasets/service-requests.csv?serviceCode=PTHOLE&requestedAt.gte=2024-01-01T00:00:00Z&orderBy=REQUESTED_AT_DESC
 *
 * - `field=value` is `field: { eq: value }`; `field.condition=value` any other condition of the
 *   GraphQL filter (`ne`, `lt`, `lte`, `gt`, `gte`, `contains`, `startsWith`, `isNull`, and `in`
 *   with comma-separated values); an object's sub-field is dotted (`location.latitude.gte=41.8`).
 *   Every condition must hold.
 * - `filter=` the GraphQL filter input as JSON, for `or`, `not` and anything else; it must hold too.
 * - `orderBy=` the order enum's values, comma-separated.
 *
 * The fields and conditions are those of the role's own filter type, so a field the role may not
 * compare is as unknown here as one that does not exist. Each value is checked against its type
 * by GraphQL itself when the download's operations run.
 */
import { didYouMean } from '../../config/suggest.js';
import type { NamedType, RoleDataset } from '../role-datasets.js';

/** A query-string parameter the download cannot use; answered 400 naming it. */
export class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

export interface DownloadQuery {
  filter: Record<string, unknown> | undefined;
  orderBy: string[] | undefined;
  /** Which parameter wrote each condition, by its path in `filter` (`requestedAt.gte`), to name it when GraphQL refuses its value. */
  parameters: Map<string, string>;
}

const RESERVED = new Set(['filter', 'orderBy']);

export function parseDownloadQuery(query: Record<string, unknown>, dataset: RoleDataset): DownloadQuery {
  const conditions: Record<string, unknown> = {};
  const parameters = new Map<string, string>();
  let json: Record<string, unknown> | undefined;
  let orderBy: string[] | undefined;

  for (const [parameter, raw] of Object.entries(query)) {
    if (typeof raw !== 'string') throw new BadParameter(parameter, 'given more than once; combine the values (in: a,b) or use filter');
    if (parameter === 'filter') {
      json = parseJsonFilter(raw);
    } else if (parameter === 'orderBy') {
      orderBy = raw.split(',').map((value) => value.trim());
      for (const value of orderBy) {
        if (!dataset.orderBy.includes(value)) throw new BadParameter('orderBy', `"${value}" is not an order of ${dataset.type}${didYouMean(value, dataset.orderBy, { ignoreCase: true })}`);
      }
    } else {
      const { path, condition, type } = conditionOf(parameter, dataset);
      const graphqlPath = `${path}.${condition}`;
      if (parameters.has(graphqlPath)) throw new BadParameter(parameter, `the same condition as ${parameters.get(graphqlPath)}`);
      parameters.set(graphqlPath, parameter);
      setPath(conditions, graphqlPath.split('.'), valueOf(raw, type, parameter));
    }
  }
  const short = Object.keys(conditions).length > 0 ? conditions : undefined;
  const filter = json && short ? { and: [json, short] } : (json ?? short);
  return { filter, orderBy, parameters: json && short ? prefixed(parameters, 'and[1].') : parameters };
}

/** The condition a parameter names: `serviceCode` (eq), `requestedAt.gte`, `location.latitude.lt`. */
function conditionOf(parameter: string, dataset: RoleDataset): { path: string; condition: string; type: NamedType } {
  const whole = dataset.filter.get(parameter);
  if (whole?.has('eq')) return { path: parameter, condition: 'eq', type: whole.get('eq')! };
  const dot = parameter.lastIndexOf('.');
  const path = dot > 0 ? parameter.slice(0, dot) : parameter;
  const condition = dot > 0 ? parameter.slice(dot + 1) : '';
  const conditions = dataset.filter.get(path);
  if (conditions && dot > 0) {
    const type = conditions.get(condition);
    if (type) return { path, condition, type };
    throw new BadParameter(parameter, `${path} has no condition "${condition}" (it has ${[...conditions.keys()].join(', ')})${didYouMean(condition, conditions.keys())}`);
  }
  const names = [...dataset.filter.keys(), ...RESERVED];
  throw new BadParameter(
    parameter,
    `not a parameter of ${dataset.slug} downloads${didYouMean(parameter, names, { ignoreCase: true })}: filter on ${[...dataset.filter.keys()].join(', ') || 'nothing'} (field=value or field.condition=value), or give filter (JSON) and orderBy`,
  );
}

/** The value as its GraphQL input type reads it; dates, enums and identifiers stay text for GraphQL to check. */
function valueOf(raw: string, type: NamedType, parameter: string): unknown {
  if (type.list) return raw.split(',').map((item) => valueOf(item.trim(), { ...type, list: false }, parameter));
  switch (type.name) {
    case 'Int':
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new BadParameter(parameter, `"${raw}" is not a whole number`);
      return Number(raw);
    case 'Float':
      if (raw.trim() === '' || !Number.isFinite(Number(raw))) throw new BadParameter(parameter, `"${raw}" is not a number`);
      return Number(raw);
    case 'Boolean':
      if (raw !== 'true' && raw !== 'false') throw new BadParameter(parameter, `"${raw}" is not true or false`);
      return raw === 'true';
    default:
      return raw;
  }
}

function parseJsonFilter(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new BadParameter('filter', `not JSON (${error instanceof Error ? error.message : String(error)}); write the GraphQL filter input as JSON, e.g. {"serviceCode":{"eq":"PTHOLE"}}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadParameter('filter', 'must be a JSON object: the GraphQL filter input, e.g. {"serviceCode":{"eq":"PTHOLE"}}');
  return value as Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
}

function prefixed(parameters: Map<string, string>, prefix: string): Map<string, string> {
  return new Map([...parameters].map(([path, parameter]) => [prefix + path, parameter]));
}
