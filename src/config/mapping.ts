/**
 * The validated, resolved form of a connector mapping file (connectors/*.yaml).
 * Everything downstream (schema, plan, source) reads these types, never raw YAML.
 */
import type { DeclaredType } from '../source/source.js';
import type { Secret } from './secret.js';

export type SqlKind = 'postgres' | 'mysql' | 'mssql' | 'pglite';
export type SourceKind = SqlKind | 'mongodb' | 'rest' | 'csv';

export function isSqlKind(kind: SourceKind): kind is SqlKind {
  return kind === 'postgres' || kind === 'mysql' || kind === 'mssql' || kind === 'pglite';
}

/**
 * Whether a kind's systems are described from sampled records (documents, an API's first
 * page), in which a field every sampled record leaves out may still exist in others.
 */
export function describesBySampling(kind: SourceKind): boolean {
  return kind === 'mongodb' || kind === 'rest';
}

/** Where a mapping element was written, so that every error can point at it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface SourceConfig {
  kind: SourceKind;
  /**
   * A connection URL (SQL, `mongodb://…/database`, the REST API's base URL), for `pglite` a
   * data directory ('' or 'memory://' for in-memory), for `csv` a file or folder (absolute).
   */
  connection: Secret;
  pool: { min: number; max: number };
  /** Every statement (or HTTP request, with its retries) is cancelled after this long. */
  queryTimeoutMs: number;
  /** IANA zone in which the source stores date-times that carry no offset. */
  timezone: string;
  /** The most matching records one query may hold in memory where the system cannot do the work itself (rest, csv). */
  memoryRowLimit: number;
  rest?: RestOptions;
  csv?: CsvOptions;
  at: SourceLocation;
}

/** How to read a vendor's or another agency's REST/JSON API. */
export interface RestOptions {
  /** Header name → value (typically `Authorization: Bearer ${TOKEN}`); values are secrets, never logged. */
  headers: ReadonlyArray<readonly [name: string, value: Secret]>;
  /** Fixed query parameters sent with every request (e.g. `format: json`). */
  query: ReadonlyArray<readonly [name: string, value: string]>;
  /** Dotted path to the array of records in a response body; '' when the body is the array itself. */
  records: string;
  pagination: RestPagination;
  /** Retries of a request answered 429 or 5xx (or not answered), with exponential back-off honouring Retry-After. */
  retries: number;
  /** A response body larger than this is refused. */
  maxResponseBytes: number;
}

export type RestPagination =
  /** `?page=1&per_page=100`, until a page returns fewer records than asked. */
  | { style: 'page'; pageParam: string; sizeParam: string; firstPage: number; size: number }
  /** `?offset=0&limit=100`, until a page returns fewer records than asked. */
  | { style: 'offset'; offsetParam: string; limitParam: string; size: number }
  /** `?cursor=…`, the next cursor read from the response at `nextCursor` (a dotted path) until it is absent. */
  | { style: 'cursor'; cursorParam: string; sizeParam?: string; nextCursor: string; size: number }
  /** One request returns every record. */
  | { style: 'none' };

/** How to read CSV exports. */
export interface CsvOptions {
  delimiter: string;
  quote: string;
  encoding: 'utf8' | 'utf16le' | 'latin1';
  /** Whether the first line names the columns; without it, the dataset's `columns` name them in order. */
  header: boolean;
}

/** A column of the dataset's table, or an expression in the source's own SQL dialect. */
export type ValueRef = { column: string } | { expression: string };

/** Raw source value → public value, e.g. `O` → `OPEN`. Several codes may share one public value. */
export type CodeMap = ReadonlyArray<readonly [raw: string | number | boolean, value: string | number | boolean]>;

/**
 * Two spellings of one key, as templates of named parts: the raw one the source stores and
 * the public one, e.g. raw `{year}-{seq:d}` ('24-12345') and public `SR-{year}-{seq:8}`
 * ('SR-24-00012345'). `{name}` is text, `{name:d}` a number without padding, `{name:N}` a
 * number padded to N digits. Filters and joins convert public values to raw ones, so the
 * source compares its own column (and uses its index).
 */
export interface KeyFormat {
  raw: string;
  public: string;
}

export interface ScalarFieldMapping {
  kind: 'scalar';
  name: string;
  ref: ValueRef;
  /** Present when the field recodes source values; a raw value missing from the map is a data error. */
  codes?: CodeMap;
  format?: KeyFormat;
  /**
   * A canonical spelling the source computes for the value, and the gateway applies to
   * filter values: `address` upper-cases and abbreviates directions and street types
   * the USPS way ('1163 West 24th Street' → '1163 W 24TH ST').
   */
  normalize?: 'address';
  at: SourceLocation;
}

/** A field of object type (e.g. `location { latitude longitude }`) built from several source values. */
export interface ObjectFieldMapping {
  kind: 'object';
  name: string;
  fields: ReadonlyMap<string, ScalarFieldMapping>;
  at: SourceLocation;
}

export type FieldMapping = ScalarFieldMapping | ObjectFieldMapping;

export type AccessLevel = 'public' | 'restricted public' | 'non-public';

/** Who may see a dataset at all: `draft` only its own department, `internal` city staff, `public` everyone. */
export type Publication = 'draft' | 'internal' | 'public';

/**
 * What one role sees of one field. `hidden` and `null` differ in the schema: a hidden field
 * does not exist for the role; a `null` field exists and is always null.
 */
export type FieldRule =
  | { kind: 'visible' }
  | { kind: 'hidden' }
  | { kind: 'null' }
  /** Keep the last `keepLast` characters, replace the others with `*`. */
  | { kind: 'mask'; keepLast: number }
  /** A keyed HMAC of the value: stable and joinable across rows, not reversible. */
  | { kind: 'pseudonymize' }
  /** A street address cut to its hundred block: '1163 W 24TH ST' → '11XX W 24TH ST'. */
  | { kind: 'hundredBlock' }
  /** Coordinates rounded to `decimals` places (3 ≈ 110 m of latitude). */
  | { kind: 'round'; decimals: number }
  /** Coordinates snapped to the centre of a grid cell `cell` degrees wide. */
  | { kind: 'snap'; cell: number }
  /** A date-time or date cut to the start of its day, month or year. */
  | { kind: 'truncate'; unit: 'day' | 'month' | 'year' }
  /** Free text with phone numbers, e-mail addresses and similar personal data replaced by placeholders. */
  | { kind: 'redact' };

/** What one role may see of one dataset, as the mapping declares it (before inheritance). */
export interface RoleAccess {
  /** Field name → rule; for an object field (location) the rule applies to the whole value. */
  fields: ReadonlyMap<string, FieldRule & { at: SourceLocation }>;
  /**
   * Row rules; a role that declares none inherits its parent's. `exclude` removes rows
   * matching a filter written like the public API's (`{ serviceCode: { in: [HOMELESS] } }`),
   * in which a join to one row may stand for a field, with conditions on the row it links to
   * (`{ serviceRequest: { serviceCode: { in: [HOMELESS] } } }`); `scopeField` keeps only rows
   * whose field equals the caller's department. `withheldWith` names the joins to one row
   * whose linked row, when withheld from the role, withholds this row too; left out, every
   * such join is followed (fail closed), and `[]` follows none.
   */
  rows?: { exclude?: Record<string, unknown>; scopeField?: string; withheldWith?: readonly string[]; at: SourceLocation };
  /** Statistics cells counting fewer rows than this are suppressed for the role. */
  minimumCellCount?: number;
}

/** DCAT-US v1.1 metadata a liaison declares for a dataset. */
export interface DatasetMetadata {
  title: string;
  description: string;
  keywords: string[];
  accessLevel: AccessLevel;
  license?: string;
  accrualPeriodicity?: string;
  rights?: string;
  spatial?: string;
  landingPage?: string;
  /** The department experts' notes on good uses and known caveats. */
  usageNotes?: string;
  /** Who answers questions about the dataset (DCAT-US contactPoint) when not the file's liaison. */
  contact?: { name: string; email: string };
}

/**
 * A public field that follows a relationship to another dataset, possibly in another
 * department's system: rows of `target` whose field `to` equals this row's field `from`.
 */
export interface JoinMapping {
  name: string;
  target: string;
  /** `one`: a single row or null (e.g. WorkOrder.serviceRequest); `many`: a list. */
  cardinality: 'one' | 'many';
  from: string;
  to: string;
  description?: string;
  /** The field this join also gives the target, listing the rows that link to each target row. */
  inverse?: { name: string; description?: string };
  at: SourceLocation;
}

/** A filter comparison a REST API applies itself: `?<param>=<value>` for comparisons of `column` with `op`. */
export interface FilterParam {
  column: string;
  op: 'eq' | 'in' | 'lt' | 'lte' | 'gt' | 'gte' | 'contains' | 'startsWith';
  param: string;
}

export interface DatasetMapping {
  /** The public GraphQL type this dataset fills, e.g. `ServiceRequest`. */
  typeName: string;
  /** A table (SQL), collection (mongodb), endpoint path (rest) or file name within the folder (csv). */
  table: string;
  /**
   * Column types the mapping declares, for sources that cannot describe their own (every
   * CSV cell is text until typed; JSON has no dates). Overrides what a source describes.
   */
  columns?: ReadonlyMap<string, DeclaredType>;
  /** rest: the comparisons the API can apply as query parameters; the others are applied in memory. */
  filterParams?: readonly FilterParam[];
  /** The public field that identifies a row; it must be a scalar field of the mapping. */
  keyField: string;
  fields: ReadonlyMap<string, FieldMapping>;
  joins: readonly JoinMapping[];
  publication: Publication;
  /** Role name (`public`, `staff`, `department`, `liaison`, …) → what it may see. */
  access: ReadonlyMap<string, RoleAccess>;
  /**
   * The field (normalised as an address) that places a row at a street address: the
   * gateway's `address(line)` entry point gathers every dataset's rows at one address.
   */
  addressField?: string;
  /**
   * The first day ('YYYY-MM-DD') the system held records: the quality profile counts dates
   * before it (midnight in the source's zone) as impossible. Without it, the earliest record.
   */
  since?: string;
  metadata: DatasetMetadata;
  /** How long an answer reading this dataset may be served from the response cache (`cache.maxAge`, or from accrualPeriodicity); 0: never. */
  cacheMaxAgeMs: number;
  at: SourceLocation;
}

/** A field of a type a mapping declares (see DeclaredTypeMapping). */
export interface DeclaredField {
  name: string;
  /** A scalar (ID, String, DateTime…), a curated enum or value object (Location), or the enum `values` declare. */
  type: string;
  nonNull: boolean;
  description?: string;
  /** The field's name in the civic standard its type follows, as `@standard(name:)` marks curated fields. */
  standard?: string;
  /** Declares `type` as a new enum with these values. */
  values?: string[];
  at: SourceLocation;
}

/**
 * A public type that a mapping declares because `schemas/` has none that fits its data. It is
 * served exactly as a curated dataset type, with its SDL generated from this (schema/declared-sdl.ts).
 */
export interface DeclaredTypeMapping {
  name: string;
  /** Root fields: one row by id, and the connection. */
  one: string;
  many: string;
  description: string;
  fields: DeclaredField[];
  at: SourceLocation;
}

export interface ConnectorMapping {
  /** Absolute path of the mapping file. */
  file: string;
  /** A short, stable name for the departmental system, used in metrics, errors and /readyz. */
  name: string;
  system: string;
  department: string;
  liaison: { name: string; email: string };
  source: SourceConfig;
  /** The public types this file declares (and fills); empty for a file that fills curated types only. */
  types: DeclaredTypeMapping[];
  datasets: DatasetMapping[];
}
