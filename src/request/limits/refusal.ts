/**
 * The one form every refused request takes: a GraphQL error that names the limit, what the
 * request measured and the role's budget, with a code a client can act on. Never a stack
 * trace, a row value or a 5xx: the caller asked for too much, and is told what to cut.
 */
import { GraphQLError, type ASTNode } from 'graphql';

export type RefusalCode =
  /** A static limit of the document: depth, aliases, root fields, directives, tokens, fields, operations. */
  | 'QUERY_TOO_COMPLEX'
  /** The estimated cost is over the role's budget. */
  | 'QUERY_TOO_COSTLY'
  /** The caller's window has no budget left for this request. */
  | 'RATE_LIMITED'
  /** The answer would be larger than the role may receive. */
  | 'RESPONSE_TOO_LARGE';

export class LimitRefusal extends GraphQLError {
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** Machine-readable details, e.g. `{ limit: 8, measured: 12, measure: 'depth' }`. */
    details: Readonly<Record<string, unknown>>,
    /** The HTTP status the answer carries when nothing was executed. */
    status: number,
    nodes?: readonly ASTNode[],
  ) {
    super(message, { ...(nodes ? { nodes } : {}), extensions: { code, ...details, http: { status } } });
    this.name = 'LimitRefusal';
  }
}

/** A static limit that a document goes beyond. */
export function tooComplex(measure: string, measured: number | undefined, limit: number, role: string, nodes?: readonly ASTNode[]): LimitRefusal {
  const found = measured === undefined ? `more than ${limit}` : String(measured);
  return new LimitRefusal(
    'QUERY_TOO_COMPLEX',
    `${measureText[measure] ?? measure}: ${found}, over the limit of ${limit} for role ${role}`,
    { measure, ...(measured === undefined ? {} : { measured }), limit },
    400,
    nodes,
  );
}

const measureText: Readonly<Record<string, string>> = {
  depth: 'query depth (fields nested in fields, joins included)',
  aliases: 'aliased fields',
  rootFields: 'fields at the top of the operation',
  directives: 'directives',
  tokens: 'tokens in the document (parsing stopped there)',
  fields: 'field selections once fragments are expanded',
  operations: 'operations in the document',
  inputDepth: 'nesting of input values (objects and lists)',
};
