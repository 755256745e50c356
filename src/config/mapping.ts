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

export interface ScalarFieldMapping {
  kind: 'scalar';
  name: string;
  ref: ValueRef;
  /** Present when the field recodes source values; a raw value missing from the map is a data error. */
  codes?: CodeMap;
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

/** DCAT-US v1.1 metadata a liaison declares for a dataset. */
export interface DatasetMetadata {
  title: string;
  description: string;
  keywords: string[];
  accessLevel: AccessLevel;
  license?: string;
  accrualPeriodicity?: string;
}

export interface DatasetMapping {
  /** The public GraphQL type this dataset fills, e.g. `ServiceRequest`. */
  typeName: string;
  table: string;
  /** The public field that identifies a row; it must be a scalar field of the mapping. */
  keyField: string;
  fields: ReadonlyMap<string, FieldMapping>;
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
