/**
 * Reads the unified public schema from `schemas/*.graphql`. Errors name the file and line,
 * because the SDL is edited by people, not generated.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildASTSchema, concatAST, GraphQLError, parse, type DocumentNode, type GraphQLSchema } from 'graphql';

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

export async function loadPublicSchema(dir: string): Promise<PublicSchema> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.graphql')).sort();
  if (files.length === 0) throw new SchemaFileError(`${dir}: no .graphql files found`);
  const documents = await Promise.all(
    files.map(async (name) => {
      const path = join(dir, name);
      try {
        return parse(await readFile(path, 'utf8'));
      } catch (error) {
        throw new SchemaFileError(describe(path, error));
      }
    }),
  );
  const document = concatAST(documents);
  try {
    return { document, schema: buildASTSchema(document) };
  } catch (error) {
    throw new SchemaFileError(`${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function describe(path: string, error: unknown): string {
  const where = relative(process.cwd(), path);
  if (error instanceof GraphQLError && error.locations?.[0]) {
    const { line, column } = error.locations[0];
    return `${where}:${line}:${column}: ${error.message}`;
  }
  return `${where}: ${error instanceof Error ? error.message : String(error)}`;
}
