/**
 * A first draft of a connector mapping from what a live system describes, for a liaison to
 * finish: every column is present with its type, each matched (by name or by its civic
 * standard's name, e.g. Open311 `requested_datetime`) to a field of the public type the table
 * most resembles, and every mapped field hidden from the public until the liaison decides
 * (fail closed). Nothing is published: the dataset is a `draft`. A table no public type fits
 * well enough gets a type of its own, declared in the draft (`types:`, see draft-type.ts), with a
 * line saying why; a table whose type another table of the draft already fills is left out.
 */
import { getDirective } from '@graphql-tools/utils';
import { getNamedType, getNullableType, isEnumType, isListType, isObjectType, isScalarType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { Document, isMap, isPair, isScalar, type Pair } from 'yaml';
import { datasetTypes } from '../schema/datasets.js';
import type { ColumnDescription, ColumnType } from '../source/source.js';
import { SERVES } from './check-columns.js';
import { draftType, typeNameFor } from './draft-type.js';
import type { SourceKind } from './mapping.js';

export interface DraftTable {
  table: string;
  columns: readonly ColumnDescription[];
  /** The public type the liaison chose for the table (a new name declares it); guessed when absent. */
  type?: string;
}

export interface DraftInput {
  name: string;
  kind: SourceKind;
  /** The connection as the file should spell it: `${VARIABLE}` for URLs, which may hold secrets. */
  connection: string;
  /** The rest of the source block (rest or csv settings), as they should be written. */
  settings?: Record<string, unknown>;
  tables: readonly DraftTable[];
  schema: GraphQLSchema;
  publicRole: string;
  /** Where the draft will find mapping.schema.json, relative to itself, for editors' completion. */
  jsonSchemaPath: string;
}

export interface DraftedDataset {
  table: string;
  /** The public type the table fills; absent when it is left out. */
  type?: string;
  mapped: string[];
  unmatchedColumns: string[];
  /** Whether no column is named like the key, so the draft's key is a guess to check. */
  keyGuessed?: boolean;
  /** Why the table is not in the draft, in a sentence; absent when it fills `type`. */
  leftOut?: string;
  /** Why the draft declares `type` for the table (no curated type fits, or the liaison named a new one). */
  declared?: string;
}

/** Common spellings of coordinates in departmental systems. */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  latitude: ['lat', 'y', 'ycoord', 'latnum'],
  longitude: ['lon', 'lng', 'long', 'x', 'xcoord', 'lonnum'],
};

const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Columns may be dotted paths into documents: their last segment is their name. */
const leaf = (column: string) => squash(column.split('.').at(-1) ?? column);

/** A field's name, its civic standard's names (`requested_datetime`) and synonyms. */
function spellings(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): string[] {
  const standard = getDirective(schema, field, 'standard')?.[0]?.name;
  return [field.name, ...(typeof standard === 'string' ? standard.split(',') : []), ...(SYNONYMS[field.name] ?? [])];
}

/** What legacy systems append to say how a column is stored, not what it holds (`CLOSED_DT`, `DESCR_TXT`). */
const STORAGE_WORDS = new Set(['cd', 'dt', 'dttm', 'txt', 'num', 'nbr', 'ind', 'flg']);

/** The words of a name, lower case: `CALLER_FNAME` → caller, fname; `requestedAt` → requested, at. */
function words(name: string): string[] {
  const last = name.split('.').at(-1) ?? name;
  return last.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).map((word) => word.toLowerCase()).filter((word) => word !== '' && !STORAGE_WORDS.has(word));
}

type Match = { field: string; column: string } | { field: string; parts: Array<{ field: string; column: string }> };

function isValueField(field: GraphQLField<unknown, unknown>): boolean {
  const nullable = getNullableType(field.type);
  return !isListType(nullable) && (isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type)));
}

/** `addr` for address, `created` for createdAt, `hours` for laborHours: a word at either end of the other. */
function resembles(column: string, spelling: string): boolean {
  const [short, long] = column.length <= spelling.length ? [column, spelling] : [spelling, column];
  return short.length >= 4 && (long.startsWith(short) || long.endsWith(short));
}

/** Whether a column of this type can hold the field's values (text fields: text or whole numbers, as IDs often are). */
function holds(type: ColumnType, field: GraphQLField<unknown, unknown>): boolean {
  const named = getNamedType(field.type);
  if (isEnumType(named)) return type === 'text';
  return SERVES[named.name]?.includes(type) ?? (type === 'text' || type === 'integer');
}

/** `ADDR_LINE` for address, `CLOSED_DT` for closedAt: the first words agree, one abbreviating the other. */
function sameFirstWord(column: string, spelling: string): boolean {
  const [a, b] = [words(column)[0], words(spelling)[0]];
  if (a === undefined || b === undefined || Math.min(a.length, b.length) < 3) return false;
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * Each public field with the column spelled like it (its name, its civic standard's name, a
 * synonym); then, for fields still unmatched, a column whose name begins or ends the field's;
 * then one whose first word abbreviates the field's. Each column is used once.
 */
function matchFields(schema: GraphQLSchema, type: GraphQLObjectType, columns: readonly ColumnDescription[]): Match[] {
  const free = new Set(columns.map((column) => column.name));
  // Field path (`location.latitude`) → column.
  const chosen = new Map<string, string>();
  const slots: Array<[path: string, field: GraphQLField<unknown, unknown>]> = [];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    if (isValueField(field)) slots.push([field.name, field]);
    else if (isObjectType(named) && !isListType(getNullableType(field.type)) && !getDirective(schema, named, 'dataset')) {
      for (const sub of Object.values(named.getFields()).filter(isValueField)) slots.push([`${field.name}.${sub.name}`, sub]);
    }
  }
  const typeOf = new Map(columns.map((column) => [column.name, column.type]));
  const exact = (column: string, spelling: string) => leaf(column) === squash(spelling);
  const ends = (column: string, spelling: string) => resembles(leaf(column), squash(spelling));
  for (const fits of [exact, ends, sameFirstWord]) {
    for (const [path, field] of slots) {
      if (chosen.has(path)) continue;
      const wanted = spellings(schema, field);
      // A name that only resembles the field's must at least hold the field's kind of value.
      const found = [...free].find((column) => wanted.some((spelling) => fits(column, spelling)) && (fits === exact || holds(typeOf.get(column)!, field)));
      if (found === undefined) continue;
      free.delete(found);
      chosen.set(path, found);
    }
  }
  const matches: Match[] = [];
  for (const [path, column] of [...chosen].sort(([a], [b]) => slots.findIndex(([p]) => p === a) - slots.findIndex(([p]) => p === b))) {
    const [field, sub] = path.split('.') as [string, string | undefined];
    if (sub === undefined) {
      matches.push({ field, column });
      continue;
    }
    const object = matches.find((match): match is Extract<Match, { parts: unknown }> => match.field === field && 'parts' in match);
    if (object) object.parts.push({ field: sub, column });
    else matches.push({ field, parts: [{ field: sub, column }] });
  }
  return matches;
}

/**
 * Fields besides the key a table's columns must fill before a public type is guessed for it.
 * Every table has a key and most have a date or a status, so one or two matches say nothing
 * of what the rows are: a code-compliance case (CASE_ID, VIOLATION_CD, INSPECTOR, OPENED_DT)
 * is no service request just because it has an id and an update date. Three are what the smallest
 * real export of each type has (a 311 feed's status, request date and position).
 */
const GUESS_MIN_FIELDS = 3;

/** The fields besides the key that the matches fill; an object's parts fill one field (a position is one). */
function filledBesidesKey(matches: readonly Match[]): string[] {
  return matches.filter((match) => match.field !== 'id').map((match) => match.field);
}

/**
 * The dataset type whose fields the table's columns spell most often (ties: the one the table
 * is named after), or why none resembles it well enough to guess.
 */
function guessType(schema: GraphQLSchema, table: DraftTable): { type: string } | { leftOut: string } {
  const scored = [...datasetTypes(schema).values()].map(({ type, one, many }) => {
    const named = [type.name, one, many].map(squash).some((name) => squash(table.table).includes(name) || name.includes(squash(table.table)));
    const matches = matchFields(schema, type, table.columns);
    const count = matches.reduce((n, match) => n + ('parts' in match ? match.parts.length : 1), 0);
    return { name: type.name, filled: filledBesidesKey(matches), score: count + (named ? 0.5 : 0) };
  });
  const best = scored.filter((type) => type.filled.length >= GUESS_MIN_FIELDS).sort((a, b) => b.score - a.score)[0];
  if (best) return { type: best.name };
  const closest = scored.sort((a, b) => b.filled.length - a.filled.length)[0];
  if (!closest || closest.filled.length === 0) return { leftOut: 'no public type fits: its columns match no public field besides the key' };
  const fields = closest.filled.length === 1 ? 'field' : 'fields';
  return {
    leftOut: `no public type fits: its columns match at most ${closest.filled.length} ${fields} of ${closest.name} besides the key (${closest.filled.join(', ')}), and a type is guessed from ${GUESS_MIN_FIELDS}`,
  };
}

function described(column: ColumnDescription): string {
  return `${column.name} (${column.type}${column.nativeType && column.nativeType !== column.type ? `, ${column.nativeType}` : ''})`;
}

export function draftMapping(input: DraftInput): { text: string; datasets: DraftedDataset[] } {
  const drafted: DraftedDataset[] = [];
  const datasets: Record<string, unknown> = {};
  const comments = new Map<string, { before?: string; columns: Map<string, string>; unmatched: string[] }>();
  const typeNames = new Set(datasetTypes(input.schema).keys());

  const declared: Record<string, unknown> = {};
  const declaredNotes = new Map<string, string>();
  /** A type of the table's own, declared in the draft and filled from every column. */
  const declareType = (table: DraftTable, named: string | undefined, why: string) => {
    let type = draftType(table.table, table.columns, named);
    // A guessed name must not take one that exists; a name the liaison gave is theirs.
    for (let n = 2; !named && (input.schema.getType(type.name) || type.name in declared); n++) type = draftType(table.table, table.columns, `${typeNameFor(table.table)}${n}`);
    declared[type.name] = { description: `TODO: what one row of ${table.table} is, and the civic standard it follows, if any`, fields: type.declaration };
    declaredNotes.set(type.name, ` ${table.table}: ${why}, so this draft declares a public type for it. Rename it, describe it and its fields, and give a field the name its civic standard uses (standard: PermitNum); or fill a type of schemas/ instead with --type ${table.table}=Type.`);
    datasets[type.name] = draftDatasetOf(input, table, type.fields);
    comments.set(type.name, {
      before: ` ${table.table}: the type declared for it above.`,
      columns: new Map(type.columnTypes),
      unmatched: [],
    });
    drafted.push({ table: table.table, type: type.name, mapped: Object.keys(type.fields), unmatchedColumns: [], declared: why });
  };

  // Which table of this draft fills each type: a type is filled by one table of one mapping.
  const filledBy = new Map<string, string>();
  for (const table of input.tables) {
    const unmatchedAll = table.columns.map((column) => column.name);
    const leaveOut = (leftOut: string) => drafted.push({ table: table.table, mapped: [], unmatchedColumns: unmatchedAll, leftOut });
    const guessed = table.type === undefined ? guessType(input.schema, table) : { type: table.type };
    if ('leftOut' in guessed || !typeNames.has(guessed.type)) {
      const why = 'leftOut' in guessed ? guessed.leftOut : `${guessed.type} is the new type you named`;
      declareType(table, 'type' in guessed ? guessed.type : undefined, why);
      continue;
    }
    const typeName = guessed.type;
    const owner = filledBy.get(typeName);
    if (owner !== undefined) {
      leaveOut(`${typeName} is already filled by table ${owner} in this draft, and a type is filled by one table`);
      continue;
    }
    filledBy.set(typeName, table.table);
    const type = datasetTypes(input.schema).get(typeName)!.type;
    const matches = matchFields(input.schema, type, table.columns);
    const used = new Set(matches.flatMap((match) => ('parts' in match ? match.parts.map((part) => part.column) : [match.column])));
    const byName = new Map(table.columns.map((column) => [column.name, column]));
    const keyMatch = matches.find((match) => match.field === 'id');
    let fields: Record<string, unknown> = keyMatch && !('parts' in keyMatch) ? { id: keyMatch.column } : {};
    for (const match of matches) {
      fields[match.field] = 'parts' in match ? { fields: Object.fromEntries(match.parts.map((part) => [part.field, part.column])) } : match.column;
    }
    // Every dataset needs its key mapped; without a column named like it, the first column is the best guess.
    const keyGuessed = !('id' in fields) && table.columns.length > 0;
    if (keyGuessed) fields = { id: table.columns.find((column) => !used.has(column.name))?.name ?? table.columns[0]!.name, ...fields };
    const unmatched = table.columns.filter((column) => !used.has(column.name) && column.name !== fields.id);
    datasets[typeName] = draftDatasetOf(input, table, fields);
    comments.set(typeName, {
      before: ` ${table.table}: ${table.type ? 'the public type you chose' : 'the public type its columns resemble most; change it if another fits better'}.`,
      columns: new Map(
        Object.entries(fields).flatMap(([field, value]) =>
          typeof value === 'string'
            ? [[field, `${byName.get(value) ? byName.get(value)!.type : ''}${field === 'id' && keyGuessed ? ' — guessed: check that it identifies a row' : ''}`]]
            : [],
        ),
      ),
      unmatched: unmatched.map(described),
    });
    drafted.push({ table: table.table, type: typeName, mapped: Object.keys(fields), unmatchedColumns: unmatched.map((column) => column.name), keyGuessed });
  }

  const source: Record<string, unknown> = { kind: input.kind, connection: input.connection, timezone: 'UTC', ...input.settings };
  const doc = new Document({
    name: input.name,
    system: 'TODO: the system’s name',
    department: 'TODO: the department',
    liaison: { name: 'TODO', email: 'TODO@example.gov' },
    source,
    ...(Object.keys(declared).length > 0 ? { types: declared } : {}),
    datasets,
  });
  for (const [typeName, note] of declaredNotes) {
    const pair = keyPair(doc.get('types', true), typeName);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = note;
  }
  doc.commentBefore = [
    ` yaml-language-server: $schema=${input.jsonSchemaPath}`,
    '',
    ` A draft written by \`civicgraph introspect ${input.kind}\`. Nothing in it is published: the datasets`,
    ' are drafts and every field is hidden from the public. Fill in the TODOs, check each field’s',
    ' column, add codes where the system’s values differ from the public ones, decide per role what',
    ' each field shows (access), then run `civicgraph validate`.',
  ].join('\n');
  const sourceNode = doc.get('source', true);
  if (isMap(sourceNode)) {
    const zone = sourceNode.items.find((pair) => isScalar(pair.key) && pair.key.value === 'timezone');
    if (zone && isScalar(zone.value)) zone.value.comment = ' TODO: the zone in which the system stores date-times without offset';
  }
  for (const [typeName, note] of comments) {
    const node = doc.getIn(['datasets', typeName], true);
    const pair = keyPair(doc.get('datasets', true), typeName);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = note.before;
    const fieldsNode = isMap(node) ? node.get('fields', true) : undefined;
    if (isMap(fieldsNode)) {
      for (const item of fieldsNode.items) {
        const type = isScalar(item.key) ? note.columns.get(String(item.key.value)) : undefined;
        if (type && isScalar(item.value)) item.value.comment = ` ${type}`;
      }
    }
    const accessPair = isMap(node) ? keyPair(node, 'access') : undefined;
    if (accessPair && isScalar(accessPair.key)) {
      accessPair.key.commentBefore = [
        ...(note.unmatched.length > 0 ? [' Columns no public field matched yet (map them, or leave them out):', ...note.unmatched.map((column) => `   ${column}`)] : []),
        ` Hidden from everyone until you decide: write visible, redact, hundredBlock, { round: 3 }, … per role.`,
      ].join('\n');
    }
  }
  const leftOut = drafted.filter((dataset) => dataset.leftOut !== undefined);
  if (leftOut.length > 0) {
    doc.comment = [
      ' Tables left out of this draft: a type is filled by one table. Name another type for a table with',
      ` civicgraph introspect … --type TABLE=Type (${[...typeNames].sort().join(', ')}, or a new name to declare one).`,
      ...leftOut.map((dataset) => `   ${dataset.table} (${dataset.unmatchedColumns.join(', ')}): ${dataset.leftOut}`),
    ].join('\n');
  }
  return { text: doc.toString({ lineWidth: 0 }), datasets: drafted };
}

/** A dataset of the draft: unpublished, every field hidden from the public until the liaison decides. */
function draftDatasetOf(input: DraftInput, table: DraftTable, fields: Record<string, unknown>): Record<string, unknown> {
  const dataset: Record<string, unknown> = {
    title: `TODO: the catalog title of ${table.table}`,
    description: `TODO: what ${table.table} holds, in plain language`,
    keywords: ['TODO'],
    accessLevel: 'non-public',
    publication: 'draft',
    table: table.table,
  };
  // SQL databases and MongoDB describe their own types (so a changed type is caught); CSV and JSON must be told.
  if (input.kind === 'csv' || input.kind === 'rest') dataset.columns = Object.fromEntries(table.columns.map((column) => [column.name, column.type === 'other' ? 'text' : column.type]));
  dataset.key = 'id';
  dataset.fields = fields;
  dataset.access = { [input.publicRole]: { fields: Object.fromEntries(Object.keys(fields).map((field) => [field, 'hidden'])) } };
  return dataset;
}

function keyPair(node: unknown, key: string): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((item): item is Pair => isPair(item) && isScalar(item.key) && item.key.value === key);
}
