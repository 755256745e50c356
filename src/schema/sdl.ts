/**
 * Reads the unified public schema from `schemas/*.graphql`. Errors name the file and line,
 * because the SDL is edited by people, not generated.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildASTSchema, concatAST, GraphQLError, parse, Source, validateSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
// Not re-exported by graphql's index; buildASTSchema runs it too, but throws its errors' messages without their places.
import { validateSDL } from 'graphql/validation/validate.js';

export class SchemaFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaFileError';
  }
}

export interface PublicSchema {
  document: DocumentNode;
  /** The whole public schema before any mapping or role is applied. */
  schema: GraphQLSchema;
}

/** @throws SchemaFileError with one `file:line:column: message` line per mistake. */
export async function loadPublicSchema(dir: string): Promise<PublicSchema> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.graphql')).sort();
  if (files.length === 0) throw new SchemaFileError(`${dir}: no .graphql files found`);
  const documents = await Promise.all(
    files.map(async (name) => {
      const path = join(dir, name);
      // Every node keeps its Source, so a mistake found once the files are joined still names its file.
      const source = new Source(await readFile(path, 'utf8'), relative(process.cwd(), path));
      try {
        return parse(source);
      } catch (error) {
        throw new SchemaFileError(describe(dir, error));
      }
    }),
  );
  const document = concatAST(documents);
  const sdlErrors = validateSDL(document);
  if (sdlErrors.length > 0) throw new SchemaFileError(sdlErrors.map((error) => describe(dir, error)).join('\n'));
  const schema = buildASTSchema(document, { assumeValidSDL: true });
  const schemaErrors = validateSchema(schema);
  if (schemaErrors.length > 0) throw new SchemaFileError(schemaErrors.map((error) => describe(dir, error)).join('\n'));
  return { document, schema };
}

function describe(dir: string, error: unknown): string {
  const location = error instanceof GraphQLError ? error.locations?.[0] : undefined;
  if (error instanceof GraphQLError && error.source && location) return `${error.source.name}:${location.line}:${location.column}: ${error.message}`;
  return `${relative(process.cwd(), dir) || '.'}: ${error instanceof Error ? error.message : String(error)}`;
}
