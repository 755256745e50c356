/**
 * PostGraphile v4 needs graphql 15; CivicGraph uses graphql 16. npm therefore installs two
 * nested copies of graphql 15 (under postgraphile/ and graphile-build-pg/), and graphql
 * refuses to mix the types of two copies ("Cannot use GraphQLScalarType "Int" from another
 * module or realm"). Imported first in the PostGraphile child process only, this makes every
 * `require('graphql…')` in that process load PostGraphile's own copy.
 */
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const postgraphileDir = dirname(require.resolve('postgraphile'));
const graphqlMain = require.resolve('graphql', { paths: [postgraphileDir] });
const graphqlDir = graphqlMain.slice(0, graphqlMain.lastIndexOf(join('node_modules', 'graphql')) + join('node_modules', 'graphql').length);

type Resolve = (this: unknown, request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const original = loader._resolveFilename;
loader._resolveFilename = function (request, ...rest) {
  const redirected = request === 'graphql' ? graphqlDir : request.startsWith('graphql/') ? join(graphqlDir, request.slice('graphql/'.length)) : request;
  return original.call(this, redirected, ...rest);
};
