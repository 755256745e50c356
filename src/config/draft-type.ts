/**
 * A declared public type (a mapping's `types:` entry) drafted from a table that no curated type
 * fits: one field per column, named and typed from the column, the key as `id`, a latitude and
 * longitude pair as a `location`. The liaison renames, describes and marks standards; until then
 * it is a draft like the rest of the file.
 */
import type { ColumnDescription, ColumnType } from '../source/source.js';

export interface DraftedType {
  name: string;
  /** Field name → its `types:` entry (type, description). */
  declaration: Record<string, { type: string; description: string }>;
  /** Field name → its `datasets:` mapping (a column, or `{ fields: … }` for a location). */
  fields: Record<string, unknown>;
  /** Field name → the column's type as the system gave it, for the draft's comments. */
  columnTypes: Map<string, string>;
}

const GRAPHQL_TYPES: Record<ColumnType, string> = {
  text: 'String',
  integer: 'Int',
  decimal: 'Float',
  boolean: 'Boolean',
  date: 'Date',
  timestamp: 'DateTime',
  timestamptz: 'DateTime',
  other: 'String',
};

/** What legacy systems append to say how a column is stored, not what it holds (`OPENED_DT`, `VIOLATION_CD`). */
const STORAGE_WORDS = new Set(['cd', 'dt', 'dttm', 'txt', 'num', 'nbr', 'ind', 'flg']);
const LATITUDE = new Set(['lat', 'latitude', 'y', 'ycoord', 'latnum']);
const LONGITUDE = new Set(['lon', 'lng', 'long', 'longitude', 'x', 'xcoord', 'lonnum']);

/** The words of a column's name, lower case: `VIOLATION_CD` → violation; `site.geo.lat` → lat. */
function words(name: string): string[] {
  const last = name.split('.').at(-1) ?? name;
  return last.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).map((word) => word.toLowerCase()).filter((word) => word !== '');
}

const capitalised = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** `ce_case.csv` → `CeCase`, `code-cases` → `CodeCases`: a GraphQL type name from the table's. */
export function typeNameFor(table: string): string {
  const base = table.replace(/\.[A-Za-z0-9]+$/, '').split('/').at(-1) ?? table;
  const name = words(base).map(capitalised).join('');
  return /^[A-Z]/.test(name) ? name : `Table${name}`;
}

/** `OPENED_DT` (a timestamp) → `openedAt`, `FINE_AMT` → `fineAmt`: a field name from a column's. */
function fieldNameFor(column: ColumnDescription): string {
  const meaningful = words(column.name).filter((word) => !STORAGE_WORDS.has(word));
  const chosen = meaningful.length > 0 ? meaningful : words(column.name);
  let name = chosen.map((word, index) => (index === 0 ? word : capitalised(word))).join('') || 'field';
  if (!/^[a-z]/.test(name)) name = `f${capitalised(name)}`;
  const last = chosen.at(-1) ?? '';
  if ((column.type === 'timestamp' || column.type === 'timestamptz') && !['at', 'time', 'datetime'].includes(last)) name += 'At';
  else if (column.type === 'date' && last !== 'date') name += 'Date';
  return name;
}

/** The column that identifies a row: one named id or ending in id (CASE_ID), else the first. */
function keyColumn(columns: readonly ColumnDescription[]): ColumnDescription {
  return columns.find((column) => words(column.name).at(-1) === 'id') ?? columns[0]!;
}

export function draftType(table: string, columns: readonly ColumnDescription[], name = typeNameFor(table)): DraftedType {
  const declaration: DraftedType['declaration'] = {};
  const fields: DraftedType['fields'] = {};
  const columnTypes = new Map<string, string>();
  const key = keyColumn(columns);
  declaration.id = { type: 'ID!', description: `TODO: what identifies a row (column ${key.name})` };
  fields.id = key.name;
  columnTypes.set('id', key.type);

  const leafWord = (column: ColumnDescription) => words(column.name).join('');
  const numeric = (column: ColumnDescription) => column.type === 'decimal' || column.type === 'integer';
  const latitude = columns.find((column) => column !== key && numeric(column) && LATITUDE.has(leafWord(column)));
  const longitude = columns.find((column) => column !== key && numeric(column) && LONGITUDE.has(leafWord(column)));
  const position = latitude && longitude ? [latitude, longitude] : [];
  if (latitude && longitude) {
    declaration.location = { type: 'Location', description: 'TODO: the position of what a row is about' };
    fields.location = { fields: { latitude: latitude.name, longitude: longitude.name } };
  }
  for (const column of columns) {
    if (column === key || position.includes(column)) continue;
    let field = fieldNameFor(column);
    for (let n = 2; field in declaration; n++) field = `${fieldNameFor(column)}${n}`;
    declaration[field] = { type: GRAPHQL_TYPES[column.type], description: `TODO: what ${column.name} holds` };
    fields[field] = column.name;
    columnTypes.set(field, column.type);
  }
  return { name, declaration, fields, columnTypes };
}
