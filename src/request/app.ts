/** The HTTP surface: the GraphQL endpoint, Open311, data.json, downloads, health and readiness probes, metrics, the GraphiQL query page, the liaisons' console. */
import express, { type Express } from 'express';
import type { Metrics } from '../observe/metrics.js';
import { catalogRouter } from './catalog/router.js';
import type { ConsoleContext } from './console/context.js';
import { reviewedAt } from './console/reviews.js';
import { consoleRouter } from './console/router.js';
import { crossOrigin } from './cors.js';
import { downloadsRouter } from './downloads/router.js';
import { answerErrorsAsJson } from './error-answers.js';
import type { GraphQLEndpoint } from './graphql-endpoint.js';
import { graphiqlPage } from './graphiql/graphiql-page.js';
import type { HttpLimits } from './http-limits.js';
import { open311Router } from './open311/router.js';
import { refuseLongUrls } from './url-limit.js';
import type { Log } from '../observe/log.js';

export interface SourceState {
  source: string;
  department: string;
  state: 'up' | 'down';
  /** Why the source is down, in words that carry no secret. */
  error?: string;
}

export interface AppOptions {
  endpoint: GraphQLEndpoint;
  readiness: () => Promise<SourceState[]>;
  metrics: Metrics;
  /**
   * Express's `trust proxy`, as CIVICGRAPH_TRUST_PROXY gives it: which proxies' X-Forwarded-For
   * to believe for the client address (the anonymous rate limit counts per address). A number
   * of hops (`1`), addresses or subnets, comma-separated (`loopback`, `10.0.0.0/8`), or `true`
   * (any: only when nothing but the proxy can reach the gateway). Unset: the socket's address.
   */
  trustProxy?: string | undefined;
  limits: Pick<HttpLimits, 'maxBodyBytes' | 'maxUrlBytes'>;
  /** The origins whose pages may send credentials to /graphql (CIVICGRAPH_CORS_ORIGINS); any origin may query it without. */
  corsOrigins: readonly string[];
  /** Where errors no route answered are noted. */
  log: Log;
  /** The configuration and review log the console at /console describes; absent: no console. */
  console?: ConsoleContext;
  /** Which of `serve --workers` answers, for /readyz to say (each worker answers for itself). */
  worker?: { id: number; pid: number };
}

/** CIVICGRAPH_TRUST_PROXY as Express's `trust proxy` setting; undefined: leave it off. */
export function trustProxySetting(value: string | undefined): boolean | number | string | undefined {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return undefined;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  return text;
}

/** What pages on other sites may call: every entry point to the data. */
const PUBLIC_API_PATHS = ['/graphql', '/open311', '/data.json', '/datasets'];

export function createApp({ endpoint, readiness, metrics, trustProxy, limits, corsOrigins, log, console: consoleContext, worker }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const trust = trustProxySetting(trustProxy);
  if (trust !== undefined) app.set('trust proxy', trust);
  // First, so that a page on another site can read every refusal, the URL limit's included.
  app.use(PUBLIC_API_PATHS, crossOrigin(corsOrigins));
  app.use(refuseLongUrls(limits.maxUrlBytes));

  app.use(graphiqlPage());

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/readyz', async (_request, response) => {
    const sources = await readiness();
    const ready = sources.every((source) => source.state === 'up');
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'degraded', ...(worker ? { worker } : {}), sources });
  });

  app.get('/metrics', async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // The limit counts decompressed bytes, so a small gzip body cannot unpack into a large one.
  // Its own app, so that Express puts no ETag of its own on what /graphql sends (answers are written
  // by src/request/apollo-express.ts, refusals through Express): a GraphQL answer's ETag comes from
  // the response cache (src/response/cache), the only place it is stable.
  const graphql = express();
  graphql.set('etag', false);
  graphql.use(express.json({ limit: limits.maxBodyBytes }), endpoint.handle);
  app.use('/graphql', graphql);
  app.use('/open311/v2', open311Router({ endpoint, log }));
  app.use(catalogRouter(endpoint, consoleContext ? () => reviewedAt(consoleContext) : undefined));
  if (consoleContext) app.use(consoleRouter(endpoint, consoleContext, log));
  app.use(downloadsRouter(endpoint, log));
  app.use(answerErrorsAsJson(log));
  return app;
}
