/**
 * What one request of a role may ask for and spend (`limits:` of a role in roles.yaml).
 * A role declares only the limits it changes; the rest come from the role it inherits
 * from, and the public role's from `PUBLIC_LIMITS`: safe for the open internet, so a
 * roles file that says nothing about limits is still safe.
 */

export interface QueryLimits {
  /** Nesting of fields, joins included (introspection's own nesting is not counted). */
  depth: number;
  /** Aliased fields, fragments expanded. */
  aliases: number;
  /** Fields of the operation's root selection, fragments expanded. */
  rootFields: number;
  /** Directives, fragments expanded. */
  directives: number;
  /** Lexical tokens of the document: enforced while parsing, so a huge document is never fully parsed. */
  tokens: number;
  /** Field selections once every fragment spread is expanded (fragment bombs). */
  fields: number;
  /** Operations one document may define. */
  operations: number;
  /** Nesting of input values (objects and lists, as in `filter: { and: [ … ] }`), in the document and in its variables. */
  inputDepth: number;
  /** The estimated cost of one request (see src/plan/cost.ts): rows it may read, counts and statistics by the rows they scan. */
  cost: number;
  /** How long one request may run; its outstanding source queries are cancelled then. */
  deadlineMs: number;
  /** Rows one request may read from its sources, over all its levels. */
  rows: number;
  /** The size of one response body. */
  responseBytes: number;
  /** Requests one caller may have in flight at once (per gateway process). */
  inFlight: number;
  /**
   * Rows one download (`/datasets/{dataset}.csv`, `.geojson`, `.json`) may hold. A download
   * runs as one operation per page, each held to the limits above, so this bounds the whole.
   */
  downloadRows: number;
  /** Whether answers carry `extensions.cost` (the estimate and the role's limit), as GitHub's and Shopify's APIs do. */
  reportCost: boolean;
}

export type LimitName = keyof QueryLimits;

/**
 * The public role's limits when roles.yaml gives none. Depth 8, 15 aliases and 50 directives
 * are graphql-armor's defaults (depth a little deeper: a join costs a level); the cost
 * allows a full 1,000-row page with a join of 10 rows per row, or about twenty counts over
 * 100,000 rows.
 */
export const PUBLIC_LIMITS: Readonly<QueryLimits> = {
  depth: 8,
  aliases: 15,
  rootFields: 10,
  directives: 50,
  tokens: 3_000,
  fields: 1_000,
  operations: 5,
  inputDepth: 12,
  cost: 25_000,
  deadlineMs: 10_000,
  rows: 25_000,
  responseBytes: 10 * 1024 * 1024,
  inFlight: 4,
  downloadRows: 200_000,
  reportCost: true,
};

/** How each limit is written in roles.yaml; durations and sizes accept units. */
export const LIMIT_KEYS: Readonly<Record<string, LimitName>> = {
  depth: 'depth',
  aliases: 'aliases',
  rootFields: 'rootFields',
  directives: 'directives',
  tokens: 'tokens',
  fields: 'fields',
  operations: 'operations',
  inputDepth: 'inputDepth',
  cost: 'cost',
  deadline: 'deadlineMs',
  rows: 'rows',
  responseSize: 'responseBytes',
  inFlight: 'inFlight',
  downloadRows: 'downloadRows',
  reportCost: 'reportCost',
};

/** A size as written: `10mb`, `512kb`, `100000` (bytes). */
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Bytes in a size (`10mb`, `512kb`, or bytes as a number); undefined when it is not one. */
export function parseSize(value: string | number): number | undefined {
  const match = SIZE.exec(String(value).trim());
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * UNIT_BYTES[(match[2] ?? 'b').toLowerCase()]!);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** A role's limits: what it declares over what it inherits. */
export function inheritLimits(inherited: Readonly<QueryLimits>, declared: Partial<QueryLimits>): QueryLimits {
  return { ...inherited, ...declared };
}
