/**
 * Runs the gateway over HTTP until the process is told to stop, reloading the connector
 * mappings and the public schema whenever a file in their folders changes.
 */
import { watch } from 'node:fs';
import { basename } from 'node:path';
import { ReviewLog, reviewsPath } from '../privacy/reviews.js';
import type { AuditSink } from '../privacy/audit.js';
import { createApp } from '../request/app.js';
import { corsOrigins } from '../request/cors.js';
import { GraphQLEndpoint } from '../request/graphql-endpoint.js';
import { httpLimits } from '../request/http-limits.js';
import { startHttpServer } from '../request/http-server.js';
import { Gateway, type GatewayOptions } from './gateway.js';

export interface ServeOptions extends GatewayOptions {
  port: number;
  host: string;
  /** Reload mappings and the public schema when their files change. */
  watch: boolean;
  /** Where audit lines of privileged reads go. */
  audit: AuditSink;
  /** False only to measure what the limits cost (the benchmark); never reachable from the command line. */
  enforceLimits?: boolean;
  /** This process's number among `serve --workers` (node:cluster's worker id), for /readyz. */
  worker?: number;
}

export interface RunningGateway {
  url: string;
  gateway: Gateway;
  /** Refuses new connections, lets the requests in flight finish (up to CIVICGRAPH_SHUTDOWN_TIMEOUT_MS), then closes the sources. */
  stop(): Promise<void>;
}

/** Edits arrive as bursts of file events; reload once they settle. */
const RELOAD_DELAY_MS = 300;

export async function serve(options: ServeOptions): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  // Before opening any source, so that a bad value stops the start at once.
  const limits = httpLimits(env);
  const origins = corsOrigins(env.CIVICGRAPH_CORS_ORIGINS);
  const gateway = await Gateway.open({ ...options, oneOfWorkers: options.worker !== undefined });
  const reviews = new ReviewLog(reviewsPath(options.connectorsDir, env));
  const endpoint = new GraphQLEndpoint(options.log, gateway.metrics, options.audit, options.enforceLimits ?? true);
  await endpoint.serve(gateway.serving());
  const app = createApp({
    endpoint,
    readiness: () => gateway.readiness(),
    metrics: gateway.metrics,
    trustProxy: env.CIVICGRAPH_TRUST_PROXY,
    limits,
    corsOrigins: origins,
    log: options.log,
    console: { gateway, reviews, audit: options.audit },
    ...(options.worker !== undefined ? { worker: { id: options.worker, pid: process.pid } } : {}),
  });

  const server = await startHttpServer(app, options.port, options.host, limits, options.log);
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${server.port}/graphql`;

  let reloading = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const reviewsFile = basename(reviews.path);
  const reloadOnChange = (what: string) => (_event: string, file: string | null) => {
    // A review recorded beside the mappings changes no mapping.
    if (file === reviewsFile) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(async () => {
        options.log(`${what} changed: reloading`);
        try {
          await gateway.reload();
          await endpoint.serve(gateway.serving());
        } catch (error) {
          options.log(`reload failed, still serving the previous configuration: ${error instanceof Error ? error.message : String(error)}`, 'error');
        }
      });
    }, RELOAD_DELAY_MS);
  };
  const watchers = options.watch
    ? [watch(options.connectorsDir, reloadOnChange('connector mappings')), watch(options.schemasDir, reloadOnChange('public schema'))]
    : [];

  return {
    url,
    gateway,
    async stop() {
      for (const watcher of watchers) watcher.close();
      clearTimeout(timer);
      await reloading;
      await server.close();
      await endpoint.stop();
      await gateway.close();
    },
  };
}
