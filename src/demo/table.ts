/**
 * The shape of a demo table: its columns in PostgreSQL types, keys and indexes, and
 * its rows as value arrays in column order (compact, and ready for INSERT or COPY).
 */

/** A value as written to PostgreSQL: timestamps and dates travel as local wall-clock strings. */
export type DemoValue = string | number | null;

export interface ColumnSpec {
  /** Exactly as the legacy system spells it; created quoted. */
  name: string;
  /** PostgreSQL type, e.g. 'varchar(20)', 'numeric(9,6)', 'timestamp without time zone'. */
  type: string;
  nullable: boolean;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  primaryKey: string[];
  unique?: string[][];
  indexes: string[][];
}

export interface DemoTable {
  spec: TableSpec;
  rows: DemoValue[][];
}

export function col(name: string, type: string, nullable = false): ColumnSpec {
  return { name, type, nullable };
}
