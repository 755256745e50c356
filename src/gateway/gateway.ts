/**
 * The gateway's configuration life cycle: load the public schema and the connector
 * mappings, serve them, and reload them when a liaison edits a file. A file that no
 * longer loads keeps serving its last good version, so a broken edit never takes a
 * department offline; so does a public schema that does not read, or that a mapping
 * being served would not load against.
 */
import { createHash } from 'node:crypto';
import { print, type GraphQLSchema } from 'graphql';
import type { Environment } from '../config/interpolate.js';
import { join, relative } from 'node:path';
import { loadMappings } from '../config/load-mappings.js';
import { loadRoles, parseDuration, ROLES_FILE } from '../config/load-roles.js';
import type { RateLimits, RolesConfig } from '../config/roles.js';
import { Secret } from '../config/secret.js';
import type { ConnectorMapping } from '../config/mapping.js';
import { formatProblem, type Problem } from '../config/problem.js';
import { Metrics } from '../observe/metrics.js';
import { costModel } from '../plan/cost.js';
import { profileDatasets, type DatasetQuality, type ProfileOptions } from '../plan/quality/profile.js';
import { roleChain } from '../privacy/access-rules.js';
import { sharedRole } from '../privacy/role-views.js';
import type { SourceState } from '../request/app.js';
import { createAuthenticator, departmentRole, type Caller } from '../request/authenticate.js';
import type { Serving } from '../request/graphql-endpoint.js';
import { RateLimiter } from '../request/rate-limit.js';
import { withDeclaredTypes } from '../schema/declared-sdl.js';
import { SharedRedis } from '../request/shared-redis.js';
import { MemoryAnswers, RedisAnswers, type AnswerStore } from '../response/cache/answer-store.js';
import { configurationDigest, viewIdentity } from './view-identity.js';
import { loadPublicSchema, SchemaFileError, type PublicSchema } from '../schema/sdl.js';
import { buildServingState, refreshPlaces, type ServingState } from './serving-state.js';
import { SourcePool } from './source-pool.js';
import type { Log } from '../observe/log.js';

export interface GatewayOptions {
  connectorsDir: string;
  schemasDir: string;
  log: Log;
  /** Where mapping files' `${VAR}` and the pseudonym key come from; `process.env` by default. */
  env?: Environment;
  /** One of several processes serving the same files (`serve --workers`): an embedded database cannot be served. */
  oneOfWorkers?: boolean;
}


/** The curated public schema as served, and its text to tell an edit from a mere save. */
interface ServedSchema {
  publicSchema: PublicSchema;
  printed: string;
}

/** How often each role's places are computed again, so that a block new since the load gets its point. */
const PLACES_REFRESH_VARIABLE = 'CIVICGRAPH_PLACES_REFRESH';
const DEFAULT_PLACES_REFRESH = '10m';

export class Gateway {
  readonly metrics = new Metrics();
  private placesTimer: NodeJS.Timeout | undefined;
  private readonly pool = new SourcePool(this.metrics);
  private state: (ServingState & { roles: RolesConfig; schema: ServedSchema; configuration: string }) | undefined;
  /** One connection per Redis URL (by its digest), shared by the rate limits and the response cache. */
  private readonly redis = new Map<string, SharedRedis>();
  /** Where answers are cached (CIVICGRAPH_CACHE, CIVICGRAPH_REDIS_URL); undefined: off. */
  private readonly answers: AnswerStore | undefined;
  /** The Redis the cache lives in, if any: CIVICGRAPH_REDIS_URL, fixed for the process's life. */
  private cacheRedis: SharedRedis | undefined;
  /** Counts requests per caller while roles.yaml sets `rateLimits`; rebuilt when its window or Redis changes. */
  private limiter: { limiter: RateLimiter; settings: RateLimits } | undefined;

  private constructor(private readonly options: GatewayOptions) {
    this.answers = this.answerStore(options.env ?? process.env);
  }

  static async open(options: GatewayOptions): Promise<Gateway> {
    // Before any source is opened, so that a bad value stops the start at once.
    const setting = (options.env ?? process.env)[PLACES_REFRESH_VARIABLE] ?? DEFAULT_PLACES_REFRESH;
    const refreshMs = parseDuration(setting);
    if (refreshMs === undefined) throw new Error(`${PLACES_REFRESH_VARIABLE} must be a duration such as 10m or 30s, got ${JSON.stringify(setting)}`);
    const gateway = new Gateway(options);
    await gateway.reload();
    gateway.refreshPlacesEvery(refreshMs);
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

  /** What this generation of configuration serves, as it stands (for the console to describe; never to read data through). */
  get served(): Readonly<Pick<ServingState, 'mappings' | 'sources' | 'datasets' | 'views' | 'problems'>> & { roles: RolesConfig; publicSchema: GraphQLSchema } {
    const { mappings, sources, datasets, views, problems, roles, schema } = this.current;
    // The curated schema with the mappings' declared types, as the serving state was built on.
    return { mappings, sources, datasets, views, problems, roles, publicSchema: withDeclaredTypes(schema.publicSchema, mappings).schema };
  }

  /** Where the mapping files are read from, and their `${VAR}`s. */
  get configuration(): { connectorsDir: string; schemasDir: string; env: Environment } {
    return { connectorsDir: this.options.connectorsDir, schemasDir: this.options.schemasDir, env: this.options.env ?? process.env };
  }

  /** The departments whose datasets are served, by name. */
  get departments(): string[] {
    return [...new Set(this.current.datasets.map((dataset) => dataset.connector.department))].sort();
  }

  /** What the GraphQL endpoint serves now: each role's schema and limits, and how callers prove their role. */
  serving(): Serving {
    const { roles, schemas, views, configuration, sources } = this.current;
    const served = new Map(views.map((view) => {
      const schema = schemas.get(view.role)!;
      return [view.role, { schema, limits: view.limits, cost: costModel(schema, view.datasets), view: viewIdentity(configuration, view.role, schema) }] as const;
    }));
    const serving: Serving = {
      roles: served,
      authenticate: createAuthenticator(roles),
      fallbackRole: (caller) => sharedRole(roles, caller.baseRole),
      rolesBelow: (caller) => rolesBelow(roles, caller, served),
    };
    if (roles.rateLimits && this.limiter) serving.rateLimit = { limiter: this.limiter.limiter, limits: roles.rateLimits };
    if (this.answers) {
      // By name, so that every gateway reading the same files spells the same version.
      const versioned = [...sources.values()].filter((source) => source.dataVersion).sort((a, b) => a.name.localeCompare(b.name));
      serving.cache = { store: this.answers, dataVersion: () => versioned.map((source) => `${source.name}=${source.dataVersion!()}`).join('|') };
    }
    return serving;
  }

  /** Reloads the public schema, the roles and every mapping file; returns the problems found, already logged. */
  async reload(): Promise<readonly Problem[]> {
    const env = this.options.env ?? process.env;
    const rolesLoaded = await loadRoles(join(this.options.connectorsDir, ROLES_FILE), env);
    // Without valid roles nothing can be served safely: keep the last good ones, or refuse to start.
    const roles = rolesLoaded.roles ?? this.state?.roles;
    if (!roles) throw new Error(rolesLoaded.problems.map((problem) => formatProblem(problem)).join('\n') || `${ROLES_FILE} could not be loaded`);
    const schema = await this.nextSchema(roles, env);
    const loaded = await loadMappings(this.options.connectorsDir, schema.publicSchema.schema, { env, roles });
    const mappings = this.keepLastGood(loaded.mappings, loaded.problems);
    const embedded = this.options.oneOfWorkers ? mappings.find((mapping) => mapping.source.kind === 'pglite') : undefined;
    // Two processes opening one PGlite folder would corrupt it.
    if (embedded) throw new Error(`${embedded.file}: a pglite source is an embedded database only one process may open: serve it with --workers 1`);
    const pseudonymKey = env.CIVICGRAPH_PSEUDONYM_KEY ? new Secret(env.CIVICGRAPH_PSEUDONYM_KEY) : undefined;
    const built = await buildServingState(mappings, schema.publicSchema, (connector) => this.pool.sourceFor(connector), { roles, pseudonymKey });
    const configuration = configurationDigest({ mappings, roles, publicSchema: schema.printed, pseudonymKey });
    const state = { ...built, roles, schema, configuration };
    state.problems.unshift(...rolesLoaded.problems, ...loaded.problems);
    for (const problem of state.problems) this.options.log(formatProblem(problem), problem.severity === 'error' ? 'error' : 'warn');
    this.state = state;
    this.useRateLimits(roles.rateLimits);
    await this.closeUnusedRedis();
    await this.pool.closeUnused(mappings);
    const served = state.datasets.map((dataset) => `${dataset.type.name} (${dataset.connector.name})`).join(', ');
    this.options.log(`serving ${state.datasets.length} datasets: ${served || 'none'}; roles: ${state.views.map((view) => view.role).join(', ')}`);
    return state.problems;
  }

  /**
   * The quality profiles `role` (the caller's concrete role, e.g. `liaison:public-works`) may see,
   * of its own department's datasets (all, or those named), each on the role's own view; none for a
   * role that is not its department's liaison. Run it inside `GraphQLEndpoint.runAs`, so that the
   * caller is authenticated and held to its budgets, and pass the request's audit.
   */
  quality(role: string, options: Omit<ProfileOptions, 'role'> & { datasets?: readonly string[] } = {}): Promise<DatasetQuality[]> {
    return profileDatasets(this.current.views, this.current.roles, role, options);
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

  /** Computes the places of every role again from what its sources hold now; returns the problems, already logged. */
  async refreshPlaces(): Promise<readonly Problem[]> {
    const problems = await refreshPlaces(this.current.views);
    for (const problem of problems) this.options.log(formatProblem(problem), 'warn');
    return problems;
  }

  private refreshPlacesEvery(ms: number): void {
    // One at a time: a slow source must not pile refreshes up.
    let running: Promise<unknown> = Promise.resolve();
    this.placesTimer = setInterval(() => {
      running = running.then(() => this.refreshPlaces()).catch((error: unknown) => this.options.log(`could not compute the places again: ${error instanceof Error ? error.message : String(error)}`, 'warn'));
    }, ms);
    this.placesTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.placesTimer);
    this.limiter = undefined;
    await Promise.all([...this.redis.values()].map((redis) => redis.close()));
    this.redis.clear();
    await this.pool.closeAll();
  }

  /** Closes the connection to a Redis that roles.yaml named and no longer names (requests holding it then count in-process). */
  private async closeUnusedRedis(): Promise<void> {
    const used = new Set([this.cacheRedis, this.limiter?.limiter.redis]);
    const unused = [...this.redis].filter(([, redis]) => !used.has(redis));
    for (const [url] of unused) this.redis.delete(url);
    await Promise.all(unused.map(([, redis]) => redis.close()));
  }

  /** The connection to the Redis at `url`, made once and shared by whatever uses it. */
  private redisAt(url: Secret): SharedRedis {
    // By digest, as the source pool keys its sources: a map key that stays in memory never holds a secret.
    const key = createHash('sha256').update(url.reveal()).digest('hex');
    let redis = this.redis.get(key);
    if (!redis) {
      const metrics = this.metrics;
      metrics.redisReachable.set(1);
      redis = new SharedRedis({
        url,
        log: this.options.log,
        onState: (reachable) => {
          metrics.redisReachable.set(reachable ? 1 : 0);
          if (!reachable) metrics.redisOutages.inc();
        },
      });
      this.redis.set(key, redis);
    }
    return redis;
  }

  /**
   * CIVICGRAPH_CACHE=off: no response cache; else in the Redis of CIVICGRAPH_REDIS_URL when set
   * (shared by every worker and instance), else in this process, CIVICGRAPH_CACHE_MB megabytes (64).
   */
  private answerStore(env: Environment): AnswerStore | undefined {
    const setting = (env.CIVICGRAPH_CACHE ?? '').trim().toLowerCase();
    if (setting === 'off') return undefined;
    if (setting !== '' && setting !== 'on') throw new Error(`CIVICGRAPH_CACHE must be on or off, not ${JSON.stringify(env.CIVICGRAPH_CACHE)}`);
    const url = env.CIVICGRAPH_REDIS_URL?.trim();
    if (url) {
      if (!/^rediss?:\/\//.test(url)) throw new Error('CIVICGRAPH_REDIS_URL is not a redis:// or rediss:// URL');
      this.cacheRedis = this.redisAt(new Secret(url));
      return new RedisAnswers(this.cacheRedis);
    }
    const megabytes = Number(env.CIVICGRAPH_CACHE_MB ?? '64');
    if (!Number.isFinite(megabytes) || megabytes <= 0) throw new Error(`CIVICGRAPH_CACHE_MB must be a positive number of megabytes, not ${JSON.stringify(env.CIVICGRAPH_CACHE_MB)}`);
    return new MemoryAnswers(megabytes * 1024 * 1024, this.metrics);
  }

  /** Keeps the limiter while its window and Redis stay the same (limits alone are read per request), else replaces it. */
  private useRateLimits(settings: RateLimits | undefined): void {
    const current = this.limiter;
    const same =
      current !== undefined &&
      settings !== undefined &&
      current.settings.windowMs === settings.windowMs &&
      current.settings.redisUrl?.reveal() === settings.redisUrl?.reveal();
    if (same) return;
    this.limiter = settings
      ? { limiter: new RateLimiter({ windowMs: settings.windowMs, ...(settings.redisUrl ? { redis: this.redisAt(settings.redisUrl) } : {}) }), settings }
      : undefined;
  }

  /**
   * The public schema to serve: the folder's, when it reads and every mapping file served now
   * loads against it; else the one served now, with the reason logged. A mapping's last good
   * version was checked against the schema of its day only, so it never outlives that schema.
   */
  private async nextSchema(roles: RolesConfig, env: Environment): Promise<ServedSchema> {
    const dir = this.options.schemasDir;
    const where = relative(process.cwd(), dir) || dir;
    let read: ServedSchema;
    try {
      const publicSchema = await loadPublicSchema(dir);
      read = { publicSchema, printed: print(publicSchema.document) };
    } catch (error) {
      if (!(error instanceof SchemaFileError) || !this.state) throw error;
      for (const line of error.message.split('\n')) this.options.log(line, 'error');
      this.options.log(`${where}: still serving the last good public schema`, 'warn');
      return this.state.schema;
    }
    if (!this.state) return read;
    if (read.printed === this.state.schema.printed) return this.state.schema;
    const served = new Set(this.state.mappings.map((mapping) => mapping.file));
    const loaded = await loadMappings(this.options.connectorsDir, read.publicSchema.schema, { env, roles });
    const broken = loaded.problems.filter((problem) => problem.severity === 'error' && served.has(problem.file));
    if (broken.length === 0) return read;
    for (const problem of broken) this.options.log(formatProblem(problem), 'error');
    this.options.log(`${where}: mapping files served now do not load against the edited public schema (above): still serving the last good public schema`, 'warn');
    return this.state.schema;
  }

  private get current(): ServingState & { roles: RolesConfig; schema: ServedSchema; configuration: string } {
    if (!this.state) throw new Error('gateway is not loaded');
    return this.state;
  }

  /** Files that failed to load are served as they were at the last successful load. */
  private keepLastGood(loaded: ConnectorMapping[], problems: readonly Problem[]): ConnectorMapping[] {
    const failed = new Set(problems.filter((problem) => problem.severity === 'error').map((problem) => problem.file));
    const kept = (this.state?.mappings ?? []).filter((mapping) => failed.has(mapping.file));
    for (const mapping of kept) this.options.log(`${mapping.file}: still serving its last good version`, 'warn');
    return [...loaded, ...kept];
  }
}

/**
 * The served roles whose rules `caller` inherits, lowest first and the caller's own last: a
 * per-department role counts for the caller's own department only, as the caller holds it.
 */
function rolesBelow(roles: RolesConfig, caller: Caller, served: ReadonlyMap<string, unknown>): string[] {
  const base = roles.roles.find((role) => role.name === caller.baseRole);
  if (!base) return served.has(caller.role) ? [caller.role] : [];
  const names = roleChain(roles, base, true).map((role) => (role.perDepartment ? (caller.department ? departmentRole(role.name, caller.department) : undefined) : role.name));
  const below = names.filter((name): name is string => name !== undefined && served.has(name)).reverse();
  // A caller served as another role (a department no mapping names) runs as that one at most.
  const own = below.indexOf(caller.role);
  return own >= 0 ? below.slice(0, own + 1) : below;
}
