/**
 * `/graphql`: one Apollo Server per role, each over that role's schema; every request is
 * authenticated first and runs against its caller's schema only. The set can be replaced
 * while serving (after a mapping reload): requests in flight finish on the servers they
 * started on.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { graphqlMetricsPlugin } from '../observe/graphql-metrics-plugin.js';
import { jitGateway } from './jit-executor.js';
import type { Metrics } from '../observe/metrics.js';
import { newRequestContext, type RequestContext } from './context.js';
import { formatError } from './errors.js';
import { auditPlugin } from '../privacy/audit-plugin.js';
import type { AuditSink } from '../privacy/audit.js';
import { AuthenticationError, type Authenticator, type Caller } from './authenticate.js';
import type { RateLimits } from '../config/roles.js';
import { rateLimitHeaders, rateLimitKey, type RateLimiter } from './rate-limit.js';

/** The context of each request, made once its caller is known and before Apollo asks for it. */
const contexts = new WeakMap<Request, RequestContext>();

interface RoleServer {
  server: ApolloServer<RequestContext>;
  handler: RequestHandler;
}

export interface Serving {
  /** Each role's schema, by the role names `Caller.role` carries. */
  schemas: ReadonlyMap<string, GraphQLSchema>;
  authenticate: Authenticator;
  /** The role to serve a caller whose role has no schema (a department no mapping names). */
  fallbackRole: (caller: Caller) => string;
  /** Requests per window by kind of caller, counted after authentication; absent: no limits. */
  rateLimit?: { limiter: RateLimiter; limits: Pick<RateLimits, 'anonymous' | 'appToken' | 'token'> };
}

export class GraphQLEndpoint {
  private servers = new Map<string, RoleServer>();
  private serving: Serving | undefined;

  constructor(
    private readonly log: (line: string) => void,
    private readonly metrics: Metrics,
    private readonly audit: AuditSink,
  ) {}

  /** Serves these schemas from now on and stops the servers they replace. */
  async serve(serving: Serving): Promise<void> {
    const next = new Map<string, RoleServer>();
    for (const [role, schema] of serving.schemas) next.set(role, await this.start(schema));
    const previous = this.servers;
    this.servers = next;
    this.serving = serving;
    await Promise.all([...previous.values()].map(({ server }) => server.stop()));
  }

  readonly handle = (request: Request, response: Response, next: NextFunction): void => {
    void this.route(request, response, next);
  };

  private async route(request: Request, response: Response, next: NextFunction): Promise<void> {
    const serving = this.serving;
    if (!serving) {
      response.status(503).json({ errors: [{ message: 'the gateway is starting' }] });
      return;
    }
    let caller: Caller;
    try {
      caller = await serving.authenticate({ authorization: request.get('authorization'), 'x-app-token': request.get('x-app-token') });
    } catch (error) {
      const message = error instanceof AuthenticationError ? error.message : 'authentication failed';
      response.status(401).set('WWW-Authenticate', 'Bearer').json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    // After authentication, so a refused credential is told so (401) rather than to wait.
    if (serving.rateLimit && !(await this.withinLimit(serving.rateLimit, caller, request, response))) return;
    const role = this.servers.has(caller.role) ? caller.role : serving.fallbackRole(caller);
    const target = this.servers.get(role);
    if (!target) {
      response.status(503).json({ errors: [{ message: 'no schema is being served for your role' }] });
      return;
    }
    contexts.set(request, newRequestContext({ ...caller, role }));
    await target.handler(request, response, next);
  }

  /** Counts the request; sets the RateLimit headers, and answers 429 when it is over the limit. */
  private async withinLimit(rateLimit: NonNullable<Serving['rateLimit']>, caller: Caller, request: Request, response: Response): Promise<boolean> {
    const { key, limit, who } = rateLimitKey(caller, rateLimit.limits, {
      ip: request.ip ?? request.socket.remoteAddress,
      appToken: request.get('x-app-token'),
      authorization: request.get('authorization'),
    });
    const decision = await rateLimit.limiter.take(key, limit);
    response.set(rateLimitHeaders(limit, decision));
    if (decision.allowed) return true;
    response.status(429).json({ errors: [{ message: `rate limit exceeded: ${limit} requests per window for ${who}`, extensions: { code: 'RATE_LIMITED' } }] });
    return false;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map(({ server }) => server.stop()));
    this.servers.clear();
  }

  private async start(schema: GraphQLSchema): Promise<RoleServer> {
    const server = new ApolloServer<RequestContext>({
      gateway: jitGateway(schema),
      introspection: true,
      includeStacktraceInErrorResponses: false,
      formatError: (formatted, error) => formatError(formatted, error, this.log),
      // Compact JSON: Apollo pretty-prints by default, which costs time and bytes on every response.
      stringifyResult: (result) => JSON.stringify(result),
      // The gateway sets no cache hints; the default plugin would still run for every field.
      plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), graphqlMetricsPlugin(this.metrics), auditPlugin(this.audit)],
    });
    await server.start();
    const handler = expressMiddleware(server, { context: async ({ req }) => contexts.get(req)! });
    return { server, handler };
  }
}
