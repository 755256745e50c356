/** How a scan walks an API's pages: the paging parameters of each request, and when to stop. */
import type { RestPagination } from '../../config/mapping.js';
import { readPath } from '../memory/read-value.js';
import type { RawRecord } from '../memory/scanner.js';
import type { Endpoint, Params } from './endpoint.js';

/** The records asked for per page; unbounded when one request returns them all. */
export function pageSize(pagination: RestPagination): number {
  return pagination.style === 'none' ? Infinity : pagination.size;
}

/** The paging parameters of the first page, asking for `size` records. */
export function firstPage(pagination: RestPagination, size: number): Params {
  switch (pagination.style) {
    case 'page':
      return [[pagination.pageParam, String(pagination.firstPage)], [pagination.sizeParam, String(size)]];
    case 'offset':
      return [[pagination.offsetParam, '0'], [pagination.limitParam, String(size)]];
    case 'cursor':
      return pagination.sizeParam === undefined ? [] : [[pagination.sizeParam, String(size)]];
    case 'none':
      return [];
  }
}

/** The pages of one scan, asking for `size` records each. */
export class Pager {
  #next: Params | undefined;
  #page = 0;
  #offset = 0;
  readonly #cursors = new Set<string>();

  constructor(
    private readonly pagination: RestPagination,
    private readonly size: number,
    private readonly endpoint: Endpoint,
  ) {
    this.#next = firstPage(pagination, size);
  }

  /** The paging parameters of the next request, or undefined once the last page was read. */
  get next(): Params | undefined {
    return this.#next;
  }

  /** Takes in what the page just read returned, to decide whether and how to ask for another. */
  advance(body: unknown, count: number): void {
    const p = this.pagination;
    switch (p.style) {
      case 'page':
        // A short page is the last one; an API that caps page sizes below `size` therefore ends scans early.
        this.#page += 1;
        this.#next = count < this.size ? undefined : [[p.pageParam, String(p.firstPage + this.#page)], [p.sizeParam, String(this.size)]];
        return;
      case 'offset':
        this.#offset += count;
        this.#next = count < this.size ? undefined : [[p.offsetParam, String(this.#offset)], [p.limitParam, String(this.size)]];
        return;
      case 'cursor': {
        const cursor = this.#cursor(body, p.nextCursor);
        this.#next = cursor === undefined ? undefined : [[p.cursorParam, cursor], ...firstPage(p, this.size)];
        return;
      }
      case 'none':
        this.#next = undefined;
    }
  }

  #cursor(body: unknown, path: string): string | undefined {
    const value = typeof body === 'object' && body !== null && !Array.isArray(body) ? readPath(body as RawRecord, path) : undefined;
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw this.endpoint.error(`the next-page cursor at "${path}" is neither text nor a number`, 'bad-data');
    }
    const cursor = String(value);
    // An API that hands out a cursor it already gave would otherwise be read forever.
    if (this.#cursors.has(cursor)) throw this.endpoint.error(`the API repeated a next-page cursor (at "${path}")`, 'bad-data');
    this.#cursors.add(cursor);
    return cursor;
  }
}

/** For `civicgraph validate`: how the pages are asked for, in one sentence. */
export function describePagination(pagination: RestPagination): string {
  switch (pagination.style) {
    case 'page': {
      const { pageParam, sizeParam, firstPage, size } = pagination;
      return `pages: ?${pageParam}=${firstPage}&${sizeParam}=${size}, then the next page numbers until a page has fewer than ${size} records.`;
    }
    case 'offset': {
      const { offsetParam, limitParam, size } = pagination;
      return `pages: ?${offsetParam}=0&${limitParam}=${size}, then the next offsets until a page has fewer than ${size} records.`;
    }
    case 'cursor':
      return (
        `pages: ?${pagination.cursorParam}= the cursor each response holds at "${pagination.nextCursor}", until it is absent` +
        (pagination.sizeParam === undefined ? '.' : `, with ?${pagination.sizeParam}=${pagination.size}.`)
      );
    case 'none':
      return 'pages: none; one request returns every record.';
  }
}
