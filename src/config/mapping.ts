/**
 * The validated, resolved form of a connector mapping file (connectors/*.yaml).
 * Everything downstream (schema, plan, source) reads these types, never raw YAML.
 */
import type { Secret } from './secret.js';

export type SourceKind = 'postgres' | 'mysql' | 'mssql' | 'pglite';

/** Where a mapping element was written, so that every error can point at it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface SourceConfig {
  kind: SourceKind;
  /** A connection URL, or for `pglite` a data directory ('' or 'memory://' for in-memory). */
  connection: Secret;
  pool: { min: number; max: number };
  /** Every statement is cancelled after this long. */
  queryTimeoutMs: number;
  /** IANA zone in which the source stores date-times that carry no offset. */
  timezone: string;
  at: SourceLocation;
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
   * matching a filter written like the public API's (`{ serviceCode: { in: [HOMELESS] } }`);
   * `scopeField` keeps only rows whose field equals the caller's department.
   */
  rows?: { exclude?: Record<string, unknown>; scopeField?: string; at: SourceLocation };
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
  at: SourceLocation;
}

export interface DatasetMapping {
  /** The public GraphQL type this dataset fills, e.g. `ServiceRequest`. */
  typeName: string;
  table: string;
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
  metadata: DatasetMetadata;
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
  datasets: DatasetMapping[];
}
