/**
 * Checks a resolved dataset against the table the live source describes. Pure, so the
 * engine can run it at start-up and on /readyz without this module touching a database.
 */
import { getNamedType, isEnumType, isNonNullType, isObjectType, isScalarType, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { ColumnDescription, ColumnType } from '../source/source.js';
import type { DatasetMapping, ScalarFieldMapping } from './mapping.js';
import type { Problem } from './problem.js';
import { closest } from './suggest.js';

/** Column types that can hold each GraphQL scalar's values. String and ID take anything. */
export const SERVES: Readonly<Record<string, readonly ColumnType[]>> = {
  Int: ['integer', 'decimal'],
  Float: ['integer', 'decimal'],
  DateTime: ['timestamp', 'timestamptz'],
  Date: ['date', 'timestamp', 'timestamptz'],
  Boolean: ['boolean', 'integer'],
};

/**
 * @param columns what `Source.describeTable(dataset.table)` returned; `undefined` when the table is missing.
 * @param file the mapping file, for the problems' `file` (absolute, like `ConnectorMapping.file`).
 * @param sampled the columns come from sampled records: a column missing from them may exist elsewhere.
 */
export function checkColumns(
  dataset: DatasetMapping,
  columns: ColumnDescription[] | undefined,
  schema: GraphQLSchema,
  file: string,
  sampled = false,
): Problem[] {
  const base = `datasets.${dataset.typeName}`;
  if (columns === undefined) {
    return [{ severity: 'error', file, line: dataset.at.line, column: dataset.at.column, path: `${base}.table`, message: `table "${dataset.table}" does not exist in the source` }];
  }
  const problems: Problem[] = [];
  const byName = new Map(columns.map((column) => [column.name, column]));
  const type = schema.getType(dataset.typeName);
  const publicFields = isObjectType(type) ? type.getFields() : {};

  for (const mapping of dataset.fields.values()) {
    const field = publicFields[mapping.name];
    if (mapping.kind === 'scalar') {
      check(mapping, field, `${base}.fields.${mapping.name}`, false);
      continue;
    }
    const objectType = field ? getNamedType(field.type) : undefined;
    const subFields = isObjectType(objectType) ? objectType.getFields() : {};
    // A missing part makes a nullable object null (no position rather than half of one), which is no failure.
    const partsMayBeNull = field !== undefined && !isNonNullType(field.type);
    for (const sub of mapping.fields.values()) check(sub, subFields[sub.name], `${base}.fields.${mapping.name}.fields.${sub.name}`, partsMayBeNull);
  }
  return problems;

  function check(mapping: ScalarFieldMapping, field: GraphQLField<unknown, unknown> | undefined, path: string, mayBeNull: boolean) {
    // An expression's type is only known to the database; a failing one shows up at query time.
    if (!('column' in mapping.ref)) return;
    const name = mapping.ref.column;
    const report = (severity: Problem['severity'], message: string) =>
      problems.push({ severity, file, line: mapping.at.line, column: mapping.at.column, path, message });
    const column = byName.get(name);
    if (!column) {
      const suggestion = closest(name, byName.keys(), { ignoreCase: true });
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
      if (sampled) report('warning', `column "${name}" is in none of the records sampled from "${dataset.table}"${hint}; it reads as null wherever a record leaves it out`);
      else report('error', `column "${name}" does not exist in table "${dataset.table}"${hint}`);
      return;
    }
    const where = `column "${name}" (${column.nativeType})`;
    // The gateway rewrites keys and addresses as text; a date or a decimal has no such spelling.
    if (mapping.format && column.type !== 'text' && column.type !== 'integer') {
      report('error', `${where} cannot hold keys in the format "${mapping.format.raw}": a format needs a text or integer column`);
    }
    if (mapping.normalize && column.type !== 'text') {
      report('error', `${where} cannot be normalised as an ${mapping.normalize}: "normalize" needs a text column`);
    }
    if (!field) return;
    const named = getNamedType(field.type);
    if (mapping.codes) {
      const unfit = mapping.codes.map(([raw]) => raw).filter((raw) => !rawFits(raw, column.type));
      if (unfit.length > 0) {
        report('error', `${where} cannot hold the code${unfit.length > 1 ? 's' : ''} ${unfit.map((raw) => JSON.stringify(raw)).join(', ')}`);
      }
    } else if (isEnumType(named)) {
      if (column.type !== 'text' && column.type !== 'other') report('error', `${where} cannot serve ${named.name}: map its values with "codes"`);
    } else if (isScalarType(named)) {
      const serving = SERVES[named.name];
      if (serving && !serving.includes(column.type)) {
        report('error', `${where} cannot serve ${field.name}: ${named.name} needs ${/^[aeiou]/.test(serving[0]!) ? 'an' : 'a'} ${serving.join(' or ')} column`);
      }
    }
    if (isNonNullType(field.type) && column.nullable && !mayBeNull) {
      report('warning', `${where} allows NULL but ${field.name} is ${String(field.type)}; a NULL row makes the query fail`);
    }
  }
}

/** Loose on purpose: sources return `1` for '1' and 't' for true; only plain impossibilities are errors. */
function rawFits(raw: string | number | boolean, type: ColumnType): boolean {
  switch (type) {
    case 'integer':
      return typeof raw === 'boolean' || /^\s*-?\d+\s*$/.test(String(raw));
    case 'decimal':
      return typeof raw !== 'boolean' && String(raw).trim() !== '' && Number.isFinite(Number(raw));
    case 'boolean':
      return typeof raw === 'boolean' || /^(0|1|t|f|true|false|y|n|yes|no)$/i.test(String(raw));
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return typeof raw === 'string' && !Number.isNaN(Date.parse(raw));
    default:
      return true;
  }
}
