/**
 * `/graphql`: one Apollo Server per role, each over that role's schema. The set can be
 * replaced while serving (after a mapping reload): requests in flight finish on the
 * servers they started on.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { graphqlMetricsPlugin } from '../observe/graphql-metrics-plugin.js';
import type { Metrics } from '../observe/metrics.js';
import { newRequestContext, type RequestContext } from './context.js';
import { formatError } from './errors.js';
import { roleOf } from './role.js';

interface RoleServer {
  server: ApolloServer<RequestContext>;
  handler: RequestHandler;
}

export class GraphQLEndpoint {
  private servers = new Map<string, RoleServer>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly metrics: Metrics,
  ) {}

  /** Serves these schemas from now on and stops the servers they replace. */
  async serve(schemas: ReadonlyMap<string, GraphQLSchema>): Promise<void> {
    const next = new Map<string, RoleServer>();
    for (const [role, schema] of schemas) next.set(role, await this.start(role, schema));
    const previous = this.servers;
    this.servers = next;
    await Promise.all([...previous.values()].map(({ server }) => server.stop()));
  }

  readonly handle = (request: Request, response: Response, next: NextFunction): void => {
    const role = roleOf(request);
    const target = this.servers.get(role);
    if (!target) {
      response.status(503).json({ errors: [{ message: `no schema is being served for role "${role}"` }] });
      return;
    }
    void target.handler(request, response, next);
  };

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map(({ server }) => server.stop()));
    this.servers.clear();
  }

  private async start(role: string, schema: GraphQLSchema): Promise<RoleServer> {
    const server = new ApolloServer<RequestContext>({
      schema,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      formatError: (formatted, error) => formatError(formatted, error, this.log),
      // Compact JSON: Apollo pretty-prints by default, which costs time and bytes on every response.
      stringifyResult: (result) => JSON.stringify(result),
      // The gateway sets no cache hints; the default plugin would still run for every field.
      plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), graphqlMetricsPlugin(this.metrics)],
    });
    await server.start();
    const handler = expressMiddleware(server, { context: async () => newRequestContext(role) });
    return { server, handler };
  }
}
