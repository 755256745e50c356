/**
 * `GET /datasets/{dataset}.csv`, `.geojson` and `.json`: every row of a dataset the caller's role
 * may read, filtered and ordered as the query string says (./query-string.ts), streamed a page at
 * a time. Each page is one GraphQL operation through the role's own server, so its fields, row
 * rules, transforms, audit, static limits and cost apply row by row as on /graphql, and each
 * page's cost is spent from the caller's cost per window. Each page runs under the role's runtime
 * budget of its own; the download as a whole is bounded by the role's `downloadRows`, checked
 * with a count before the first byte. Only one page is held in memory at a time, and the next is
 * read only once the client has taken the last.
 */
import { once } from 'node:events';
import { Router, type Request, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { AdmittedRequest, GraphQLEndpoint } from '../graphql-endpoint.js';
import { dataOf, OperationFailed, roleDatasets, selectionOf, type RoleDataset } from '../role-datasets.js';
import { FORMATS, type Row } from './formats.js';
import { BadParameter, parseDownloadQuery, type DownloadQuery } from './query-string.js';
import type { Log } from '../../observe/log.js';

/** Rows per page: the most one GraphQL page may hold. */
const PAGE_ROWS = 1000;
/** A client that takes no bytes for this long is cut off, so a stalled reader cannot hold its place in flight forever. */
const STALLED_READER_MS = 60_000;

interface Page {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Row[];
}

/** An answer before the first byte: the status and a GraphQL-shaped error list. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly errors: GraphQLFormattedError[],
  ) {
    super(errors[0]?.message);
  }
}

export function downloadsRouter(endpoint: GraphQLEndpoint, log: Log): Router {
  const router = Router();
  router.get('/datasets/:file', (request, response) =>
    endpoint.runAs(request, response, (admitted) => download(admitted, request, response, log), undefined, 'operation'),
  );
  return router;
}

async function download(admitted: AdmittedRequest, request: Request, response: Response, log: Log): Promise<void> {
  let started = false;
  try {
    const file = String(request.params.file);
    const dot = file.lastIndexOf('.');
    const format = FORMATS.get(file.slice(dot + 1));
    const { datasets } = await roleDatasets(admitted);
    const dataset = datasets.find((candidate) => candidate.slug === file.slice(0, dot));
    if (dot < 0 || !format || !dataset) throw notFound(file, datasets);
    const query = parseDownloadQuery(request.query as Record<string, unknown>, dataset);
    await admit(admitted, dataset, query);

    const pages = pagesOf(admitted, dataset, query);
    // The first page is read before anything is sent, so that its failure is still answered with a status.
    let next = await pages.next();
    response.status(200);
    response.set({
      'Content-Type': format.mediaType,
      'Content-Disposition': `attachment; filename="${dataset.slug}-${new Date().toISOString().slice(0, 10)}.${format.extension}"`,
      'Cache-Control': 'no-store',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    started = true;
    await write(response, format.start(dataset.columns));
    let first = true;
    let written = 0;
    while (!next.done) {
      written += next.value.length;
      if (written > admitted.limits.downloadRows) throw new Error(`the rows grew past downloadRows (${admitted.limits.downloadRows}) while ${dataset.slug} was downloaded`);
      await write(response, format.page(next.value, dataset.columns, first));
      first = false;
      if (response.destroyed) return;
      next = await pages.next();
    }
    await write(response, format.end());
    response.end();
  } catch (error) {
    if (!started) {
      answerRefusal(response, error);
      return;
    }
    // Past the first byte a status can no longer say it: the connection is cut, so the client sees an incomplete transfer, not a short file.
    log(`download ${request.path} stopped: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    response.destroy();
  }
}

/** Counts the rows the download would hold, and refuses it when that is more than the role's `downloadRows`. */
async function admit(admitted: AdmittedRequest, dataset: RoleDataset, query: DownloadQuery): Promise<void> {
  const type = dataset.type;
  const count = await run<Record<string, { totalCount: number }>>(
    admitted,
    query,
    `query DownloadCount($filter: ${type}Filter) { ${dataset.connection}(filter: $filter, first: 0) { totalCount } }`,
    { filter: query.filter },
  );
  const rows = count[dataset.connection]!.totalCount;
  const limit = admitted.limits.downloadRows;
  if (rows > limit) {
    throw new Refusal(400, [
      {
        message: `this download would hold ${rows.toLocaleString('en-US')} rows, more than the ${limit.toLocaleString('en-US')} role ${admitted.role} may download at once (downloadRows): narrow the filter, e.g. by date, and download in parts`,
        extensions: { code: 'DOWNLOAD_TOO_LARGE', measure: 'downloadRows', limit, measured: rows },
      },
    ]);
  }
}

/** The download's pages, each one GraphQL operation, read only when asked for. */
async function* pagesOf(admitted: AdmittedRequest, dataset: RoleDataset, query: DownloadQuery): AsyncGenerator<Row[]> {
  const type = dataset.type;
  const operation = `query DownloadPage($filter: ${type}Filter, $orderBy: [${type}OrderBy!], $after: String) {
  ${dataset.connection}(filter: $filter, orderBy: $orderBy, first: ${PAGE_ROWS}, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { ${selectionOf(dataset.columns)} }
  }
}`;
  let after: string | null = null;
  for (;;) {
    const data: Record<string, Page> = await run(admitted, query, operation, { filter: query.filter, orderBy: query.orderBy, after });
    const page = data[dataset.connection]!;
    yield page.nodes;
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor;
  }
}

/** Runs one operation; its errors become a Refusal, a refused value named by the parameter that wrote it. */
async function run<T>(admitted: AdmittedRequest, query: DownloadQuery, operation: string, variables: Record<string, unknown>): Promise<T> {
  try {
    return await dataOf<T>(admitted, operation, variables);
  } catch (error) {
    if (!(error instanceof OperationFailed)) throw error;
    const { status, result } = error.answer;
    const errors = (result.errors ?? []).map((graphqlError) => named(graphqlError, query));
    // An error beside data is the source's or the budget's (SOURCE_UNAVAILABLE, DEADLINE_EXCEEDED…): not the caller's mistake.
    throw new Refusal(status >= 400 ? status : 503, errors);
  }
}

/** GraphQL names a refused variable value by its path (`filter.requestedAt.gte`); the caller wrote a parameter. */
function named(error: GraphQLFormattedError, query: DownloadQuery): GraphQLFormattedError {
  const at = /Variable "\$filter" got invalid value .* at "filter\.([^"]+)"/.exec(error.message)?.[1];
  if (at === undefined && !error.message.startsWith('Variable "$filter"')) return error;
  const parameter = (at !== undefined && query.parameters.get(at.replace(/\[\d+\]$/, ''))) || 'filter';
  return { message: `${parameter}: ${error.message}`, extensions: { ...error.extensions, code: 'BAD_REQUEST', parameter } };
}

function notFound(file: string, datasets: readonly RoleDataset[]): Refusal {
  const offered = datasets.flatMap((dataset) => [...FORMATS.keys()].map((extension) => `${dataset.slug}.${extension}`));
  return new Refusal(404, [{ message: `no download "${file}"; downloads: ${offered.join(', ') || 'none'}`, extensions: { code: 'NOT_FOUND' } }]);
}

function answerRefusal(response: Response, error: unknown): void {
  if (error instanceof BadParameter) {
    response.status(400).json({ errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST', parameter: error.parameter } }] });
  } else if (error instanceof Refusal) {
    response.status(error.status).json({ errors: error.errors });
  } else {
    throw error;
  }
}

/** Writes `chunk`, and waits while the client's buffer is full: the next page is read only once it has room. */
async function write(response: Response, chunk: string): Promise<void> {
  if (response.destroyed) throw new Error('the client went away');
  if (chunk === '' || response.write(chunk)) return;
  const closed = new AbortController();
  const onClose = () => closed.abort();
  response.once('close', onClose);
  try {
    await once(response, 'drain', { signal: AbortSignal.any([closed.signal, AbortSignal.timeout(STALLED_READER_MS)]) });
  } catch {
    throw new Error(response.destroyed ? 'the client went away' : `the client took nothing for ${STALLED_READER_MS / 1000} s`);
  } finally {
    response.off('close', onClose);
  }
}
