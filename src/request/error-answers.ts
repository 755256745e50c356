/**
 * The last Express error handler: every error no route answered becomes a GraphQL-shaped
 * JSON answer. Express's own handler answers HTML with the stack trace, which tells an
 * outsider the gateway's file layout and helps no GraphQL client.
 */
import type { ErrorRequestHandler } from 'express';
import { errorBody, type ErrorBody } from './error-body.js';
import type { Log } from '../observe/log.js';

/** What `body-parser` (and `http-errors`) attach to an error about the request itself. */
interface RequestError extends Error {
  status: number;
  type?: string;
  limit?: number;
  /** The body's declared length; absent for a chunked or compressed body. */
  length?: number;
}

/** A 4xx error whose message was written for the client (`expose`), as `http-errors` marks them. */
function isRequestError(error: unknown): error is RequestError {
  return error instanceof Error && 'status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500 && 'expose' in error && error.expose === true;
}

function answerTo(error: RequestError): ErrorBody {
  if (error.type === 'entity.too.large' && typeof error.limit === 'number') {
    const { limit, length } = error;
    return typeof length === 'number'
      ? errorBody('REQUEST_TOO_LARGE', `request body is larger than ${limit} bytes (it is ${length})`, { limit, length })
      : errorBody('REQUEST_TOO_LARGE', `request body is larger than ${limit} bytes`, { limit });
  }
  if (error.type === 'entity.parse.failed') return errorBody('BAD_REQUEST', `request body is not valid JSON: ${error.message}`);
  if (error.status === 413) return errorBody('REQUEST_TOO_LARGE', error.message);
  if (error.status === 415) return errorBody('UNSUPPORTED_MEDIA_TYPE', error.message);
  return errorBody('BAD_REQUEST', error.message);
}

export function answerErrorsAsJson(log: Log): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    // A response already under way cannot change; Express's handler ends its connection.
    if (response.headersSent) {
      next(error);
      return;
    }
    if (isRequestError(error)) {
      response.status(error.status).json(answerTo(error));
      return;
    }
    // Only the name: a message may carry a value or a connection detail.
    log(`internal error at ${request.method} ${request.path}: ${error instanceof Error ? error.name : typeof error}`, 'error');
    response.status(500).json(errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
  };
}
