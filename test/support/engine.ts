/**
 * The engine without HTTP: the demo mappings served over real sources, each wrapped so
 * that tests can see every query the engine sends.
 */
import { join } from 'node:path';
import { graphql, type ExecutionResult } from 'graphql';
import knex, { type Knex } from 'knex';
import { loadMappings } from '../../src/config/load-mappings.js';
import { loadRoles } from '../../src/config/load-roles.js';
import { Secret } from '../../src/config/secret.js';
import { buildServingState, type ServingState } from '../../src/gateway/serving-state.js';
import { newRequestContext } from '../../src/request/context.js';
import type { Caller } from '../../src/request/authenticate.js';
import { loadPublicSchema } from '../../src/schema/sdl.js';
import { openSource } from '../../src/source/open-source.js';
import type { Source } from '../../src/source/source.js';
import { demoEnvironment, type DemoKind } from './demo.js';

export interface SentQuery {
  source: string;
  method: 'find' | 'count' | 'findByKeys' | 'aggregate';
  query: Record<string, unknown>;
  rows: number;
}

function recording(source: Source, sent: SentQuery[]): Source {
  const record = <Q extends object, R>(method: SentQuery['method'], run: (query: Q) => Promise<R>) =>
    async (query: Q): Promise<R> => {
      const result = await run(query);
      sent.push({ source: source.name, method, query: query as Record<string, unknown>, rows: Array.isArray(result) ? result.length : 1 });
      return result;
    };
  return {
    name: source.name,
    pushdown: source.pushdown,
    find: record('find', (query) => source.find(query)),
    count: record('count', (query) => source.count(query)),
    findByKeys: record('findByKeys', (query) => source.findByKeys(query)),
    aggregate: record('aggregate', (query) => source.aggregate(query)),
    describeTable: (table) => source.describeTable(table),
    estimateRows: (table) => source.estimateRows(table),
    listTables: () => source.listTables(),
    ping: () => source.ping(),
    close: () => source.close(),
  };
}

export interface Engine {
  state: ServingState;
  sent: SentQuery[];
  /** Runs a query as `role` (default `staff`, which reads the raw values hand-written SQL sees). */
  run(query: string, variables?: Record<string, unknown>, role?: string): Promise<ExecutionResult>;
  close(): Promise<void>;
}

export const DEMO_PSEUDONYM_KEY = 'test-pseudonym-key';

/** An engine over the mappings and roles.yaml in `connectors` (the demo's by default). */
export async function openEngine(env: Record<string, string>, connectors = 'connectors'): Promise<Engine> {
  const publicSchema = await loadPublicSchema('schemas');
  const { roles, problems: roleProblems } = await loadRoles(join(connectors, 'roles.yaml'), env);
  if (!roles) throw new Error(`roles do not load: ${roleProblems.map((problem) => problem.message).join('; ')}`);
  const loaded = await loadMappings(connectors, publicSchema.schema, { env, roles });
  const errors = loaded.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) throw new Error(`mappings do not load: ${errors.map((problem) => `${problem.file}:${problem.line}: ${problem.path}: ${problem.message}`).join('; ')}`);
  const sent: SentQuery[] = [];
  const sources: Source[] = [];
  const state = await buildServingState(loaded.mappings, publicSchema, (connector) => {
    const source = recording(openSource(connector), sent);
    sources.push(source);
    return source;
  }, { roles, pseudonymKey: new Secret(DEMO_PSEUDONYM_KEY) });
  return {
    state,
    sent,
    run: (query, variables, role = 'staff') => {
      const schema = state.schemas.get(role);
      if (!schema) throw new Error(`no schema for role ${role}`);
      const caller: Caller = { role, baseRole: role.split(':')[0]!, kind: 'jwt', subject: 'test' };
      return graphql({ schema, source: query, variableValues: variables, contextValue: newRequestContext(caller) });
    },
    close: async () => {
      await Promise.all(sources.map((source) => source.close()));
    },
  };
}

/** Hand-written SQL's view of the demo: knex connections to the PostgreSQL copy of each system. */
export interface DemoTruth {
  crm: Knex;
  works: Knex;
  permits: Knex;
}

/**
 * The demo on embedded PGlite and on the real PostgreSQL server (the same deterministic data),
 * an engine over each, and connections to the PostgreSQL copy for answers written by hand.
 */
export async function openDemoEngines(name: string): Promise<{ truth: DemoTruth; engines: Map<DemoKind, Engine>; close(): Promise<void> }> {
  const [pgEnv, pgliteEnv] = await Promise.all([demoEnvironment('postgres', name), demoEnvironment('pglite', name)]);
  const truth: DemoTruth = {
    crm: knex({ client: 'pg', connection: pgEnv.CIVICGRAPH_CRM_URL }),
    works: knex({ client: 'pg', connection: pgEnv.CIVICGRAPH_WORKS_URL }),
    permits: knex({ client: 'pg', connection: pgEnv.CIVICGRAPH_PERMITS_URL }),
  };
  const engines = new Map<DemoKind, Engine>([
    ['postgres', await openEngine(pgEnv)],
    ['pglite', await openEngine(pgliteEnv)],
  ]);
  return {
    truth,
    engines,
    close: async () => {
      await Promise.all([...engines.values()].map((engine) => engine.close()));
      await Promise.all(Object.values(truth).map((db) => db.destroy()));
    },
  };
}
