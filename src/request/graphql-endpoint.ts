/**
 * `/graphql`: one Apollo Server per role, each over that role's schema and held to that
 * role's limits; every request is authenticated first and runs against its caller's schema
 * only. At the door a request spends one of its caller's requests per window and takes one
 * of its places in flight; the role's server then refuses documents over its static limits
 * and cost before anything runs. The set can be replaced while serving (after a mapping
 * reload): requests in flight finish on the servers they started on.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { FormattedExecutionResult, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { QueryLimits } from '../config/limits.js';
import type { CostModel } from '../plan/cost.js';
import { graphqlMetricsPlugin } from '../observe/graphql-metrics-plugin.js';
import { operationPlugin } from '../observe/operation-plugin.js';
import { requestRecord } from '../observe/request-observer.js';
import { inOperationSpan } from '../observe/spans.js';
import { jitGateway } from './jit-executor.js';
import type { Metrics } from '../observe/metrics.js';
import { newRequestContext, type RequestContext, type RequestRateLimit } from './context.js';
import { formatError } from './errors.js';
import { mediaTypePlugin } from './media-type-plugin.js';
import { auditPlugin } from '../privacy/audit-plugin.js';
import type { AuditSink } from '../privacy/audit.js';
import { AuthenticationError, type Authenticator, type Caller } from './authenticate.js';
import type { RateLimits } from '../config/roles.js';
import { budgetHeaders, callerKey, rateLimitKey, type RateLimitCredentials, type RateLimiter, type SpentBudget } from './rate-limit.js';
import { RequestBudget } from '../plan/budget.js';
import type { RequestMemo } from '../plan/request-memo.js';
import { costPlugin } from './limits/cost-plugin.js';
import { InFlight } from './limits/in-flight.js';
import { parseOptions, staticLimitRules } from './limits/static-limits.js';
import { responseSizeGuard } from './limits/response-size.js';
import { answerText } from '../response/answer-text.js';
import { apolloHandler } from './apollo-express.js';
import type { Log } from '../observe/log.js';
import type { AnswerStore } from '../response/cache/answer-store.js';
import { responseCachePlugin } from '../response/cache/cache-plugin.js';

/** The context of each request, made once its caller is known and before Apollo asks for it. */
const contexts = new WeakMap<Request, RequestContext>();

interface RoleServer {
  server: ApolloServer<RequestContext>;
  handler: RequestHandler;
  schema: GraphQLSchema;
  limits: QueryLimits;
}

/** What the endpoint serves one role: its schema, its limits and how its requests cost. */
export interface ServedRole {
  schema: GraphQLSchema;
  limits: QueryLimits;
  cost: CostModel;
  /** The identity of the role's view (src/gateway/view-identity.ts): the response cache's key for it. */
  view: string;
}

export interface Serving {
  /** Each role's schema and limits, by the role names `Caller.role` carries. */
  roles: ReadonlyMap<string, ServedRole>;
  authenticate: Authenticator;
  /** The role to serve a caller whose role has no schema (a department no mapping names). */
  fallbackRole: (caller: Caller) => string;
  /**
   * The served roles a caller's role inherits from, lowest first, itself last ('public', 'staff',
   * 'department:parks', 'liaison:parks'): each sees no more than the caller, so an entry point may
   * show the caller what those roles see (the console's preview).
   */
  rolesBelow: (caller: Caller) => string[];
  /** Requests (and cost) per window by kind of caller, counted after authentication; absent: no limits. */
  rateLimit?: { limiter: RateLimiter; limits: RateLimits };
  /** The response cache and the version of the data served now; absent: answers are not cached. */
  cache?: { store: AnswerStore; dataVersion: () => string };
}

/** A GraphQL operation another entry point runs on its caller's behalf. */
export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface OperationResult {
  /** The HTTP status the GraphQL endpoint would have answered with (4xx for a refused request). */
  status: number;
  result: FormattedExecutionResult;
}

/** A request admitted at the door, for an entry point beside `/graphql`. */
export interface AdmittedRequest {
  role: string;
  limits: QueryLimits;
  caller: Caller;
  /** The role's schema: what the role may read, for an entry point to build its operations from. */
  schema: GraphQLSchema;
  /** Runs an operation through the role's server: its limits, cost, audit and row rules, and this request's budgets. */
  execute(operation: Operation): Promise<OperationResult>;
  /**
   * The request's memo, for an entry point that reads sources other than through GraphQL (the
   * console's quality profile): what it reads through it is held to the request's runtime budget.
   */
  memo: RequestMemo;
  /**
   * The same request run as one of the roles the caller's role inherits from (`Serving.rolesBelow`),
   * through that role's own server, schema and limits, spending the caller's budgets and audited
   * under the caller's subject. Any other role is refused with an Error: it could see more.
   */
  as(role: string): AdmittedRequest;
  /** The roles `as` runs as, lowest first, the caller's own last. */
  asRoles: readonly string[];
}

/**
 * What the role's runtime budget (deadline and rows) covers: the whole request, as for a GraphQL
 * request, or each operation on its own, for work made of many requests' worth of operations
 * and bounded as a whole by a limit of its own (a download, by `downloadRows`).
 */
export type BudgetScope = 'request' | 'operation';

/** Answers a request refused at the door (401, 429, 503), in the entry point's own format. */
export type Refuse = (response: Response, status: number, error: GraphQLFormattedError) => void;

const refuseAsGraphQL: Refuse = (response, status, error) => {
  response.status(status).json({ errors: [error] });
};

export class GraphQLEndpoint {
  private servers = new Map<string, RoleServer>();
  private serving: Serving | undefined;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly log: Log,
    private readonly metrics: Metrics,
    private readonly audit: AuditSink,
    /** False only to measure what the limits cost (the benchmark); a gateway on a network always enforces them. */
    private readonly enforceLimits = true,
  ) {}

  /** Serves these schemas from now on and stops the servers they replace. */
  async serve(serving: Serving): Promise<void> {
    const next = new Map<string, RoleServer>();
    for (const [role, served] of serving.roles) next.set(role, await this.start(role, served, serving.cache));
    const previous = this.servers;
    this.servers = next;
    this.serving = serving;
    await Promise.all([...previous.values()].map(({ server }) => server.stop()));
  }

  readonly handle = (request: Request, response: Response, next: NextFunction): void => {
    // What else an answer over GET depends on, for a browser's or a CDN's cache (./response/cache/cache-plugin.ts).
    if (request.method === 'GET') for (const header of ['Accept', 'Authorization', 'X-App-Token']) response.vary(header);
    void this.admit(request, response, async ({ server }) => {
      await inOperationSpan(async () => server.handler(request, response, next));
    });
  };

  /**
   * Runs `work` for a request of another entry point (Open311, downloads…) exactly as a GraphQL
   * request is run: authenticated, counted against its caller's budgets, in flight, under its
   * role's runtime budget, and with `execute` running operations through the role's own server,
   * so its static limits, cost, audit and row rules apply. Refusals at the door go to `refuse`,
   * for the entry point to word in its own format. Each operation gets a context of its own, so
   * that it is audited, and its look-ups cached, as one GraphQL request is; `budget` says whether
   * the role's runtime budget holds the whole of `work` or each operation.
   */
  async runAs(request: Request, response: Response, work: (admitted: AdmittedRequest) => Promise<void>, refuse?: Refuse, budget: BudgetScope = 'request'): Promise<void> {
    await this.admit(
      request,
      response,
      async ({ role, server, context, serving }) => {
        const below = serving.rolesBelow(context.caller);
        const admittedAs = (asRole: string, target: RoleServer): AdmittedRequest => {
          const caller = { ...context.caller, role: asRole };
          const run = async (operation: Operation): Promise<OperationResult> => {
            // Each operation is audited and cached as one request, and spends the request's budget or its own.
            const own = budget === 'operation' ? this.newBudget(target.limits, asRole) : undefined;
            const { rateLimit, record } = context;
            const contextValue = newRequestContext(caller, { rateLimit, record, budget: own ?? context.loaders.memo.budget });
            try {
              const answer = await inOperationSpan(() => target.server.executeOperation(operation, { contextValue }));
              // An answer streamed over many operations (a download) carries the headers of those before its first byte.
              if (!response.headersSent) for (const [name, value] of answer.http.headers) response.setHeader(name, value);
              if (answer.body.kind !== 'single') throw new Error('incremental delivery is not served');
              return { status: answer.http.status ?? 200, result: answer.body.singleResult };
            } finally {
              own?.end();
            }
          };
          const as = (other: string): AdmittedRequest => {
            const otherServer = this.servers.get(other);
            if (!below.includes(other) || !otherServer) throw new Error(`role ${role} may not run as role ${other}`);
            return admittedAs(other, otherServer);
          };
          return { role: asRole, limits: target.limits, caller, schema: target.schema, execute: run, as, asRoles: below, memo: context.loaders.memo };
        };
        await work(admittedAs(role, server));
      },
      refuse,
      budget,
    );
  }

  /** A runtime budget of the role's deadline and rows, where limits are enforced. */
  private newBudget(limits: QueryLimits, role: string): RequestBudget | undefined {
    return this.enforceLimits ? new RequestBudget({ deadlineMs: limits.deadlineMs, maxRows: limits.rows, role }) : undefined;
  }

  /** Authentication, the caller's budgets and places in flight, and the role's runtime budget around `work`. */
  private async admit(
    request: Request,
    response: Response,
    work: (admitted: { role: string; server: RoleServer; context: RequestContext; serving: Serving }) => Promise<void>,
    refuse: Refuse = refuseAsGraphQL,
    budget: BudgetScope = 'request',
  ): Promise<void> {
    const serving = this.serving;
    if (!serving) {
      refuse(response, 503, { message: 'the gateway is starting' });
      return;
    }
    let caller: Caller;
    try {
      caller = await serving.authenticate({ authorization: request.get('authorization'), 'x-app-token': request.get('x-app-token') });
    } catch (error) {
      const message = error instanceof AuthenticationError ? error.message : 'authentication failed';
      response.set('WWW-Authenticate', 'Bearer');
      refuse(response, 401, { message, extensions: { code: 'UNAUTHENTICATED' } });
      return;
    }
    const credentials: RateLimitCredentials = { ip: request.ip ?? request.socket.remoteAddress, appToken: request.get('x-app-token'), authorization: request.get('authorization') };
    // After authentication, so a refused credential is told so (401) rather than to wait.
    const rateLimit = serving.rateLimit && (await this.spendRequest(serving.rateLimit, caller, credentials, response, refuse));
    if (rateLimit === false) return;
    const role = this.servers.has(caller.role) ? caller.role : serving.fallbackRole(caller);
    const target = this.servers.get(role);
    if (!target) {
      refuse(response, 503, { message: 'no schema is being served for your role' });
      return;
    }
    const { key } = callerKey(caller, credentials);
    if (!this.inFlight.enter(key, this.enforceLimits ? target.limits.inFlight : Infinity)) {
      const message = `you already have ${target.limits.inFlight} requests running, the most role ${role} may run at once: wait for one to finish`;
      response.set('Retry-After', '1');
      refuse(response, 429, { message, extensions: { code: 'RATE_LIMITED', measure: 'inFlight', limit: target.limits.inFlight } });
      return;
    }
    const requestBudget = budget === 'request' ? this.newBudget(target.limits, role) : undefined;
    try {
      const record = requestRecord(request);
      if (record) record.role = role;
      const context = newRequestContext({ ...caller, role }, { rateLimit, record, budget: requestBudget });
      contexts.set(request, context);
      await work({ role, server: target, context, serving });
    } finally {
      requestBudget?.end();
      this.inFlight.leave(key);
    }
  }

  /**
   * Spends one of the caller's requests per window, sets the RateLimit headers and answers 429 when
   * none is left (false); else what the request's context needs to spend its cost once it is known.
   */
  private async spendRequest(
    rateLimit: NonNullable<Serving['rateLimit']>,
    caller: Caller,
    credentials: RateLimitCredentials,
    response: Response,
    refuse: Refuse,
  ): Promise<RequestRateLimit | false> {
    const { limiter, limits } = rateLimit;
    const { key, limit, who } = rateLimitKey(caller, limits, credentials);
    const requests: SpentBudget = { name: 'requests', limit, decision: await limiter.take(key, limit) };
    response.set(budgetHeaders([requests], limiter.windowMs));
    if (!requests.decision.allowed) {
      refuse(response, 429, { message: `rate limit exceeded: ${limit} requests per window for ${who}`, extensions: { code: 'RATE_LIMITED', measure: 'requests', limit } });
      return false;
    }
    const context: RequestRateLimit = { windowMs: limiter.windowMs, who, requests };
    const costLimits = limits.cost;
    if (costLimits) {
      const cost = rateLimitKey(caller, costLimits, credentials);
      context.spendCost = async (amount) => ({ name: 'cost', limit: cost.limit, decision: await limiter.take(`cost:${cost.key}`, cost.limit, amount) });
    }
    return context;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map(({ server }) => server.stop()));
    this.servers.clear();
  }

  private async start(role: string, { schema, limits, cost, view }: ServedRole, cache: Serving['cache']): Promise<RoleServer> {
    const enforced = this.enforceLimits;
    const server = new ApolloServer<RequestContext>({
      gateway: jitGateway(schema),
      introspection: true,
      // No request a page can send without a CORS preflight can change or read more than the public
      // may: the schema has no mutations, and Apollo runs none over GET; a POST is read only as JSON,
      // which browsers preflight (a text/plain or form body reaches Apollo as no body, and is refused);
      // and the gateway reads no credential a browser adds by itself (cookies, HTTP authentication).
      // So queries over GET need no preflight header (README, "The API").
      csrfPrevention: false,
      includeStacktraceInErrorResponses: false,
      // The process stops the gateway on SIGINT/SIGTERM, draining requests first (src/cli/commands.ts).
      // Left on, each role's server would add its own two signal listeners (too many for Node past
      // ten servers) and, on a signal, stop at once and raise the signal again, cutting the drain short.
      stopOnTerminationSignals: false,
      parseOptions: enforced ? parseOptions(limits) : {},
      validationRules: enforced ? staticLimitRules(limits, role) : [],
      formatError: (formatted, error) => formatError(formatted, error, role, this.log),
      stringifyResult: enforced ? responseSizeGuard(limits.responseBytes, role) : answerText,
      // The gateway sets no cache hints; the default plugin would still run for every field.
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        ApolloServerPluginCacheControlDisabled(),
        ...(enforced ? [costPlugin(cost, limits, role)] : []),
        // After the cost plugin: a cached answer is held to the same limits and spends the same budget.
        ...(cache ? [responseCachePlugin({ store: cache.store, view, dataVersion: cache.dataVersion, metrics: this.metrics })] : []),
        mediaTypePlugin(),
        graphqlMetricsPlugin(this.metrics),
        operationPlugin(role),
        auditPlugin(this.audit),
      ],
    });
    await server.start();
    const handler = apolloHandler(server, async (request) => contexts.get(request)!);
    return { server, handler, schema, limits };
  }
}
