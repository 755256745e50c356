/**
 * The Source over a MongoDB database: a mapping's `table` is a collection, a column a dotted
 * path into its documents. Every query runs in MongoDB as one aggregation pipeline
 * (./pipeline.ts); this class connects, runs them under the time limit and reads the results.
 */
import { type Db, type Document, MongoClient } from 'mongodb';
import type { SourceConfig } from '../../config/mapping.js';
import type {
  AggregateQuery, ColumnDescription, CountQuery, FindQuery, KeyLookupQuery, Pushdown, Row, Source, SourceValue, TableSettings,
} from '../source.js';
import { msLeft, timeLimit, type TimeLimit } from '../time-limit.js';
import { type CollectionShape, describeShape, SAMPLE_SIZE, shapeOf, storedTypes } from './describe.js';
import { missingCollection, outOfTime, toSourceError } from './errors.js';
import { aggregatePipeline, countPipeline, findPipeline, keyLookupPipeline, type Stage } from './pipeline.js';
import { readAggregateRows, readRow } from './rows.js';
import { checkValue, type FieldTypes, identity } from './values.js';

const MONGO_PUSHDOWN: Pushdown = {
  filters: 'all',
  ordering: true,
  paging: true,
  grouping: true,
  keyLookups: true,
  notes: ['filters, order, pages, statistics ($group) and batched look-ups ($in) run in MongoDB (5.2 or later)'],
};

/** Keys per look-up query, and their text per query: each query stays far below MongoDB's 16 MB command size. */
const KEY_CHUNK = 10_000;
const KEY_CHUNK_CHARS = 2_000_000;

/** How long the stored types sampled from a collection are trusted before it is sampled again. */
const FIELD_TYPES_TTL_MS = 10 * 60_000;

/**
 * Beyond maxTimeMS, for a server that stops answering altogether: the socket is given up a
 * little after the server should have stopped the query itself.
 */
const SOCKET_GRACE_MS = 5_000;

/** Opens (lazily: no connection is made until the first query) a source over the database the URL names. */
export function openMongoSource(name: string, config: SourceConfig, tables: ReadonlyMap<string, TableSettings>): Source {
  return new MongoSource(name, config, tables);
}

class MongoSource implements Source {
  readonly pushdown = MONGO_PUSHDOWN;
  #client: MongoClient | undefined;
  readonly #fieldTypes = new Map<string, { at: number; types: Promise<FieldTypes> }>();

  constructor(
    readonly name: string,
    private readonly config: SourceConfig,
    private readonly tables: ReadonlyMap<string, TableSettings>,
  ) {}

  async find(query: FindQuery): Promise<Row[]> {
    if (query.limit <= 0) return [];
    const types = await this.fieldTypes(query.table);
    const documents = await this.pipeline(query.table, () => findPipeline(query, types), query.deadline);
    return documents.map((document) => this.guard(query.table, () => readRow(document, query.select, types)));
  }

  async count(query: CountQuery): Promise<number> {
    const types = await this.fieldTypes(query.table);
    const [result] = await this.pipeline(query.table, () => countPipeline(query, types), query.deadline);
    return Number(result?.n ?? 0);
  }

  async findByKeys(query: KeyLookupQuery): Promise<Row[]> {
    const keys = this.guard(query.table, () => distinctKeys(query.keys));
    if (keys.length === 0 || query.perKeyLimit === 0) return [];
    const types = await this.fieldTypes(query.table);
    const select = { ...query.select, [query.keyAlias]: query.key };
    const rows: Row[] = [];
    // A per-key limit holds per key, so splitting the keys keeps it exact.
    for (const chunk of chunks(keys)) {
      const documents = await this.pipeline(query.table, () => keyLookupPipeline(query, chunk, types), query.deadline);
      for (const document of documents) rows.push(this.guard(query.table, () => readRow(document, select, types)));
    }
    return rows;
  }

  async aggregate(query: AggregateQuery): Promise<Row[]> {
    // MongoDB refuses `$limit: 0`.
    if (query.limit === 0) return [];
    const types = await this.fieldTypes(query.table);
    const documents = await this.pipeline(query.table, () => aggregatePipeline(query, types), query.deadline);
    return this.guard(query.table, () => readAggregateRows(query, documents, types));
  }

  async describeTable(table: string): Promise<ColumnDescription[] | undefined> {
    if (!(await this.exists(table))) return undefined;
    return describeShape(await this.sample(table), this.tables.get(table)?.columns);
  }

  /** From the collection's metadata (the `count` command without a filter): no document is read. */
  async estimateRows(table: string): Promise<number | undefined> {
    const documents = await this.run(table, (db) => db.collection(table).estimatedDocumentCount({ maxTimeMS: this.config.queryTimeoutMs }));
    // MongoDB counts a missing collection as empty.
    if (documents === 0 && !(await this.exists(table))) return undefined;
    return documents;
  }

  async listTables(): Promise<string[]> {
    const collections = await this.run(undefined, (db) =>
      db.listCollections({}, { nameOnly: true, authorizedCollections: true, maxTimeMS: this.config.queryTimeoutMs }).toArray(),
    );
    // system.* collections (system.views, system.profile) are the server's own.
    return collections.map((c) => c.name).filter((name) => !name.startsWith('system.')).sort();
  }

  async ping(): Promise<void> {
    await this.run(undefined, (db) => db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#fieldTypes.clear();
    if (!client) return;
    try {
      await client.close();
    } catch (error) {
      throw toSourceError(this.name, error, { timeoutMs: this.config.queryTimeoutMs });
    }
  }

  private database(): Db {
    if (!this.#client) {
      const { pool, queryTimeoutMs } = this.config;
      const maxPoolSize = Math.max(1, pool.max);
      this.#client = new MongoClient(this.config.connection.reveal(), {
        appName: 'civicgraph',
        maxPoolSize,
        minPoolSize: Math.min(pool.min, maxPoolSize),
        // An unreachable server fails within the query time limit rather than the driver's 30 s.
        serverSelectionTimeoutMS: queryTimeoutMs,
        connectTimeoutMS: queryTimeoutMs,
        socketTimeoutMS: queryTimeoutMs + SOCKET_GRACE_MS,
        // 64-bit integers arrive exact (as bigint) and are turned into numbers when safe.
        useBigInt64: true,
      });
    }
    return this.#client.db();
  }

  /** Runs one operation; every failure (including a URL the driver cannot parse) becomes a SourceError. */
  private async run<T>(table: string | undefined, work: (db: Db) => Promise<T>, limit?: TimeLimit): Promise<T> {
    try {
      return await work(this.database());
    } catch (error) {
      const failure = toSourceError(this.name, error, { table, timeoutMs: this.config.queryTimeoutMs, byDeadline: limit?.byDeadline });
      // The driver closes a client whose first connection failed, for good: the next query starts a new one.
      if (failure.reason === 'unreachable') this.#discardClient();
      throw failure;
    }
  }

  #discardClient(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.close().catch(() => undefined);
  }


  /** Runs synchronous work on a query or its results; its failures become SourceErrors too. */
  private guard<T>(table: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toSourceError(this.name, error, { table, timeoutMs: this.config.queryTimeoutMs });
    }
  }

  /**
   * Runs a pipeline within queryTimeoutMs or what is left before the caller's deadline, whichever ends first.
   * MongoDB answers a query on a missing collection with no documents: an empty answer asks whether the collection is there.
   */
  private async pipeline(table: string, build: () => Stage[], deadline?: number): Promise<Document[]> {
    const limit = timeLimit(this.config.queryTimeoutMs, deadline);
    const documents = await this.run(
      table,
      (db) => db.collection(table).aggregate(build(), { maxTimeMS: this.maxTimeMS(limit), allowDiskUse: true }).toArray(),
      limit,
    );
    if (documents.length === 0 && !(await this.exists(table, limit))) throw missingCollection(this.name, table);
    return documents;
  }

  private async exists(table: string, limit = timeLimit(this.config.queryTimeoutMs, undefined)): Promise<boolean> {
    const found = await this.run(
      table,
      (db) => db.listCollections({ name: table }, { nameOnly: true, authorizedCollections: true, maxTimeMS: this.maxTimeMS(limit) }).toArray(),
      limit,
    );
    return found.length > 0;
  }

  /** The server's time limit for an operation: what is left of `limit` (MongoDB reads 0 as no limit at all, so nothing left fails now). */
  private maxTimeMS(limit: TimeLimit): number {
    const ms = msLeft(limit);
    if (ms === 0) throw outOfTime(this.name, limit, this.config.queryTimeoutMs);
    return ms;
  }

  /** The first documents in natural order, read without promoting numbers so that an int is told from a double. */
  private async sample(table: string): Promise<CollectionShape> {
    const documents = await this.run(table, (db) =>
      db
        .collection(table)
        .find({}, { limit: SAMPLE_SIZE, maxTimeMS: this.config.queryTimeoutMs, promoteValues: false, useBigInt64: false })
        .toArray(),
    );
    return shapeOf(documents);
  }

  /** What filter values must be converted to: sampled once per collection (a while), with the mapping's declarations. */
  private fieldTypes(table: string): Promise<FieldTypes> {
    const cached = this.#fieldTypes.get(table);
    if (cached && Date.now() - cached.at < FIELD_TYPES_TTL_MS) return cached.types;
    const declared = this.tables.get(table)?.columns;
    const types = this.sample(table).then(
      (shape): FieldTypes => {
        // An empty sample says nothing yet: try again next time.
        if (shape.documents === 0) this.#fieldTypes.delete(table);
        return { stored: (path) => storedTypes(shape, path), declared: (path) => declared?.get(path) };
      },
      (error: unknown) => {
        this.#fieldTypes.delete(table);
        throw error;
      },
    );
    this.#fieldTypes.set(table, { at: Date.now(), types });
    return types;
  }
}

/** The keys in runs of at most KEY_CHUNK keys and about KEY_CHUNK_CHARS characters. */
function* chunks(keys: SourceValue[]): Generator<SourceValue[]> {
  let chunk: SourceValue[] = [];
  let chars = 0;
  for (const key of keys) {
    const size = typeof key === 'string' ? key.length : 8;
    if (chunk.length > 0 && (chunk.length === KEY_CHUNK || chars + size > KEY_CHUNK_CHARS)) {
      yield chunk;
      chunk = [];
      chars = 0;
    }
    chunk.push(key);
    chars += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** Keys worth asking for: NULL never equals a key, and asking twice for one key is waste. */
function distinctKeys(keys: readonly SourceValue[]): SourceValue[] {
  const seen = new Map<string, SourceValue>();
  for (const key of keys.map(checkValue)) if (key !== null) seen.set(identity(key), key);
  return [...seen.values()];
}
