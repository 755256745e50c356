/** Refuses a request whose target (path and query string) is longer than the bound, before anything reads it. */
import type { RequestHandler } from 'express';
import { errorBody } from './error-body.js';

export function refuseLongUrls(maxBytes: number): RequestHandler {
  return (request, response, next) => {
    // Node refuses a request target that is not ASCII, so its length is its size in bytes.
    const length = request.url.length;
    if (length <= maxBytes) {
      next();
      return;
    }
    response
      .status(414)
      .json(errorBody('URL_TOO_LONG', `request URL is longer than ${maxBytes} bytes (it is ${length}): send a long query with POST`, { limit: maxBytes, length }));
  };
}
