/**
 * What a caller sees of an error. Planner and validation errors are the caller's to fix
 * and pass through; a source failure names the source and its state; anything else is
 * masked, because an unexpected message may carry a value or a connection detail.
 */
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { SourceError, type SourceErrorReason } from '../source/source.js';
import { DataError } from '../response/to-public-value.js';
import { LimitRefusal } from './limits/refusal.js';
import { tokenLimitRefusal } from './limits/static-limits.js';
import type { Log } from '../observe/log.js';

/** A source failure's code says who can act: the caller (narrow the query), the department (its data), or nobody now (its system). */
const SOURCE_CODES: Readonly<Record<SourceErrorReason, string>> = {
  unreachable: 'SOURCE_UNAVAILABLE',
  timeout: 'SOURCE_UNAVAILABLE',
  // The caller's time ran out first: asking for less, or again, can help.
  deadline: 'DEADLINE_EXCEEDED',
  'missing-table': 'SOURCE_UNAVAILABLE',
  'query-failed': 'SOURCE_UNAVAILABLE',
  'bad-data': 'SOURCE_DATA_ERROR',
  'row-limit': 'QUERY_TOO_LARGE',
};

export function formatError(formatted: GraphQLFormattedError, error: unknown, role: string, log: Log): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const refusal = limitRefusal(error, role);
  // Apollo re-codes validation and parse errors; a refused limit keeps its own code.
  if (refusal) {
    const { http: _status, ...details } = refusal.extensions;
    return { message: refusal.message, ...(formatted.locations ? { locations: formatted.locations } : {}), extensions: { ...details, code: refusal.code } };
  }
  const path = formatted.path;
  if (original instanceof SourceError) {
    return { message: original.message, path, locations: formatted.locations, extensions: { code: SOURCE_CODES[original.reason], source: original.source, reason: original.reason } };
  }
  if (original instanceof DataError) {
    log(`data error: ${original.message}`, 'error');
    return { message: original.message, path, locations: formatted.locations, extensions: { code: 'SOURCE_DATA_ERROR', source: original.source } };
  }
  if (original instanceof GraphQLError) return formatted;
  log(`internal error at ${path?.join('.') ?? 'request'}: ${original instanceof Error ? original.name : typeof original}`, 'error');
  return { message: 'Internal server error', path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** The limit refusal behind an error Apollo wrapped (validation), or the parser's token limit. */
function limitRefusal(error: unknown, role: string): LimitRefusal | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  if (error instanceof LimitRefusal) return error;
  if (error.originalError instanceof LimitRefusal) return error.originalError;
  return error.extensions.code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitRefusal(error.message, role) : undefined;
}
