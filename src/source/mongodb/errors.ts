/**
 * Driver failures → SourceError. Driver and server messages are never copied: they may
 * quote the connection string, a host name or a document value ('E11000 … dup key: { … }').
 * The message is chosen here from the error's class and code alone.
 */
import {
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { SourceError } from '../source.js';
import { STOPPED_AT_DEADLINE, type TimeLimit } from '../time-limit.js';

/** A query the planner should never have produced (or one MongoDB cannot express); its message carries no values. */
export class InvalidMongoQueryError extends Error {
  override name = 'InvalidMongoQueryError';
}

/** A stored value the source cannot hand over as a SourceValue (a nested document read as a scalar); no value in the message. */
export class BadMongoDataError extends Error {
  override name = 'BadMongoDataError';
}

interface ErrorContext {
  /** The collection the operation read, if any. */
  table?: string;
  timeoutMs: number;
  /** Whether the caller's deadline, not timeoutMs, set the operation's maxTimeMS. */
  byDeadline?: boolean;
}

const AUTHENTICATION_FAILED = 18;
const NAMESPACE_NOT_FOUND = 26;
const MAX_TIME_MS_EXPIRED = 50;

/** The error and the errors it wraps: the driver reports a refused login inside a server selection or network error. */
function chain(thrown: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = thrown; e instanceof Error && out.length < 8; e = e.cause) out.push(e);
  return out;
}

const hasCode = (thrown: unknown, code: number) => chain(thrown).some((e) => e instanceof MongoServerError && e.code === code);

/** A server error's code name ('Location16020', 'TypeMismatch') when it is a plain identifier. */
function codeName(error: MongoServerError): string {
  if (typeof error.codeName === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(error.codeName)) return error.codeName;
  return typeof error.code === 'number' ? `code ${error.code}` : 'no code';
}

export function toSourceError(source: string, thrown: unknown, context: ErrorContext): SourceError {
  if (thrown instanceof SourceError) return thrown;
  if (thrown instanceof InvalidMongoQueryError) return new SourceError(source, `invalid query: ${thrown.message}`, 'query-failed');
  if (thrown instanceof BadMongoDataError) return new SourceError(source, thrown.message, 'bad-data');
  if (hasCode(thrown, AUTHENTICATION_FAILED)) {
    return new SourceError(source, 'the MongoDB server rejected the login: check the user name and password', 'unreachable');
  }
  if (hasCode(thrown, MAX_TIME_MS_EXPIRED)) return outOfTime(source, { byDeadline: context.byDeadline ?? false }, context.timeoutMs);
  // The socket's own timeout is queryTimeoutMs and a grace period, whatever the deadline.
  if (thrown instanceof MongoNetworkTimeoutError) return outOfTime(source, { byDeadline: false }, context.timeoutMs);
  if (thrown instanceof MongoParseError) return new SourceError(source, 'the MongoDB connection URL is not valid', 'unreachable');
  if (thrown instanceof MongoServerSelectionError || thrown instanceof MongoNetworkError || thrown instanceof MongoTopologyClosedError) {
    return new SourceError(source, 'cannot reach the MongoDB server', 'unreachable');
  }
  if (thrown instanceof MongoServerError) {
    if (thrown.code === NAMESPACE_NOT_FOUND) {
      const what = context.table === undefined ? 'a collection the query reads' : `collection "${context.table}"`;
      return new SourceError(source, `${what} does not exist`, 'missing-table');
    }
    return new SourceError(source, `the MongoDB query failed (${codeName(thrown)})`, 'query-failed');
  }
  return new SourceError(source, 'the MongoDB query failed', 'query-failed');
}

/** The error for an operation that ran out of time: its own limit (the server is slow) or its caller's deadline. */
export function outOfTime(source: string, limit: Pick<TimeLimit, 'byDeadline'>, timeoutMs: number): SourceError {
  if (limit.byDeadline) return new SourceError(source, STOPPED_AT_DEADLINE, 'deadline');
  return new SourceError(source, `the query took longer than its ${timeoutMs} ms limit and was stopped`, 'timeout');
}

/** The error for a query on a collection that does not exist (MongoDB itself answers such queries with no documents). */
export function missingCollection(source: string, table: string): SourceError {
  return new SourceError(source, `collection "${table}" does not exist`, 'missing-table');
}
