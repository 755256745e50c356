/**
 * A small REST/JSON API on 127.0.0.1 for the REST connector's suites: it serves the contract
 * fixture rows (test/source/contract/data.ts) as JSON the way vendor APIs write them
 * (numbers as text, dates as strings, nested objects), in any pagination style, applies
 * the filter parameters it is told to honour, and plays scripted failures.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeclaredType, Selection } from '../../../src/source/source.js';
import { ALL as FIXTURE_ALL, EXPECTED_ROWS } from '../contract/data.js';
import { CASE_COLUMNS } from '../contract/typed-records.js';

export type JsonRecord = Record<string, unknown>;

/**
 * The fixture rows as an API gives them: cost as text (as Socrata does), dates and
 * date-times as strings, the ward nested under `area` (absent when there is none).
 */
export const RECORDS: JsonRecord[] = EXPECTED_ROWS.map((row) => ({
  id: row.id,
  title: row.title,
  status: row.status,
  priority: row.priority,
  cost: row.cost === null ? null : String(row.cost),
  is_open: row.isOpen,
  opened_on: row.openedOn,
  opened_at: row.openedAt,
  closed_at: row.closedAt instanceof Date ? row.closedAt.toISOString() : null,
  ...(row.ward === null ? {} : { area: { ward: row.ward, code: `W-${String(row.ward).toUpperCase()}` } }),
}));

/** The types a mapping declares for RECORDS: the fixture's, with the ward at its nested path. */
export const COLUMNS: ReadonlyMap<string, DeclaredType> = new Map(CASE_COLUMNS.map(([name, type]) => [name === 'Ward' ? 'area.ward' : name, type]));

/** The fixture's ALL selection over RECORDS: with COLUMNS declared, it reads EXPECTED_ROWS. */
export const ALL: Selection = { ...FIXTURE_ALL, ward: { column: 'area.ward' } };

export const ENDPOINT = 'v1/cases';

export type ServedPaging =
  | { style: 'page'; pageParam: string; sizeParam: string; firstPage: number }
  | { style: 'offset'; offsetParam: string; limitParam: string }
  | { style: 'cursor'; cursorParam: string; sizeParam: string; nextCursor: string }
  | { style: 'none' };

/** One response played instead of the normal one. */
export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Waits this long before answering. */
  delayMs?: number;
  /** Sends the body in pieces without Content-Length (else Content-Length is set, unless `headers` sets it). */
  chunked?: boolean;
}

export interface ApiOptions {
  records?: JsonRecord[];
  /** Where the records sit in the body; '' for a bare array. */
  recordsPath?: string;
  paging?: ServedPaging;
  /** The page size when a request names none, and the most a request may ask for. */
  maxPageSize?: number;
  /** The filter parameters the API honours: parameter → whether a record passes for the parameter's value. */
  filters?: Record<string, (record: JsonRecord, value: string) => boolean>;
  /** When set, requests must carry `Authorization: Bearer <token>` or get 401. */
  token?: string;
}

export interface SeenRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  at: number;
  /** When the client hung up before the answer was sent, if it did. */
  abandonedAt?: number;
}

export interface ApiServer {
  /** The base URL, carrying an app token in its query string as Socrata's do. */
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Plays these responses, in order, to the next requests. */
  script(...responses: Scripted[]): void;
  close(): Promise<void>;
}

export const APP_TOKEN = 'appTok3nS3cr3t';

export async function startApi(options: ApiOptions = {}): Promise<ApiServer> {
  const records = options.records ?? RECORDS;
  const paging = options.paging ?? { style: 'none' };
  const maxPageSize = options.maxPageSize ?? 1000;
  const requests: SeenRequest[] = [];
  const scripted: Scripted[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const seen: SeenRequest = { path: url.pathname, query: url.searchParams, headers: req.headers, at: Date.now() };
    requests.push(seen);
    res.on('close', () => {
      if (!res.writableFinished) seen.abandonedAt = Date.now();
    });
    const next = scripted.shift();
    if (next) {
      setTimeout(() => play(res, next), next.delayMs ?? 0);
      return;
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return json(res, 401, { error: 'unauthorized' });
    }
    if (url.pathname !== `/api/${ENDPOINT}`) return json(res, 404, { error: 'not found' });
    if (url.searchParams.get('$$app_token') !== APP_TOKEN) return json(res, 403, { error: 'no app token' });

    const filters = Object.entries(options.filters ?? {});
    const matching = records.filter((record) =>
      filters.every(([param, passes]) => {
        const value = url.searchParams.get(param);
        return value === null || passes(record, value);
      }),
    );
    const { page, next: nextCursor } = pageOf(matching, url.searchParams);
    if (!options.recordsPath) return json(res, 200, page);
    const body: JsonRecord = {};
    setPath(body, options.recordsPath, page);
    if (paging.style === 'cursor') setPath(body, paging.nextCursor, nextCursor);
    json(res, 200, body);
  });

  function pageOf(matching: JsonRecord[], query: URLSearchParams): { page: JsonRecord[]; next: string | null } {
    const number = (name: string, fallback: number) => Number(query.get(name) ?? fallback);
    switch (paging.style) {
      case 'none':
        return { page: matching, next: null };
      case 'page': {
        const size = Math.min(number(paging.sizeParam, maxPageSize), maxPageSize);
        const start = (number(paging.pageParam, paging.firstPage) - paging.firstPage) * size;
        return { page: matching.slice(start, start + size), next: null };
      }
      case 'offset': {
        const size = Math.min(number(paging.limitParam, maxPageSize), maxPageSize);
        const start = number(paging.offsetParam, 0);
        return { page: matching.slice(start, start + size), next: null };
      }
      case 'cursor': {
        const size = Math.min(number(paging.sizeParam, maxPageSize), maxPageSize);
        const cursor = query.get(paging.cursorParam);
        const start = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString().slice('after:'.length));
        const end = start + size;
        return { page: matching.slice(start, end), next: end < matching.length ? Buffer.from(`after:${end}`).toString('base64url') : null };
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api?$$app_token=${APP_TOKEN}`,
    port,
    requests,
    script: (...responses) => void scripted.push(...responses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function setPath(target: JsonRecord, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let at = target;
  for (const key of keys) at = (at[key] ??= {}) as JsonRecord;
  at[last] = value;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function play(res: ServerResponse, { status, headers = {}, body = '', chunked }: Scripted): void {
  if (res.destroyed) return;
  if (!chunked) {
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
    return void res.end(body);
  }
  res.writeHead(status, headers);
  const piece = 256;
  for (let at = 0; at < body.length; at += piece) res.write(body.slice(at, at + piece));
  res.end();
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
