/**
 * Open311's error answers: a list of `{ code, description }` with the HTTP status of the first
 * (400 for a request that cannot be answered as asked, 403 for a bad key, 404 for what does
 * not exist). GraphQL errors keep their explanation as the description.
 */
import type { GraphQLFormattedError } from 'graphql';

export interface Open311ErrorEntry {
  code: number;
  description: string;
}

export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly Open311ErrorEntry[],
  ) {
    super(errors.map((error) => error.description).join('; '));
    this.name = 'Open311Error';
  }

  static of(status: number, description: string): Open311Error {
    return new Open311Error(status, [{ code: status, description }]);
  }
}

/** A parameter the caller must change; the description starts with its name. */
export function badParameter(parameter: string, message: string): Open311Error {
  return Open311Error.of(400, `${parameter}: ${message}`);
}

/**
 * The HTTP status each GraphQL error code is answered with. Any other code is the gateway's
 * fault (500), a document that does not validate included: Open311 callers write no GraphQL.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  QUERY_TOO_COSTLY: 400,
  QUERY_TOO_LARGE: 400,
  ROW_BUDGET_EXCEEDED: 400,
  RESPONSE_TOO_LARGE: 400,
  UNAUTHENTICATED: 403,
  RATE_LIMITED: 429,
  SOURCE_UNAVAILABLE: 503,
  SOURCE_DATA_ERROR: 503,
  DEADLINE_EXCEEDED: 503,
};

/** Codes of refusals caused by how much a request asks for: the Open311 parameter that sets the amount is named. */
const SIZE_CODES = new Set(['QUERY_TOO_COSTLY', 'ROW_BUDGET_EXCEEDED', 'RESPONSE_TOO_LARGE', 'QUERY_TOO_LARGE']);

/**
 * The errors of a GraphQL operation run for an Open311 request. `sizeParameter` names the
 * parameter that decides how much the operation reads (`page_size`), for refusals of size.
 */
export function fromGraphQL(errors: readonly GraphQLFormattedError[], sizeParameter?: string): Open311Error {
  const entries = errors.map((error): Open311ErrorEntry => {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : '';
    const status = STATUS_BY_CODE[code] ?? 500;
    const blamed = sizeParameter && SIZE_CODES.has(code) ? `${sizeParameter}: ` : '';
    return { code: status, description: blamed + error.message };
  });
  return new Open311Error(entries[0]!.code, entries);
}
