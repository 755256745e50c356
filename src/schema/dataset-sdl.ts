/**
 * The SDL the gateway adds for one dataset as one role sees it: root fields, the Relay
 * connection, the filter input and the order enum. It is generated from the fields the
 * role's view holds, so a field outside the view exists nowhere in that role's schema.
 */
import { isEnumType } from 'graphql';
import { orderChoices } from '../plan/order.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../plan/page.js';
import { comparedValues, type ComparedValue, type ServedDataset } from '../plan/served-dataset.js';

const SCALAR_FILTERS: Record<string, string> = {
  ID: 'IDFilter',
  String: 'StringFilter',
  Int: 'IntFilter',
  Float: 'FloatFilter',
  Boolean: 'BooleanFilter',
  DateTime: 'DateTimeFilter',
  Date: 'DateFilter',
};

export function filterTypeName(value: ComparedValue): string {
  if (value.served?.transform === 'hundredBlock' && !value.place) return 'HundredBlockFilter';
  const { type } = value.field;
  return isEnumType(type) ? `${type.name}Filter` : SCALAR_FILTERS[type.name]!;
}

function enumFilterSdl(enumName: string): string {
  return `"Conditions on a ${enumName} field. All given conditions must hold."
input ${enumName}Filter { eq: ${enumName} ne: ${enumName} in: [${enumName}!] isNull: Boolean }`;
}

/**
 * What a role may sort by: values it reads raw, and values it reads through a transform its
 * source computes (sorted by the transform). A formatted key sorts by its raw spelling in the
 * source, which is not its public order, so it is not offered either.
 */
export function sortableFields(dataset: ServedDataset): ComparedValue[] {
  return [...dataset.fields.values()].flatMap(comparedValues).filter((value) => !value.field.keyFormat);
}

/** The Relay paging arguments of every connection, root lists and address connections alike. */
export const CONNECTION_PAGE_ARGS = 'first: Int, after: String, last: Int, before: String';

/** An object of a Float latitude and longitude, such as a Location. */
function isPosition(values: readonly ComparedValue[]): boolean {
  const floats = new Set(values.filter((value) => value.field.type.name === 'Float').map((value) => value.field.path.replace(/^[^.]*\./, '')));
  return floats.has('latitude') && floats.has('longitude');
}

const POSITION_FILTERS = [
  '"Within a distance of a point, measured on the coordinates as you read them."\n  within: LocationWithin',
  '"Inside a box of latitudes and longitudes, edges included, on the coordinates as you read them."\n  box: LocationBox',
];

export function datasetSdl(dataset: ServedDataset): { sdl: string; enumFilters: Set<string> } {
  const name = dataset.type.name;
  const enumFilters = new Set<string>();
  const filterLine = (fieldName: string, value: ComparedValue): string => {
    if (isEnumType(value.field.type) && !value.served) enumFilters.add(value.field.type.name);
    return `  ${fieldName}: ${filterTypeName(value)}`;
  };

  const filterFields: string[] = [];
  const objectFilters: string[] = [];
  // A field the role reads only transformed is compared as it reads it, when its source can compute the transform; otherwise not at all.
  for (const field of dataset.fields.values()) {
    const values = comparedValues(field);
    if (values.length === 0) continue;
    if (field.kind === 'scalar') {
      filterFields.push(filterLine(field.name, values[0]!));
      continue;
    }
    const inputName = `${name}${field.name[0]!.toUpperCase()}${field.name.slice(1)}Filter`;
    const lines = values.map((value) => filterLine(value.field.path.slice(field.name.length + 1), value));
    if (isPosition(values)) lines.push(...POSITION_FILTERS.map((line) => `  ${line}`));
    const read = values[0]!.served ? ' as you read it' : '';
    objectFilters.push(`"Conditions on ${name}.${field.name}${read}."\ninput ${inputName} {\n${lines.join('\n')}\n}`);
    filterFields.push(`  ${field.name}: ${inputName}`);
  }

  const orderValues = [...orderChoices(sortableFields(dataset)).keys()];
  const sdl = `
"A page of ${name} rows (Relay cursor connection)."
type ${name}Connection {
  edges: [${name}Edge!]!
  "The rows of \`edges\`, without cursors."
  nodes: [${name}!]!
  pageInfo: PageInfo!
  "How many rows match the filter, over all pages."
  totalCount: Int!
}

type ${name}Edge {
  cursor: String!
  node: ${name}!
}

"Conditions on ${name} rows. All given conditions must hold; \`and\`, \`or\` and \`not\` combine them."
input ${name}Filter {
${filterFields.join('\n')}
  and: [${name}Filter!]
  or: [${name}Filter!]
  not: ${name}Filter
}
${objectFilters.join('\n\n')}

"Sort keys for ${name} rows. Empty values sort last ascending and first descending."
enum ${name}OrderBy {
${orderValues.map((value) => `  ${value}`).join('\n')}
}

${joinsSdl(dataset)}
extend type Query {
  """
  ${name} rows matching \`filter\`, sorted by \`orderBy\` (several keys allowed; ties are broken by id).
  \`first\` is the page size: ${DEFAULT_PAGE_SIZE} by default, at most ${MAX_PAGE_SIZE}. Pass a cursor as \`after\` to read the next page.
  \`last\` reads the last rows instead, and \`before\` with a cursor the rows before it, in the same order (give \`first\` or \`last\`, not both).
  Null, with an error naming the source, when the department's system cannot answer.
  """
  ${dataset.many}(filter: ${name}Filter, orderBy: [${name}OrderBy!], ${CONNECTION_PAGE_ARGS}): ${name}Connection
${dataset.byId ? `  "One ${name} by its id, or null when there is none."\n  ${dataset.one}(id: ID!): ${name}` : ''}
}
`;
  return { sdl, enumFilters };
}

export function enumFiltersSdl(enumNames: Iterable<string>): string {
  return [...enumNames].sort().map(enumFilterSdl).join('\n\n');
}

/** The joined fields a dataset's mapping declares, with the same arguments as root lists. */
function joinsSdl(dataset: ServedDataset): string {
  if (dataset.joins.size === 0) return '';
  const fields = [...dataset.joins.values()].map(({ mapping, target }) => {
    const description = mapping.description ? `  ${JSON.stringify(mapping.description)}\n` : '';
    const typeName = target.type.name;
    if (mapping.cardinality === 'one') return `${description}  ${mapping.name}: ${typeName}`;
    return `${description}  ${mapping.name}(filter: ${typeName}Filter, orderBy: [${typeName}OrderBy!], first: Int): [${typeName}!]`;
  });
  return `extend type ${dataset.type.name} {\n${fields.join('\n')}\n}\n`;
}
