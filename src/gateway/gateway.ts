/**
 * The gateway's configuration life cycle: load the public schema and the connector
 * mappings, serve them, and reload them when a liaison edits a file. A file that no
 * longer loads keeps serving its last good version, so a broken edit never takes a
 * department offline.
 */
import type { GraphQLSchema } from 'graphql';
import type { Environment } from '../config/interpolate.js';
import { join } from 'node:path';
import { loadMappings } from '../config/load-mappings.js';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import type { RateLimits, RolesConfig } from '../config/roles.js';
import { Secret } from '../config/secret.js';
import type { ConnectorMapping } from '../config/mapping.js';
import { formatProblem, type Problem } from '../config/problem.js';
import { Metrics } from '../observe/metrics.js';
import { costModel } from '../plan/cost.js';
import { sharedRole } from '../privacy/role-views.js';
import type { SourceState } from '../request/app.js';
import { createAuthenticator } from '../request/authenticate.js';
import type { Serving } from '../request/graphql-endpoint.js';
import { RateLimiter } from '../request/rate-limit.js';
import { datasetTypes, type DatasetType } from '../schema/datasets.js';
import { loadPublicSchema, type PublicSchema } from '../schema/sdl.js';
import { buildServingState, type ServingState } from './serving-state.js';
import { SourcePool } from './source-pool.js';

export interface GatewayOptions {
  connectorsDir: string;
  schemasDir: string;
  log: (line: string) => void;
  /** Where mapping files' `${VAR}` and the pseudonym key come from; `process.env` by default. */
  env?: Environment;
}


export class Gateway {
  readonly metrics = new Metrics();
  private readonly pool = new SourcePool(this.metrics);
  private state: (ServingState & { roles: RolesConfig }) | undefined;
  /** Counts requests per caller while roles.yaml sets `rateLimits`; rebuilt when its window or Redis changes. */
  private limiter: { limiter: RateLimiter; settings: RateLimits } | undefined;

  private constructor(
    private readonly options: GatewayOptions,
    private readonly publicSchema: PublicSchema,
    private readonly types: ReadonlyMap<string, DatasetType>,
  ) {}

  static async open(options: GatewayOptions): Promise<Gateway> {
    const publicSchema = await loadPublicSchema(options.schemasDir);
    const gateway = new Gateway(options, publicSchema, datasetTypes(publicSchema.schema));
    await gateway.reload();
    return gateway;
  }

  get schemas(): ReadonlyMap<string, GraphQLSchema> {
    return this.current.schemas;
  }

  get problems(): readonly Problem[] {
    return this.current.problems;
  }

  get roles(): RolesConfig {
    return this.current.roles;
  }

  /** The departments whose datasets are served, by name. */
  get departments(): string[] {
    return [...new Set(this.current.datasets.map((dataset) => dataset.connector.department))].sort();
  }

  /** What the GraphQL endpoint serves now: each role's schema and limits, and how callers prove their role. */
  serving(): Serving {
    const { roles, schemas, views } = this.current;
    const served = new Map(views.map((view) => {
      const schema = schemas.get(view.role)!;
      return [view.role, { schema, limits: view.limits, cost: costModel(schema, view.datasets) }] as const;
    }));
    const serving: Serving = { roles: served, authenticate: createAuthenticator(roles), fallbackRole: (caller) => sharedRole(roles, caller.baseRole) };
    if (roles.rateLimits && this.limiter) serving.rateLimit = { limiter: this.limiter.limiter, limits: roles.rateLimits };
    return serving;
  }

  /** Reloads the roles and every mapping file; returns the problems found, already logged. */
  async reload(): Promise<readonly Problem[]> {
    const env = this.options.env ?? process.env;
    const rolesLoaded = await loadRoles(join(this.options.connectorsDir, ROLES_FILE), env);
    // Without valid roles nothing can be served safely: keep the last good ones, or refuse to start.
    const roles = rolesLoaded.roles ?? this.state?.roles;
    if (!roles) throw new Error(rolesLoaded.problems.map((problem) => formatProblem(problem)).join('\n') || `${ROLES_FILE} could not be loaded`);
    const loaded = await loadMappings(this.options.connectorsDir, this.publicSchema.schema, { env, roles });
    const mappings = this.keepLastGood(loaded.mappings, loaded.problems);
    const pseudonymKey = env.CIVICGRAPH_PSEUDONYM_KEY ? new Secret(env.CIVICGRAPH_PSEUDONYM_KEY) : undefined;
    const built = await buildServingState(mappings, this.publicSchema, this.types, (connector) => this.pool.sourceFor(connector), { roles, pseudonymKey });
    const state = { ...built, roles };
    state.problems.unshift(...rolesLoaded.problems, ...loaded.problems);
    for (const problem of state.problems) this.options.log(formatProblem(problem));
    this.state = state;
    await this.useRateLimits(roles.rateLimits);
    await this.pool.closeUnused(mappings);
    const served = state.datasets.map((dataset) => `${dataset.type.name} (${dataset.connector.name})`).join(', ');
    this.options.log(`serving ${state.datasets.length} datasets: ${served || 'none'}; roles: ${state.views.map((view) => view.role).join(', ')}`);
    return state.problems;
  }

  /** Each source's state now, for `/readyz`. */
  async readiness(): Promise<SourceState[]> {
    return Promise.all(
      this.current.mappings.map(async (connector): Promise<SourceState> => {
        const source = this.current.sources.get(connector.name)!;
        try {
          await source.ping();
          return { source: connector.name, department: connector.department, state: 'up' };
        } catch (error) {
          return { source: connector.name, department: connector.department, state: 'down', error: error instanceof Error ? error.message : 'unreachable' };
        }
      }),
    );
  }

  async close(): Promise<void> {
    await this.limiter?.limiter.close();
    this.limiter = undefined;
    await this.pool.closeAll();
  }

  /** Keeps the limiter while its window and Redis stay the same (limits alone are read per request), else replaces it. */
  private async useRateLimits(settings: RateLimits | undefined): Promise<void> {
    const current = this.limiter;
    const same =
      current !== undefined &&
      settings !== undefined &&
      current.settings.windowMs === settings.windowMs &&
      current.settings.redisUrl?.reveal() === settings.redisUrl?.reveal();
    if (same) return;
    this.limiter = settings
      ? { limiter: new RateLimiter({ windowMs: settings.windowMs, ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : {}), log: this.options.log }), settings }
      : undefined;
    // Requests still holding the old limiter count in-process until the endpoint serves the new one.
    await current?.limiter.close();
  }

  private get current(): ServingState & { roles: RolesConfig } {
    if (!this.state) throw new Error('gateway is not loaded');
    return this.state;
  }

  /** Files that failed to load are served as they were at the last successful load. */
  private keepLastGood(loaded: ConnectorMapping[], problems: readonly Problem[]): ConnectorMapping[] {
    const failed = new Set(problems.filter((problem) => problem.severity === 'error').map((problem) => problem.file));
    const kept = (this.state?.mappings ?? []).filter((mapping) => failed.has(mapping.file));
    for (const mapping of kept) this.options.log(`${mapping.file}: still serving its last good version`);
    return [...loaded, ...kept];
  }
}
