/**
 * The child-process side of a benchmarked server: start it, report its URL to the parent
 * over IPC, and stop it when the parent asks, goes away or signals. Each server runs in its
 * own process so that neither the load generator nor the other servers share its event loop.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST } from '../config.js';

export interface StartedServer {
  /** The server's base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  stop(): Promise<void>;
}

export type ChildMessage = { type: 'ready'; url: string } | { type: 'failed'; error: string };

export function runChild(start: () => Promise<StartedServer>): void {
  if (!process.send) throw new Error('a benchmark server runs as a child process of bench/run.ts');
  let server: StartedServer | undefined;
  let stopping = false;

  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // A server that does not close in time is not worth waiting for: the benchmark is over.
    const deadline = setTimeout(() => process.exit(code), 5_000);
    deadline.unref();
    try {
      await server?.stop();
    } finally {
      process.exit(code);
    }
  };

  process.on('message', (message) => {
    if (message === 'stop') void shutdown(0);
  });
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  start().then(
    (started) => {
      server = started;
      process.send?.({ type: 'ready', url: started.url } satisfies ChildMessage);
    },
    (error: unknown) => {
      process.send?.({ type: 'failed', error: error instanceof Error ? error.message : String(error) } satisfies ChildMessage);
      void shutdown(1);
    },
  );
}

/** Listens on a free port of the loopback host; stopping closes every connection, then `release`s what the server used. */
export async function listen(server: Server, release: () => Promise<unknown>): Promise<StartedServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await release();
    },
  };
}
