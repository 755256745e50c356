/**
 * The files a download is written as, a page of rows at a time: CSV (RFC 4180, a header row of
 * dotted field names), GeoJSON (RFC 7946: a FeatureCollection whose point is the row's
 * coordinates as the role reads them) and JSON (an array of the rows as GraphQL gives them).
 */
import { stringify } from 'csv-stringify/sync';
import type { Column } from '../role-datasets.js';

export type Row = Record<string, unknown>;

export interface DownloadFormat {
  extension: string;
  mediaType: string;
  /** What comes before the first row. */
  start(columns: readonly Column[]): string;
  /** One page of rows; `first` when no row was written before it. */
  page(rows: readonly Row[], columns: readonly Column[], first: boolean): string;
  /** What comes after the last row. */
  end(): string;
}

/** The value at a dotted path (`location.latitude`); null where an object on the way is null. */
export function valueAt(row: Row, path: string): unknown {
  let value: unknown = row;
  for (const key of path.split('.')) value = value === null || value === undefined ? null : (value as Row)[key];
  return value ?? null;
}

/**
 * A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+`, `-`, `@`, or a tab or
 * carriage return before one) gets a leading apostrophe, as OWASP advises for CSV files that
 * people open in Excel: free text in a city's data is written by anyone. Numbers are not text
 * cells and keep their sign.
 */
export function inertCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const csv: DownloadFormat = {
  extension: 'csv',
  mediaType: 'text/csv; charset=utf-8; header=present',
  start: (columns) => stringify([columns.map((column) => column.path)]),
  page: (rows, columns) => stringify(rows.map((row) => columns.map((column) => valueAt(row, column.path))), { cast: { boolean: String, string: inertCell } }),
  end: () => '',
};

/** The columns a row's point comes from: a Location's, or latitude and longitude fields. */
export function coordinates(columns: readonly Column[]): { latitude: string; longitude: string } | undefined {
  const paths = new Set(columns.map((column) => column.path));
  for (const prefix of ['location.', '']) {
    if (paths.has(`${prefix}latitude`) && paths.has(`${prefix}longitude`)) return { latitude: `${prefix}latitude`, longitude: `${prefix}longitude` };
  }
  return undefined;
}

function feature(row: Row, columns: readonly Column[]): unknown {
  const point = coordinates(columns);
  const latitude = point ? valueAt(row, point.latitude) : null;
  const longitude = point ? valueAt(row, point.longitude) : null;
  const properties: Row = {};
  for (const { path } of columns) if (path !== point?.latitude && path !== point?.longitude) properties[path] = valueAt(row, path);
  const geometry = typeof latitude === 'number' && typeof longitude === 'number' ? { type: 'Point', coordinates: [longitude, latitude] } : null;
  return { type: 'Feature', id: row.id ?? undefined, geometry, properties };
}

/** Rows as JSON texts joined by commas, with a leading comma after the first page. */
const joined = (items: readonly unknown[], first: boolean) => (items.length === 0 ? '' : (first ? '' : ',') + items.map((item) => JSON.stringify(item)).join(','));

const geojson: DownloadFormat = {
  extension: 'geojson',
  mediaType: 'application/geo+json',
  start: () => '{"type":"FeatureCollection","features":[',
  page: (rows, columns, first) => joined(rows.map((row) => feature(row, columns)), first),
  end: () => ']}\n',
};

const json: DownloadFormat = {
  extension: 'json',
  mediaType: 'application/json; charset=utf-8',
  start: () => '[',
  page: (rows, _columns, first) => joined(rows, first),
  end: () => ']\n',
};

export const FORMATS: ReadonlyMap<string, DownloadFormat> = new Map([csv, geojson, json].map((format) => [format.extension, format]));
