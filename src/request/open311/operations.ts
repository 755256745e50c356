/**
 * The GraphQL operations that answer Open311 reads, built against the caller's role schema:
 * a filter or order the role's schema does not offer is never sent, and a parameter that
 * would need one is refused naming the parameter.
 */
import { isEnumType, isInputObjectType, type GraphQLSchema } from 'graphql';
import type { Operation } from '../graphql-endpoint.js';
import { badParameter } from './errors.js';
import type { RequestsQuery } from './parameters.js';
import type { RequestSelection } from './request-fields.js';

const FILTER_TYPE = 'ServiceRequestFilter';
const ORDER_TYPE = 'ServiceRequestOrderBy';
const GROUP_TYPE = 'ServiceRequestGroupBy';
/** Newest first, as Open311 servers list requests. */
const NEWEST_FIRST = 'REQUESTED_AT_DESC';

/** The filter and order of one `requests` query: what its pages share. */
export interface RequestsList {
  filter: Record<string, unknown>;
  orderBy: string[];
}

export function requestsList(schema: GraphQLSchema, query: RequestsQuery): RequestsList {
  const filterType = schema.getType(FILTER_TYPE);
  const filterable = isInputObjectType(filterType) ? filterType.getFields() : {};
  const filter: Record<string, unknown> = {};
  const condition = (parameter: string, field: string, value: Record<string, unknown>) => {
    if (!filterable[field]) throw badParameter(parameter, 'service requests cannot be filtered by it for your role');
    filter[field] = { ...(filter[field] as object | undefined), ...value };
  };
  if (query.ids) condition('service_request_id', 'id', { in: query.ids });
  if (query.serviceCodes) condition('service_code', 'serviceCode', { in: query.serviceCodes });
  if (query.statuses) condition('status', 'status', { in: query.statuses });
  if (query.requested) condition('start_date', 'requestedAt', { gte: query.requested.from.toISOString(), lte: query.requested.to.toISOString() });
  if (query.updated?.after) condition('updated_after', 'updatedAt', { gte: query.updated.after.toISOString() });
  if (query.updated?.before) condition('updated_before', 'updatedAt', { lte: query.updated.before.toISOString() });
  const orderType = schema.getType(ORDER_TYPE);
  const orderBy = isEnumType(orderType) && orderType.getValue(NEWEST_FIRST) ? [NEWEST_FIRST] : [];
  return { filter, orderBy };
}

const LIST_VARIABLES = '$filter: ServiceRequestFilter, $orderBy: [ServiceRequestOrderBy!], $first: Int';

/** One page of requests. */
export function requestsPage(list: RequestsList, selection: RequestSelection, first: number, after: string | undefined): Operation {
  return {
    query: `query Open311Requests(${LIST_VARIABLES}, $after: String) { serviceRequests(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { nodes { ${selection.graphql} } } }`,
    variables: { filter: list.filter, orderBy: list.orderBy, first, ...(after ? { after } : {}) },
  };
}

/** The cursor of the list's first row: later pages are reached from it (src/plan/cursor.ts, `cursorAt`). */
export function firstCursor(list: RequestsList): Operation {
  return {
    query: `query Open311FirstCursor(${LIST_VARIABLES}) { serviceRequests(filter: $filter, orderBy: $orderBy, first: $first) { pageInfo { startCursor } } }`,
    variables: { filter: list.filter, orderBy: list.orderBy, first: 1 },
  };
}

export function requestById(selection: RequestSelection, id: string): Operation {
  return { query: `query Open311Request($id: ID!) { serviceRequest(id: $id) { ${selection.graphql} } }`, variables: { id } };
}

/** The keys `services` groups requests by, in the role's schema: the code first. */
const SERVICE_KEYS = [
  { value: 'SERVICE_CODE', field: 'serviceCode' },
  { value: 'SERVICE_NAME', field: 'serviceName' },
  { value: 'AGENCY_RESPONSIBLE', field: 'agencyResponsible' },
] as const;

/**
 * The services the role's requests name, as statistics grouped by code, name and agency: the
 * codes of requests the role may read, and no others. Undefined when the role cannot group by code.
 */
export function servicesByRequests(schema: GraphQLSchema): Operation | undefined {
  const groupType = schema.getType(GROUP_TYPE);
  if (!isEnumType(groupType) || !groupType.getValue('SERVICE_CODE')) return undefined;
  const keys = SERVICE_KEYS.filter((key) => groupType.getValue(key.value));
  return { query: `query Open311Services { serviceRequestStats(groupBy: [${keys.map((key) => key.value).join(', ')}]) { key { ${keys.map((key) => key.field).join(' ')} } } }` };
}

/** Who publishes the service requests, for discovery's `contact`. */
export const CATALOG: Operation = { query: 'query Open311Contact { catalog { dataset { identifier publisher { name } contactPoint { fn hasEmail } } } }' };
