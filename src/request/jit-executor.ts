/**
 * Compiled execution (graphql-jit) for a role's schema. graphql-js interprets a query field
 * by field on every request; graphql-jit compiles each distinct operation once into a
 * function, which serves a page of a thousand fields several times faster. Apollo Server 5
 * takes a custom executor only through its `gateway` hook, so the executor is handed over
 * as a gateway that serves one fixed schema.
 *
 * Operations whose variables are input objects run on graphql-js instead: graphql-jit
 * generates the code that checks such a variable by walking its type, and the filter
 * inputs are recursive (`and`, `or`, `not`), which exhausts its memory. Literal arguments
 * are compiled from the query text and are safe.
 */
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getNamedType,
  getOperationAST,
  GraphQLError,
  isInputObjectType,
  printSchema,
  typeFromAST,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Distinct operations kept compiled; clients send few, but a public API must bound them. */
const MAX_COMPILED = 1000;

export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  const compiled = new Map<string, CompiledQuery>();
  return {
    async load() {
      return {
        executor: async (request) => {
          if (hasInputObjectVariables(schema, request.document, request.operationName ?? undefined)) {
            return execute({ schema, document: request.document, operationName: request.operationName, contextValue: request.context, variableValues: request.request.variables });
          }
          const key = `${request.queryHash}:${request.operationName ?? ''}`;
          let query = compiled.get(key);
          if (!query) {
            const result = compileQuery(schema, request.document, request.operationName ?? undefined);
            if (!isCompiledQuery(result)) return result;
            if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
            compiled.set(key, result);
            query = result;
          }
          const result = await query.query(undefined, request.context, request.request.variables ?? {});
          return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors leave `extensions` undefined where graphql-js always has an object,
 * and Apollo Server reads it: an ordinary GraphQLError with the same message, path,
 * locations and cause keeps error formatting (and the masking of internal errors) as it is.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const ordinary = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions ?? {},
  });
  (ordinary as { locations: GraphQLError['locations'] }).locations = error.locations;
  return ordinary;
}

function hasInputObjectVariables(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  return (operation?.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type as never);
    return type !== undefined && isInputObjectType(getNamedType(type));
  });
}
