/**
 * Driver failures → SourceError. Driver messages are never copied: they may quote the
 * SQL with its values, a row value ('invalid input syntax for type integer: "…"') or the
 * connection URL. The message is chosen here from the error's code alone.
 */
import { SourceError } from '../source.js';
import { STOPPED_AT_DEADLINE } from '../time-limit.js';
import type { Dialect } from './dialects/index.js';
import { InvalidQueryError } from './predicate.js';

/** Our own marker for a statement that ran past its time limit where the driver cannot cancel it. */
export class QueryTimeoutError extends Error {
  override name = 'QueryTimeoutError';
}

export interface ErrorContext {
  dialect: Dialect;
  /** The dataset table the statement read, if any. */
  table?: string;
  timeoutMs: number;
  /** Whether the caller's deadline, not timeoutMs, limited the statement's time. */
  byDeadline?: boolean;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE',
  'ESOCKET', 'ECONNCLOSED', 'PROTOCOL_CONNECTION_LOST',
]);
const BAD_LOGIN = new Set([
  '28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'ELOGIN',
]);
const NO_DATABASE = new Set(['3D000', 'ER_BAD_DB_ERROR']);
const NO_TABLE = new Set(['42P01', 'ER_NO_SUCH_TABLE', 'mssql:208']);
const NO_COLUMN = new Set(['42703', 'ER_BAD_FIELD_ERROR', 'mssql:207']);
// PostgreSQL query_canceled; MySQL KILL QUERY / max_execution_time; MariaDB max_statement_time.
const CANCELLED = new Set(['57014', 'ER_QUERY_INTERRUPTED', 'ER_QUERY_TIMEOUT', 'ER_STATEMENT_TIMEOUT']);

interface DriverError {
  name?: unknown;
  code?: unknown;
  number?: unknown;
  message?: unknown;
}

/** A short, value-free code to help whoever reads the error find the cause. */
function codeOf(error: DriverError): string | undefined {
  if (typeof error.number === 'number') return `mssql:${error.number}`;
  if (typeof error.code === 'string' && /^[A-Z0-9_]{1,64}$/i.test(error.code)) return error.code;
  return undefined;
}

export function toSourceError(source: string, thrown: unknown, context: ErrorContext): SourceError {
  if (thrown instanceof SourceError) return thrown;
  const error: DriverError = typeof thrown === 'object' && thrown !== null ? (thrown as DriverError) : {};
  const code = codeOf(error);
  const db = context.dialect.label;

  if (thrown instanceof InvalidQueryError) return new SourceError(source, `invalid query: ${thrown.message}`, 'query-failed');
  if (error.name === 'KnexTimeoutError' && typeof error.message === 'string' && error.message.includes('acquiring a connection')) {
    return new SourceError(source, `timed out waiting for a connection to the ${db} server`, 'timeout');
  }
  if (
    thrown instanceof QueryTimeoutError ||
    error.name === 'KnexTimeoutError' ||
    (code !== undefined && CANCELLED.has(code)) ||
    (error.name === 'RequestError' && code === 'ETIMEOUT')
  ) {
    if (context.byDeadline) return new SourceError(source, STOPPED_AT_DEADLINE, 'deadline');
    return new SourceError(source, `the query took longer than its ${context.timeoutMs} ms limit and was stopped`, 'timeout');
  }
  if (code === undefined) return new SourceError(source, `the ${db} query failed`, 'query-failed');
  if (UNREACHABLE.has(code) || (error.name === 'ConnectionError' && code === 'ETIMEOUT')) {
    return new SourceError(source, `cannot reach the ${db} server (${code})`, 'unreachable');
  }
  if (BAD_LOGIN.has(code)) {
    return new SourceError(source, `the ${db} server rejected the login: check the user name and password (${code})`, 'unreachable');
  }
  if (NO_DATABASE.has(code)) return new SourceError(source, `the ${db} database named in the connection does not exist (${code})`, 'unreachable');
  if (NO_TABLE.has(code)) {
    const what = context.table === undefined ? 'a table the query reads' : `table "${context.table}" (or a table one of its expressions reads)`;
    return new SourceError(source, `${what} does not exist (${code})`, 'missing-table');
  }
  if (NO_COLUMN.has(code)) return new SourceError(source, `a column the mapping names does not exist (${code})`, 'query-failed');
  return new SourceError(source, `the ${db} query failed (${code})`, 'query-failed');
}
