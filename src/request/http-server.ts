/** The Node HTTP server under the app: slow clients are cut off at the configured bounds. */
import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerClientErrors } from './client-errors.js';
import type { HttpLimits } from './http-limits.js';

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

type ServerLimits = Pick<HttpLimits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>;

export async function startHttpServer(app: RequestListener, port: number, host: string, limits: ServerLimits): Promise<HttpServer> {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node looks for overdue requests only this often (30 s by default), so a slow client
    // would hold its connection up to that much past its bound.
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(limits.headersTimeoutMs / 4)),
  });
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });
  server.on('request', app);
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
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

