/**
 * Node's own refusals, made before any route sees a request — a request head larger than
 * Node's limit, a client too slow to send its request, bytes that are not HTTP — answered
 * with a JSON body like every other refusal. Node's default answers carry no body at all.
 */
import { maxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, type ErrorBody } from './error-body.js';
import type { HttpLimits } from './http-limits.js';

type Timeouts = Pick<HttpLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>;

function answerTo(error: NodeJS.ErrnoException, { headersTimeoutMs, requestTimeoutMs }: Timeouts): { status: number; body: ErrorBody } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        body: errorBody('REQUEST_HEADERS_TOO_LARGE', `request headers, with the URL, are larger than ${maxHeaderSize} bytes: send a long query with POST`, { limit: maxHeaderSize }),
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, body: errorBody('REQUEST_TOO_LARGE', 'request body chunk extensions are too large') };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        body: errorBody('REQUEST_TIMEOUT', `request not received in time: headers within ${headersTimeoutMs} ms, the whole request within ${requestTimeoutMs} ms`, {
          headersTimeoutMs,
          requestTimeoutMs,
        }),
      };
    default:
      return { status: 400, body: errorBody('BAD_REQUEST', `malformed HTTP request${error.code ? ` (${error.code})` : ''}`) };
  }
}

/**
 * `isResponding`: whether a response on this connection has begun; its bytes must not be
 * corrupted by an answer to a later, broken request (Node's default handler checks the same).
 */
export function answerClientErrors(server: Server, timeouts: Timeouts, isResponding: (socket: Duplex) => boolean): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code !== 'ECONNRESET' && socket.writable && !isResponding(socket)) {
      const { status, body } = answerTo(error, timeouts);
      const json = JSON.stringify(body);
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
    }
    socket.destroy();
  });
}
