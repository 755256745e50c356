/**
 * The Node HTTP server under the app: slow clients are cut off at the configured bounds,
 * and closing it lets the requests in flight finish (up to the drain time) while refusing
 * new connections.
 */
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Log } from '../observe/log.js';
import { observeRequests } from '../observe/request-observer.js';
import { answerClientErrors } from './client-errors.js';
import type { HttpLimits } from './http-limits.js';

export interface HttpServer {
  port: number;
  /** Stops accepting connections, closes idle ones, and resolves once the requests in flight are answered or the drain time is up. */
  close(): Promise<void>;
}

type ServerLimits = Pick<HttpLimits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'shutdownTimeoutMs'>;

export async function startHttpServer(app: RequestListener, port: number, host: string, limits: ServerLimits, log: Log): Promise<HttpServer> {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node looks for overdue requests only this often (30 s by default), so a slow client
    // would hold its connection up to that much past its bound.
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(limits.headersTimeoutMs / 4)),
  });
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  // Before the app, which may answer at once: headers cannot be set after.
  server.on('request', (_request, response: ServerResponse) => {
    // A request that arrives on an open connection while closing is served, and its connection ends after it.
    if (closing) response.setHeader('connection', 'close');
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });
  // Each request gets its id, its log line and, while tracing, its span.
  server.on('request', observeRequests(log, app));
  answerClientErrors(server, limits, (socket: Duplex) => [...inFlight].some((response) => response.socket === socket && response.headersSent));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      closing = true;
      // Without it each connection would stay open, idle, for the keep-alive time after its answer.
      for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
      await closeWithin(server, limits.shutdownTimeoutMs);
    },
  };
}

/** `server.close()` waits for every connection to end; past the drain time the remaining ones are cut. */
async function closeWithin(server: Server, drainMs: number): Promise<void> {
  const cut = setTimeout(() => server.closeAllConnections(), drainMs);
  // Since Node 19 this also closes the idle keep-alive connections at once.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(cut);
}
