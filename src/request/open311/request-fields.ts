/**
 * Which fields an Open311 request answer carries, and where each comes from. The public schema
 * names every ServiceRequest field's Open311 counterpart with `@standard(name:)`; an answer holds
 * the fields GeoReport v2 lists for a request (and, with `extensions=true`, those the bulk-data
 * proposal adds) that the caller's role schema has. A field the role may not read is not in its
 * schema, so it is not asked for; a field no standard names (the caller's name, staff notes)
 * never reaches an Open311 answer, whatever the role.
 */
import { getDirective } from '@graphql-tools/utils';
import { getNamedType, isEnumType, isObjectType, isScalarType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { Element, Value } from './document.js';

/** GeoReport v2's request fields, in the specification's order. */
export const GEOREPORT_REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
] as const;

/** The GeoReport bulk-data proposal's additions, answered with `extensions=true`. */
export const BULK_REQUEST_FIELDS = ['closed_date', 'status_description', 'source', 'service_subtype'] as const;

export const SERVICE_REQUEST_TYPE = 'ServiceRequest';

interface SourcedField {
  name: string;
  /** Where the value sits in a GraphQL answer: `['location', 'latitude']`. */
  path: readonly [string] | readonly [string, string];
}

export interface RequestSelection {
  /** The GraphQL selection set of one request, e.g. `id status location { latitude longitude }`. */
  graphql: string;
  fields: readonly SourcedField[];
}

function standardName(schema: GraphQLSchema, type: GraphQLObjectType, field: string): string | undefined {
  const name = getDirective(schema, type.getFields()[field]!, 'standard')?.[0]?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The role's ServiceRequest type, or undefined when the role may read no service requests. */
export function serviceRequestType(schema: GraphQLSchema): GraphQLObjectType | undefined {
  const type = schema.getType(SERVICE_REQUEST_TYPE);
  return isObjectType(type) ? type : undefined;
}

/**
 * The fields to ask the role's schema for. A standard name that lists several names
 * (`lat,long`) belongs to an object field whose scalar sub-fields carry them in that order.
 */
export function requestSelection(schema: GraphQLSchema, type: GraphQLObjectType, extensions: boolean): RequestSelection {
  const wanted: readonly string[] = extensions ? [...GEOREPORT_REQUEST_FIELDS, ...BULK_REQUEST_FIELDS] : GEOREPORT_REQUEST_FIELDS;
  const found = new Map<string, SourcedField>();
  for (const [fieldName, field] of Object.entries(type.getFields())) {
    const names = standardName(schema, type, fieldName)?.split(',');
    if (!names) continue;
    const named = getNamedType(field.type);
    if (isScalarType(named) || isEnumType(named)) {
      if (names.length === 1) found.set(names[0]!, { name: names[0]!, path: [fieldName] });
      continue;
    }
    if (!isObjectType(named)) continue;
    const subFields = Object.values(named.getFields()).filter((sub) => isScalarType(getNamedType(sub.type)));
    if (subFields.length !== names.length) continue;
    names.forEach((name, index) => found.set(name, { name, path: [fieldName, subFields[index]!.name] }));
  }
  const fields = wanted.flatMap((name) => found.get(name) ?? []);
  const selection = new Map<string, string[]>();
  for (const { path } of fields) {
    const subFields = selection.get(path[0]) ?? [];
    selection.set(path[0], path.length === 2 ? [...subFields, path[1]] : subFields);
  }
  const graphql = [...selection].map(([field, subFields]) => (subFields.length > 0 ? `${field} { ${subFields.join(' ')} }` : field)).join(' ');
  return { graphql, fields };
}

/** One request of a GraphQL answer as an Open311 `request` element. */
export function requestElement(node: Record<string, unknown>, selection: RequestSelection): Element {
  const element: Element = {};
  for (const { name, path } of selection.fields) {
    const top = node[path[0]];
    const value = (path.length === 2 ? (top as Record<string, unknown> | null)?.[path[1]] : top) ?? null;
    // GeoReport v2's statuses are the lower-case `open` and `closed`.
    element[name] = name === 'status' && typeof value === 'string' ? value.toLowerCase() : (value as Value);
  }
  return element;
}
