/**
 * The Project Open Data (DCAT-US v1.1) catalog of the datasets the caller's role may see, as a
 * harvester such as data.gov reads `/data.json`. The liaisons' metadata comes from the GraphQL
 * `catalog`; `temporal`, `modified` and (where the role may read coordinates raw) `spatial` come
 * from each dataset's statistics as the role reads them, so they say nothing the role could not
 * learn from GraphQL; a role with no statistics on a field gets no figure from it.
 */
import type { AdmittedRequest } from '../graphql-endpoint.js';
import { dataOf, OperationFailed, roleDatasets, type Column, type RoleDataset } from '../role-datasets.js';
import { coordinates, FORMATS } from '../downloads/formats.js';

const POD = 'https://project-open-data.cio.gov/v1.1/schema';

/** The standards each distribution follows (`conformsTo`). */
const STANDARDS = {
  graphql: 'https://spec.graphql.org/October2021/',
  open311: 'http://wiki.open311.org/GeoReport_v2/',
  csv: 'https://www.rfc-editor.org/rfc/rfc4180',
  geojson: 'https://www.rfc-editor.org/rfc/rfc7946',
  json: 'https://www.rfc-editor.org/rfc/rfc8259',
} as const;

/** The dataset type the Open311 GeoReport v2 endpoint serves, and where. */
const OPEN311 = { type: 'ServiceRequest', path: '/open311/v2/requests.json' };

type Json = Record<string, unknown>;

interface Extent {
  temporal?: string;
  modified?: string;
  spatial?: string;
}

/**
 * `base`: the gateway's own URL as the caller reached it, e.g. `https://api.riverton.example`.
 * `reviewed`: by dataset type, when a liaison last reviewed its mapping file as it is now (the
 * console's reviews): a review changes the dataset's metadata, so `modified` is never earlier.
 */
export async function dataJson(admitted: AdmittedRequest, base: string, reviewed: ReadonlyMap<string, string> = new Map()): Promise<Json> {
  const { catalog, datasets } = await roleDatasets(admitted);
  const extents = await Promise.all(datasets.map((dataset) => extentOf(admitted, dataset)));
  return {
    '@context': `${POD}/catalog.jsonld`,
    '@id': `${base}/data.json`,
    '@type': 'dcat:Catalog',
    conformsTo: catalog.conformsTo,
    describedBy: `${POD}/catalog.json`,
    dataset: datasets.map((dataset, index) => datasetEntry(dataset, latest(extents[index]!, reviewed.get(dataset.type)), base)),
  };
}

/** The extent with `modified` moved to the review's date where that is later. */
function latest(extent: Extent, reviewedAt: string | undefined): Extent {
  if (reviewedAt === undefined) return extent;
  const modified = extent.modified === undefined || Date.parse(reviewedAt) > Date.parse(extent.modified) ? reviewedAt : extent.modified;
  return { ...extent, modified };
}

function datasetEntry(dataset: RoleDataset, extent: Extent, base: string): Json {
  const { catalog } = dataset;
  const entry: Json = {
    '@type': 'dcat:Dataset',
    identifier: catalog.identifier,
    title: catalog.title,
    description: catalog.description,
    keyword: catalog.keyword,
    // POD accepts a repeating duration for a dataset updated continually, when no date is to be had.
    modified: extent.modified ?? catalog.accrualPeriodicity ?? undefined,
    publisher: { '@type': 'org:Organization', name: catalog.publisher.name },
    contactPoint: { '@type': 'vcard:Contact', fn: catalog.contactPoint.fn, hasEmail: catalog.contactPoint.hasEmail },
    accessLevel: catalog.accessLevel,
    rights: catalog.rights ?? undefined,
    license: catalog.license ?? undefined,
    accrualPeriodicity: catalog.accrualPeriodicity ?? undefined,
    spatial: extent.spatial ?? catalog.spatial ?? undefined,
    temporal: extent.temporal,
    landingPage: catalog.landingPage ?? `${base}/`,
    // DCAT-US v1.1 has no field for it (description is the abstract, rights the access terms); POD lets a catalog add fields.
    usageNotes: catalog.usageNotes ?? undefined,
    distribution: distributions(dataset, base),
  };
  // POD: an unpopulated optional field is left out (or null), never an empty string.
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
}

function distributions(dataset: RoleDataset, base: string): Json[] {
  const api: Json[] = [
    {
      '@type': 'dcat:Distribution',
      title: 'GraphQL API',
      description: `Query ${dataset.catalog.title} with ${dataset.connection}(filter, orderBy, first, after), ${dataset.stats ? `statistics with ${dataset.stats}, ` : ''}and joins to other departments' data.`,
      format: 'API',
      accessURL: `${base}/graphql`,
      conformsTo: STANDARDS.graphql,
    },
  ];
  if (dataset.type === OPEN311.type) {
    api.push({
      '@type': 'dcat:Distribution',
      title: 'Open311 GeoReport v2 API',
      description: 'Service requests in the Open311 GeoReport v2 format, as JSON or XML.',
      format: 'API',
      accessURL: `${base}${OPEN311.path}`,
      conformsTo: STANDARDS.open311,
    });
  }
  const located = coordinates(dataset.columns) !== undefined;
  const files = [...FORMATS.values()].filter((format) => format.extension !== 'geojson' || located);
  return [
    ...api,
    ...files.map((format) => ({
      '@type': 'dcat:Distribution',
      title: `${dataset.slug}.${format.extension}`,
      description: `Every row of ${dataset.catalog.title} as ${format.extension.toUpperCase()}; filter and order with query parameters (field=value, field.gte=value, orderBy=…).`,
      format: format.extension === 'geojson' ? 'GeoJSON' : format.extension.toUpperCase(),
      mediaType: format.mediaType.split(';')[0],
      downloadURL: `${base}/datasets/${dataset.slug}.${format.extension}`,
      conformsTo: STANDARDS[format.extension as 'csv' | 'geojson' | 'json'],
    })),
  ];
}

/** A date field's type, as the statistics give its smallest and largest values. */
const isDate = (column: Column) => column.type.name === 'DateTime' || column.type.name === 'Date';

/**
 * The dataset's extent from one statistics operation: `temporal` spans the first date field the
 * role's statistics offer (the date a row is about: requested, created, applied for);
 * `modified` is the latest `updatedAt` where there is one, else the end of `temporal`; `spatial`
 * is the bounding box of `latitude` and `longitude` where the statistics offer both.
 */
async function extentOf(admitted: AdmittedRequest, dataset: RoleDataset): Promise<Extent> {
  const offered = new Set(dataset.statsValues.map((column) => column.path));
  const temporal = dataset.statsValues.find(isDate)?.path;
  const modified = offered.has('updatedAt') ? 'updatedAt' : temporal;
  const spatial = offered.has('latitude') && offered.has('longitude');
  const fields = [...new Set([temporal, modified, ...(spatial ? ['latitude', 'longitude'] : [])].filter((field): field is string => field !== undefined))];
  if (!dataset.stats || fields.length === 0) return {};
  type Values = Record<string, string | number | null>;
  let data: Record<string, Array<{ min: Values; max: Values }> | null>;
  try {
    data = await dataOf(admitted, `query CatalogExtent { ${dataset.stats} { min { ${fields.join(' ')} } max { ${fields.join(' ')} } } }`);
  } catch (error) {
    // A department whose system is down is still catalogued, without the figures only its system has.
    if (error instanceof OperationFailed && error.answer.result.errors?.some((graphqlError) => graphqlError.extensions?.code === 'SOURCE_UNAVAILABLE')) return {};
    throw error;
  }
  // One group over all rows; none, or null figures, when the role may see too few rows to be shown them.
  const group = data[dataset.stats]?.[0];
  if (!group) return {};
  const { min, max } = group;
  const extent: Extent = {};
  if (temporal && min[temporal] != null && max[temporal] != null) extent.temporal = `${min[temporal]}/${max[temporal]}`;
  if (modified && max[modified] != null) extent.modified = String(max[modified]);
  if (spatial && [min.latitude, min.longitude, max.latitude, max.longitude].every((value) => typeof value === 'number')) {
    extent.spatial = [min.longitude, min.latitude, max.longitude, max.latitude].join(',');
  }
  return extent;
}
