/**
 * The benchmark's queries, written out exactly as clients send them, and what each server
 * is sent for them. The baseline answers the same questions at plain routes
 * (`/q1`, `/q2`, `/q3`) with the same JSON shape as the GraphQL response, so the answers
 * can be compared field by field.
 */

import { owningDepartmentHeaders } from './credentials.js';

export type QueryId = 'Q1' | 'Q2' | 'Q3';

/** Q1: one page of 100 service requests, 10 fields, in id order. */
export const Q1 = `{ serviceRequests(first: 100, orderBy: [ID_ASC]) { edges { cursor node { id status serviceCode serviceName description requestedAt updatedAt address zipcode agencyResponsible } } } }`;

/** The page size of Q2 as measured for throughput; the page-size probe also runs 10 and 1,000. */
export const Q2_PAGE_SIZE = 100;
export const Q2_PROBE_PAGE_SIZES = [10, 100, 1000] as const;

/** Q2: a page of service requests, each with its work orders (Public Works) and the permits at its address (Permits). */
export function q2(pageSize: number): string {
  return `{ serviceRequests(first: ${pageSize}, orderBy: [ID_ASC], filter: { serviceCode: { in: ["PTHOLE", "STRTLGT", "WATRLEAK"] } }) { nodes { id serviceName status address workOrders(first: 10) { id workType status createdAt } permitsAtAddress(first: 5, orderBy: [APPLIED_DATE_DESC]) { permitNumber permitTypeMapped appliedDate } } } }`;
}

/** The service codes Q2 filters on; the baseline's SQL uses the same list. */
export const Q2_SERVICE_CODES = ['PTHOLE', 'STRTLGT', 'WATRLEAK'] as const;

/** Q3: counts grouped by service and month over all ~105,000 service requests. */
export const Q3 = `{ serviceRequestStats(groupBy: [SERVICE_NAME, REQUESTED_AT_MONTH]) { key { serviceName requestedAtMonth } count } }`;

/**
 * Q1 for PostGraphile over the CRM's own table: the same 10 fields as raw columns
 * (`serviceName` is an alias of the service code column, which is all the CRM stores).
 */
export const POSTGRAPHILE_Q1 = `{ allSrCases(first: 100, orderBy: [CASE_NO_ASC]) { edges { cursor node { caseNo statusCd srTypeCd serviceName: srTypeCd descrTxt createdDt modifiedDt addrLine zipCd agencyCd } } } }`;

/**
 * `civicgraph` answers as the owning department; `civicgraph-public` is the same server asked
 * anonymously; `civicgraph-unlimited` is CivicGraph serving without its per-role limits, asked
 * Q1 as the owning department, to measure what the limits cost; `civicgraph-cached` serves with
 * the response cache, and `civicgraph-1-worker` / `civicgraph-2-workers` are `civicgraph serve
 * --workers 1|2`, each asked Q1 as the owning department, to measure what the cache and a
 * second worker bring.
 */
export type ServerId =
  | 'civicgraph'
  | 'civicgraph-unlimited'
  | 'civicgraph-cached'
  | 'civicgraph-1-worker'
  | 'civicgraph-2-workers'
  | 'civicgraph-public'
  | 'baseline'
  | 'postgraphile';

export interface Request {
  /** Path on the server's base URL. */
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** What to POST to each server for a query, or undefined when that server does not take part. */
export function requestFor(server: ServerId, query: QueryId, pageSize = Q2_PAGE_SIZE): Request | undefined {
  switch (server) {
    case 'civicgraph': {
      const text = query === 'Q1' ? Q1 : query === 'Q2' ? q2(pageSize) : Q3;
      return { path: '/graphql', body: JSON.stringify({ query: text }), headers: owningDepartmentHeaders() };
    }
    case 'civicgraph-unlimited':
    case 'civicgraph-cached':
    case 'civicgraph-1-worker':
    case 'civicgraph-2-workers':
      return query === 'Q1' ? requestFor('civicgraph', query) : undefined;
    // Q2 joins requests to permits by their exact address, which the public role reads only
    // as a hundred block: the join is not offered to it, so Q2 has no public variant.
    case 'civicgraph-public':
      return query === 'Q2' ? undefined : { path: '/graphql', body: JSON.stringify({ query: query === 'Q1' ? Q1 : Q3 }), headers: {} };
    case 'baseline':
      return { path: `/${query.toLowerCase()}`, body: JSON.stringify(query === 'Q2' ? { first: pageSize } : {}), headers: {} };
    case 'postgraphile':
      return query === 'Q1' ? { path: '/graphql', body: JSON.stringify({ query: POSTGRAPHILE_Q1 }), headers: {} } : undefined;
  }
}
