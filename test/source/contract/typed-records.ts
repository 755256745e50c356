/**
 * The contract data as typed records: the values a system that stores no types of its own
 * (CSV cells, JSON) must be read into, given the column types the mapping declares.
 */
import type { DeclaredType } from '../../../src/source/source.js';
import type { RawRecord } from '../../../src/source/memory/scanner.js';
import type { ColumnDescription } from '../../../src/source/source.js';
import { naiveTimestamp } from '../../../src/source/sql/values.js';
import { type Cell, PLACE_ROWS, RAW_ROWS, VISIT_ROWS } from './data.js';

/** sr_case's columns and their types: those a mapping declares, and those every source must describe them with. */
export const CASE_COLUMNS: ReadonlyArray<readonly [string, DeclaredType]> = [
  ['id', 'integer'],
  ['title', 'text'],
  ['status', 'text'],
  ['priority', 'integer'],
  ['cost', 'decimal'],
  ['is_open', 'boolean'],
  ['opened_on', 'date'],
  ['opened_at', 'timestamp'],
  ['closed_at', 'timestamptz'],
  ['Ward', 'text'],
];

export const VISIT_COLUMNS: ReadonlyArray<readonly [string, DeclaredType]> = [
  ['id', 'integer'],
  ['case_id', 'integer'],
  ['address', 'text'],
  ['house_no', 'integer'],
  ['amount', 'decimal'],
  ['visit_on', 'date'],
  ['visit_at', 'timestamp'],
  ['logged_at', 'timestamptz'],
  ['rank', 'integer'],
];

export const PLACE_COLUMNS: ReadonlyArray<readonly [string, DeclaredType]> = [
  ['id', 'integer'],
  ['address', 'text'],
  ['lat', 'decimal'],
  ['lon', 'decimal'],
  ['seen_on', 'date'],
  ['seen_at', 'timestamp'],
  ['logged_at', 'timestamptz'],
];

/** A fixture cell as the typed value a source returns: naive date-times in ISO form (ms only when non-zero), instants as Dates. */
export function typedCell(cell: Cell, type: DeclaredType): unknown {
  if (cell === null || typeof cell !== 'string') return cell;
  if (type === 'timestamp') return naiveTimestamp(cell);
  if (type === 'timestamptz') return new Date(cell.replace(' ', 'T') + 'Z');
  return cell;
}

function records(rows: Cell[][], columns: ReadonlyArray<readonly [string, DeclaredType]>): RawRecord[] {
  return rows.map((row) => Object.fromEntries(columns.map(([name, type], i) => [name, typedCell(row[i] ?? null, type)])));
}

function described(columns: ReadonlyArray<readonly [string, DeclaredType]>): ColumnDescription[] {
  return columns.map(([name, type]) => ({ name, type, nativeType: `declared ${type}`, nullable: true }));
}

export function typedFixture() {
  return {
    cases: { records: records(RAW_ROWS, CASE_COLUMNS), columns: described(CASE_COLUMNS) },
    visits: { records: records(VISIT_ROWS, VISIT_COLUMNS), columns: described(VISIT_COLUMNS) },
    places: { records: records(PLACE_ROWS, PLACE_COLUMNS), columns: described(PLACE_COLUMNS) },
  };
}
