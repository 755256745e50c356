/**
 * The SDL of the types mappings declare (config/declared-types.ts), written as a curated
 * file in `schemas/` would write them: `@dataset`, descriptions, `@standard(name:)`. The public
 * schema a gateway serves is the curated one plus these, so a declared type takes every
 * path a curated one takes: per-role views, filters, orders, statistics, node ids, joins.
 */
import { buildASTSchema, concatAST, parse, print, Source, type DocumentNode } from 'graphql';
import { relative } from 'node:path';
import type { ConnectorMapping, DeclaredTypeMapping } from '../config/mapping.js';
import type { PublicSchema } from './sdl.js';

/** The declared types' SDL, as text a city may put in `schemas/` unchanged (`civicgraph sdl`). */
export function declaredSdl(types: readonly DeclaredTypeMapping[]): string {
  return print(declaredDocument(types, 'declared types'));
}

/** @param origin names the SDL's source, so a GraphQL error about it says where the type was declared. */
export function declaredDocument(types: readonly DeclaredTypeMapping[], origin: string): DocumentNode {
  const text = types
    .map((type) => {
      const fields = type.fields.map((field) => {
        const description = field.description === undefined ? '' : `  ${quoted(field.description)}\n`;
        const standard = field.standard === undefined ? '' : ` @standard(name: ${quoted(field.standard)})`;
        return `${description}  ${field.name}: ${field.type}${field.nonNull ? '!' : ''}${standard}`;
      });
      const enums = type.fields
        .filter((field) => field.values)
        .map((field) => `${quoted(`The values of ${type.name}.${field.name}.`)}\nenum ${field.type} {\n${field.values!.map((value) => `  ${value}`).join('\n')}\n}`);
      return [`${quoted(type.description)}\ntype ${type.name} @dataset(one: ${quoted(type.one)}, many: ${quoted(type.many)}) {\n${fields.join('\n')}\n}`, ...enums].join('\n\n');
    })
    .join('\n\n');
  return parse(new Source(text, origin));
}

/**
 * The public schema with the declared types of the mappings served: what role schemas are
 * cut from and what a served dataset's type is read from.
 */
export function withDeclaredTypes(publicSchema: PublicSchema, mappings: readonly ConnectorMapping[]): PublicSchema {
  const declaring = mappings.filter((mapping) => mapping.types.length > 0);
  if (declaring.length === 0) return publicSchema;
  const document = concatAST([publicSchema.document, ...declaring.map((mapping) => declaredDocument(mapping.types, relative(process.cwd(), mapping.file) || mapping.file))]);
  return { document, schema: buildASTSchema(document, { assumeValidSDL: true }) };
}

/** A GraphQL string literal: JSON's escapes are GraphQL's. */
function quoted(text: string): string {
  return JSON.stringify(text);
}
