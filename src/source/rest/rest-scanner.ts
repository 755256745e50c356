/**
 * A REST/JSON API as a Scanner: each scan walks an endpoint's pages, sending the filter
 * comparisons the API applies as query parameters; the memory engine does the rest.
 */
import { setMaxListeners } from 'node:events';
import type { RestOptions, SourceConfig } from '../../config/mapping.js';
import { matches } from '../memory/evaluate.js';
import type { RawRecord, Scan, ScanRequest, Scanner } from '../memory/scanner.js';
import { SourceError, type ColumnDescription, type DeclaredType, type Predicate, type Pushdown, type TableSettings } from '../source.js';
import { timeLimit, type TimeLimit } from '../time-limit.js';
import { describeRecords } from './describe.js';
import { Endpoint, type Params } from './endpoint.js';
import { describeFilterParam, filterQuery } from './filter-params.js';
import { getJson, reachHost, type HttpSettings } from './http.js';
import { describePagination, firstPage, pageSize, Pager } from './pagination.js';
import { recordsIn, typedRecord } from './records.js';

const DEFAULT_REST_OPTIONS: RestOptions = {
  headers: [],
  query: [],
  records: '',
  pagination: { style: 'none' },
  retries: 3,
  maxResponseBytes: 10 * 1024 * 1024,
};

const NO_COLUMNS: ReadonlyMap<string, DeclaredType> = new Map();

export class RestScanner implements Scanner {
  readonly pushdown: Pushdown;
  readonly #options: RestOptions;
  readonly #closing = new AbortController();
  readonly #http: HttpSettings;

  constructor(
    readonly name: string,
    private readonly config: SourceConfig,
    private readonly tables: ReadonlyMap<string, TableSettings>,
  ) {
    this.#options = config.rest ?? DEFAULT_REST_OPTIONS;
    // Every request in flight listens for the source closing: more than Node's default of 10 is normal.
    setMaxListeners(0, this.#closing.signal);
    this.#http = {
      headers: this.#options.headers,
      retries: this.#options.retries,
      maxResponseBytes: this.#options.maxResponseBytes,
      timeoutMs: config.queryTimeoutMs,
      closed: this.#closing.signal,
    };
    const filterNotes = [...tables].flatMap(([table, settings]) => settings.filterParams.map((param) => describeFilterParam(table, param)));
    this.pushdown = {
      filters: filterNotes.length > 0 ? 'some' : 'none',
      ordering: false,
      // Pages come in the API's order, so the engine must read them all to sort or page.
      paging: false,
      grouping: false,
      // A look-up of many keys is one scan, filtered by an `in` parameter where the API has one.
      keyLookups: false,
      memoryRowLimit: config.memoryRowLimit,
      notes: [...filterNotes, describePagination(this.#options.pagination)],
    };
  }

  scan(request: ScanRequest): Scan {
    const settings = this.tables.get(request.table);
    const sent = filterQuery(request.where, settings?.filterParams ?? []);
    // The records come unsorted: only a query asking for no order can be answered by the first ones.
    const limit = sent.complete && request.orderBy.length === 0 ? request.limit : undefined;
    return {
      filtered: sent.complete,
      ordered: false,
      records: this.#read(request.table, sent.params, settings?.columns ?? NO_COLUMNS, request.where, limit, request.deadline),
    };
  }

  /**
   * With `limit`, stops after that many records matching `where`: the API's filtering is
   * trusted for knowing when to stop only as far as the records show it.
   */
  async *#read(
    table: string,
    filter: Params,
    columns: ReadonlyMap<string, DeclaredType>,
    where: Predicate | undefined,
    limit: number | undefined,
    deadline: number | undefined,
  ): AsyncGenerator<RawRecord> {
    const endpoint = new Endpoint(this.name, table);
    const size = Math.min(pageSize(this.#options.pagination), Math.max(1, limit ?? Infinity));
    const pager = new Pager(this.#options.pagination, size, endpoint);
    // One limit for the whole scan: a query may not read pages for longer than queryTimeoutMs (or past its deadline), however many there are.
    const timeAllowed = timeLimit(this.config.queryTimeoutMs, deadline);
    let matched = 0;
    for (let paging = pager.next; paging !== undefined; paging = pager.next) {
      const records = await this.#page(endpoint, [...filter, ...paging], timeAllowed);
      pager.advance(records.body, records.list.length);
      for (const raw of records.list) {
        const record = typedRecord(raw, columns, this.config.timezone, endpoint);
        yield record;
        if (limit !== undefined && (where === undefined || matches(where, record, this.name)) && ++matched >= limit) return;
      }
    }
  }

  async #page(endpoint: Endpoint, params: Params, limit?: TimeLimit): Promise<{ body: unknown; list: readonly unknown[] }> {
    const url = endpoint.url(this.config.connection.reveal(), [...this.#options.query, ...params]);
    const body = await getJson(url, endpoint, this.#http, limit);
    return { body, list: recordsIn(body, this.#options.records, endpoint) };
  }

  async describeTable(table: string): Promise<ColumnDescription[] | undefined> {
    const endpoint = new Endpoint(this.name, table);
    const pagination = this.#options.pagination;
    try {
      const { list } = await this.#page(endpoint, firstPage(pagination, pageSize(pagination)));
      return describeRecords(list, this.tables.get(table)?.columns ?? NO_COLUMNS);
    } catch (error) {
      if (error instanceof SourceError && error.reason === 'missing-table') return undefined;
      throw error;
    }
  }

  /** An API does not say how many records an endpoint holds: only reading every page would tell. */
  async estimateRows(): Promise<undefined> {
    return undefined;
  }

  /** A GET of the base URL means nothing to most APIs: the first endpoint's smallest page is asked for instead. */
  /** An API does not list its endpoints: whoever drafts a mapping names them. */
  async listTables(): Promise<string[]> {
    return [];
  }

  async ping(): Promise<void> {
    const [table] = this.tables.keys();
    if (table === undefined) {
      const endpoint = new Endpoint(this.name, '');
      await reachHost(endpoint.url(this.config.connection.reveal(), []), endpoint, this.#http);
      return;
    }
    await this.#page(new Endpoint(this.name, table), firstPage(this.#options.pagination, 1));
  }

  async close(): Promise<void> {
    this.#closing.abort();
  }
}
