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
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  printSchema,
  typeFromAST,
  type GraphQLSchema,
  type OperationDefinitionNode,
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
          // The name the client sent: `request.operationName` is the one Apollo resolved, null when
          // none matched, and would run the document's only operation in place of a name it lacks.
          const operationName = request.request.operationName ?? undefined;
          const operation = getOperationAST(request.document, operationName);
          if (hasInputObjectVariables(schema, operation)) {
            return execute({ schema, document: request.document, operationName, contextValue: request.context, variableValues: request.request.variables });
          }
          // graphql-jit's coercion errors lack the variable's node, by which Apollo tells the caller's
          // mistake (BAD_USER_INPUT) from the gateway's; graphql-js's have it, and the same wording.
          const coerced = operation && getVariableValues(schema, operation.variableDefinitions ?? [], request.request.variables ?? {});
          if (coerced?.errors) return { errors: coerced.errors };
          const key = `${request.queryHash}:${operationName ?? ''}`;
          let query = compiled.get(key);
          if (!query) {
            const result = compileQuery(schema, request.document, operationName);
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

function hasInputObjectVariables(schema: GraphQLSchema, operation: OperationDefinitionNode | null | undefined): boolean {
  return (operation?.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type as never);
    return type !== undefined && isInputObjectType(getNamedType(type));
  });
}
