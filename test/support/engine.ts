/**
 * The engine without HTTP: the demo mappings served over real sources, each wrapped so
 * that tests can see every query the engine sends.
 */
import { graphql, type ExecutionResult } from 'graphql';
import { loadMappings } from '../../src/config/load-mappings.js';
import { buildServingState, type ServingState } from '../../src/gateway/serving-state.js';
import { newRequestContext } from '../../src/request/context.js';
import { PUBLIC_ROLE } from '../../src/request/role.js';
import { datasetTypes } from '../../src/schema/datasets.js';
import { loadPublicSchema } from '../../src/schema/sdl.js';
import { openSource } from '../../src/source/open-source.js';
import type { Source } from '../../src/source/source.js';

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
    find: record('find', (query) => source.find(query)),
    count: record('count', (query) => source.count(query)),
    findByKeys: record('findByKeys', (query) => source.findByKeys(query)),
    aggregate: record('aggregate', (query) => source.aggregate(query)),
    describeTable: (table) => source.describeTable(table),
    ping: () => source.ping(),
    close: () => source.close(),
  };
}

export interface Engine {
  state: ServingState;
  sent: SentQuery[];
  run(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult>;
  close(): Promise<void>;
}

export async function openEngine(env: Record<string, string>): Promise<Engine> {
  const publicSchema = await loadPublicSchema('schemas');
  const loaded = await loadMappings('connectors', publicSchema.schema, { env });
  const errors = loaded.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) throw new Error(`demo mappings do not load: ${errors.map((problem) => problem.message).join('; ')}`);
  const sent: SentQuery[] = [];
  const sources: Source[] = [];
  const state = await buildServingState(loaded.mappings, publicSchema, datasetTypes(publicSchema.schema), (connector) => {
    const source = recording(openSource(connector), sent);
    sources.push(source);
    return source;
  });
  const schema = state.schemas.get(PUBLIC_ROLE)!;
  return {
    state,
    sent,
    run: (query, variables) => graphql({ schema, source: query, variableValues: variables, contextValue: newRequestContext(PUBLIC_ROLE) }),
    close: async () => {
      await Promise.all(sources.map((source) => source.close()));
    },
  };
}
