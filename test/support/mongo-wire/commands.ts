/**
 * The command layer of the mongo-wire test server: an in-memory store of databases and
 * collections, server-side cursors, and one handler per supported command.
 */
import os from 'node:os';
import { EJSON, Long, ObjectId, UUID, calculateObjectSize, type Document } from 'bson';
import {
  CommandError,
  applyUpdate,
  badValue,
  cloneDeep,
  compare,
  compileFilter,
  isEqual,
  matches,
  runFind,
  runPipeline,
  toCommandError,
  upsertSeed,
  type EngineOptions,
} from './engine.js';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;
/** MongoDB 7.0. The driver v7 needs at least 9 (MongoDB 4.4). */
export const MAX_WIRE_VERSION = 21;
const SERVER_VERSION = '7.0.0';
const DEFAULT_FIRST_BATCH = 101;
/** Room left in a reply for the envelope around the batch. */
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024;

const ID_INDEX: Document = { v: 2, key: { _id: 1 }, name: '_id_' };

class Collection {
  docs: Document[] = [];
  /** _id key → document, for the unique _id index. */
  ids = new Map<string, Document>();
  indexes: Document[] = [ID_INDEX];
  readonly uuid = new UUID();
  constructor(
    readonly name: string,
    readonly options: Document = {},
  ) {}
}

class Database {
  collections = new Map<string, Collection>();
  constructor(readonly name: string) {}
}

interface Cursor {
  id: number;
  ns: string;
  docs: Document[];
  pos: number;
}

/** A key that is equal for two _id values exactly when MongoDB considers them equal. */
function idKey(id: unknown): string {
  if (typeof id === 'number') return `n:${id}`;
  if (typeof id === 'string') return `s:${id}`;
  if (id instanceof ObjectId) return `o:${id.toHexString()}`;
  return `x:${EJSON.stringify({ v: id }, { relaxed: false })}`;
}

const isDocument = (v: unknown): v is Document => v !== null && typeof v === 'object' && !Array.isArray(v);

function asNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (value instanceof Long) return value.toNumber();
  throw new CommandError(14, 'TypeMismatch', `Field '${name}' must be a number`);
}

function asDocument(value: unknown, name: string): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (isDocument(value)) return value;
  throw new CommandError(14, 'TypeMismatch', `Field '${name}' must be an object`);
}

function collectionName(cmd: Document, name: string): string {
  const value: unknown = cmd[name];
  if (typeof value !== 'string' || value === '') {
    throw new CommandError(73, 'InvalidNamespace', `collection name must be a non-empty string, got ${String(value)}`);
  }
  if (value.includes('\0') || value.startsWith('.') || value.startsWith('$')) {
    throw new CommandError(73, 'InvalidNamespace', `Invalid collection name: ${value}`);
  }
  return value;
}

export interface ConnectionInfo {
  connectionId: number;
}

type Handler = (cmd: Document, db: string, conn: ConnectionInfo) => Document;

export class CommandProcessor {
  #databases = new Map<string, Database>();
  #cursors = new Map<number, Cursor>();
  #nextCursorId = 7_000_001;
  readonly #startedAt = Date.now();
  readonly #handlers: Record<string, Handler>;

  constructor() {
    const hello: Handler = (_cmd, _db, conn) => this.#hello(conn);
    this.#handlers = {
      hello,
      isMaster: hello,
      ismaster: hello,
      ping: () => ({ ok: 1 }),
      buildInfo: () => this.#buildInfo(),
      buildinfo: () => this.#buildInfo(),
      getParameter: (cmd) => this.#getParameter(cmd),
      hostInfo: () => this.#hostInfo(),
      serverStatus: () => this.#serverStatus(),
      connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
      whatsmyuri: () => ({ you: '127.0.0.1', ok: 1 }),
      endSessions: () => ({ ok: 1 }),
      killCursors: (cmd) => this.#killCursors(cmd),
      getMore: (cmd, db) => this.#getMore(cmd, db),
      find: (cmd, db) => this.#find(cmd, db),
      aggregate: (cmd, db) => this.#aggregate(cmd, db),
      count: (cmd, db) => this.#count(cmd, db),
      distinct: (cmd, db) => this.#distinct(cmd, db),
      insert: (cmd, db) => this.#insert(cmd, db),
      update: (cmd, db) => this.#update(cmd, db),
      delete: (cmd, db) => this.#delete(cmd, db),
      findAndModify: (cmd, db) => this.#findAndModify(cmd, db),
      findandmodify: (cmd, db) => this.#findAndModify(cmd, db),
      create: (cmd, db) => this.#create(cmd, db),
      drop: (cmd, db) => this.#drop(cmd, db),
      dropDatabase: (_cmd, db) => {
        this.#databases.delete(db);
        return { ok: 1 };
      },
      listCollections: (cmd, db) => this.#listCollections(cmd, db),
      listDatabases: (cmd) => this.#listDatabases(cmd),
      listIndexes: (cmd, db) => this.#listIndexes(cmd, db),
      createIndexes: (cmd, db) => this.#createIndexes(cmd, db),
      dropIndexes: (cmd, db) => this.#dropIndexes(cmd, db),
    };
  }

  /** Runs one command and returns its reply; failures become `{ ok: 0, errmsg, code, codeName }`. */
  run(cmd: Document, conn: ConnectionInfo): Document {
    try {
      const name = Object.keys(cmd)[0];
      if (name === undefined) throw new CommandError(59, 'CommandNotFound', 'no such command: ""');
      const handler = Object.prototype.hasOwnProperty.call(this.#handlers, name) ? this.#handlers[name] : undefined;
      if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
      if (cmd.txnNumber !== undefined || cmd.startTransaction !== undefined) {
        throw new CommandError(20, 'IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
      }
      const db = typeof cmd.$db === 'string' ? cmd.$db : 'admin';
      return handler(cmd, db, conn);
    } catch (error) {
      const e = toCommandError(error);
      return { ok: 0, errmsg: e.message, code: e.code, codeName: e.codeName };
    }
  }

  /** Forgets every cursor (used when the server closes). */
  clearCursors(): void {
    this.#cursors.clear();
  }

  // ---- store -------------------------------------------------------------------------------

  #collection(db: string, name: string): Collection | undefined {
    return this.#databases.get(db)?.collections.get(name);
  }

  #ensureCollection(db: string, name: string, options: Document = {}): { coll: Collection; created: boolean } {
    let database = this.#databases.get(db);
    if (!database) {
      database = new Database(db);
      this.#databases.set(db, database);
    }
    const existing = database.collections.get(name);
    if (existing) return { coll: existing, created: false };
    const coll = new Collection(name, options);
    database.collections.set(name, coll);
    return { coll, created: true };
  }

  #engineOptions(db: string, cmd: Document): EngineOptions {
    const options: EngineOptions = {
      // Copies, so that no later stage can modify a stored document through a $lookup result.
      collectionResolver: (name) => (this.#collection(db, name)?.docs ?? []).map((doc) => cloneDeep(doc) as Document),
    };
    const variables = asDocument(cmd.let, 'let');
    if (variables) options.variables = variables;
    const collation = asDocument(cmd.collation, 'collation');
    if (collation) options.collation = collation;
    return options;
  }

  // ---- cursors -----------------------------------------------------------------------------

  /** Takes the next batch: up to batchSize documents (0 = no count limit) and about 16MB. */
  #takeBatch(cursor: Cursor, batchSize: number): Document[] {
    const batch: Document[] = [];
    let bytes = 0;
    while (cursor.pos < cursor.docs.length && (batchSize === 0 || batch.length < batchSize)) {
      const doc = cursor.docs[cursor.pos]!;
      const size = calculateObjectSize(doc, { ignoreUndefined: true });
      if (batch.length > 0 && bytes + size > BATCH_BYTES) break;
      batch.push(doc);
      bytes += size;
      cursor.pos++;
    }
    return batch;
  }

  /** Builds a `{ cursor: { firstBatch, id, ns } }` reply and keeps the cursor if documents remain. */
  #cursorReply(ns: string, docs: Document[], batchSize: number | undefined, singleBatch = false): Document {
    const cursor: Cursor = { id: 0, ns, docs, pos: 0 };
    const firstBatch = batchSize === 0 ? [] : this.#takeBatch(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.pos < docs.length) {
      id = this.#nextCursorId++;
      cursor.id = id;
      this.#cursors.set(id, cursor);
    }
    return { cursor: { firstBatch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  #getMore(cmd: Document, db: string): Document {
    const id = asNumber(cmd.getMore, 'getMore') ?? 0;
    const cursor = this.#cursors.get(id);
    if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    const coll = typeof cmd.collection === 'string' ? cmd.collection : '';
    if (cursor.ns !== `${db}.${coll}`) {
      throw new CommandError(13, 'Unauthorized', `Requested getMore on namespace '${db}.${coll}', but cursor belongs to '${cursor.ns}'`);
    }
    const batchSize = asNumber(cmd.batchSize, 'batchSize') ?? 0;
    const nextBatch = this.#takeBatch(cursor, batchSize);
    let replyId = cursor.id;
    if (cursor.pos >= cursor.docs.length) {
      this.#cursors.delete(cursor.id);
      replyId = 0;
    }
    return { cursor: { nextBatch, id: Long.fromNumber(replyId), ns: cursor.ns }, ok: 1 };
  }

  #killCursors(cmd: Document): Document {
    const ids = Array.isArray(cmd.cursors) ? (cmd.cursors as unknown[]) : [];
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = asNumber(raw, 'cursors') ?? 0;
      (this.#cursors.delete(id) ? killed : notFound).push(Long.fromNumber(id));
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  // ---- handshake and server info -----------------------------------------------------------

  #hello(conn: ConnectionInfo): Document {
    return {
      helloOk: true,
      isWritablePrimary: true,
      ismaster: true,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
      maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: conn.connectionId,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
      ok: 1,
    };
  }

  #buildInfo(): Document {
    return {
      version: SERVER_VERSION,
      gitVersion: 'mongo-wire-test-server',
      versionArray: [7, 0, 0, 0],
      bits: 64,
      debug: false,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      storageEngines: ['memory'],
      modules: [],
      javascriptEngine: 'none',
      ok: 1,
    };
  }

  #getParameter(cmd: Document): Document {
    const known: Document = {
      featureCompatibilityVersion: { version: '7.0' },
      authenticationMechanisms: [],
      maxBSONDepth: 100,
      internalQueryMaxBlockingSortMemoryUsageBytes: 100 * 1024 * 1024,
    };
    if (cmd.getParameter === '*') return { ...known, ok: 1 };
    const reply: Document = {};
    for (const key of Object.keys(cmd)) {
      if (key !== 'getParameter' && !key.startsWith('$') && key !== 'lsid' && key in known) reply[key] = known[key];
    }
    if (Object.keys(reply).length === 0) throw new CommandError(72, 'InvalidOptions', 'no option found to get');
    return { ...reply, ok: 1 };
  }

  #hostInfo(): Document {
    return {
      system: { currentTime: new Date(), hostname: '127.0.0.1', cpuAddrSize: 64, numCores: os.cpus().length, memSizeMB: Math.round(os.totalmem() / 2 ** 20) },
      os: { type: os.type(), name: os.platform(), version: os.release() },
      extra: {},
      ok: 1,
    };
  }

  #serverStatus(): Document {
    return {
      host: '127.0.0.1',
      version: SERVER_VERSION,
      process: 'mongod',
      pid: Long.fromNumber(process.pid),
      uptime: (Date.now() - this.#startedAt) / 1000,
      localTime: new Date(),
      ok: 1,
    };
  }

  // ---- reads -------------------------------------------------------------------------------

  #find(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'find');
    const ns = `${db}.${name}`;
    if (cmd.tailable) throw badValue('tailable cursors are not supported by the mongo-wire test server');
    let limit = asNumber(cmd.limit, 'limit') ?? 0;
    let singleBatch = cmd.singleBatch === true;
    if (limit < 0) {
      limit = -limit;
      singleBatch = true;
    }
    const skip = asNumber(cmd.skip, 'skip') ?? 0;
    const batchSize = asNumber(cmd.batchSize, 'batchSize');
    if (skip < 0) throw badValue('skip value must be non-negative');
    if (batchSize !== undefined && batchSize < 0) throw badValue('batchSize value must be non-negative');
    const options = this.#engineOptions(db, cmd);
    const filter = asDocument(cmd.filter, 'filter');
    const coll = this.#collection(db, name);
    // {$natural: ±1} is insertion order here (mingo does not know it).
    let sort = asDocument(cmd.sort, 'sort');
    let input = coll?.docs ?? [];
    if (sort && '$natural' in sort) {
      const { $natural: natural, ...rest } = sort;
      if (natural === -1) input = [...input].reverse();
      sort = rest;
    }
    const docs = runFind(input, {
      filter,
      sort,
      projection: asDocument(cmd.projection, 'projection'),
      skip,
      limit,
    }, options);
    // A real server returns at most `limit` documents, in batches of at most `batchSize`.
    const firstBatchSize = limit > 0 ? Math.min(batchSize ?? DEFAULT_FIRST_BATCH, limit) : batchSize;
    return this.#cursorReply(ns, docs, batchSize === 0 ? 0 : firstBatchSize, singleBatch);
  }

  #aggregate(cmd: Document, db: string): Document {
    const target: unknown = cmd.aggregate;
    let ns: string;
    let input: Document[];
    if (target === 1) {
      ns = `${db}.$cmd.aggregate`;
      input = [];
    } else {
      const name = collectionName(cmd, 'aggregate');
      ns = `${db}.${name}`;
      input = this.#collection(db, name)?.docs ?? [];
    }
    if (cmd.explain) throw new CommandError(115, 'CommandNotSupported', 'explain is not supported by the mongo-wire test server');
    const cursorSpec = asDocument(cmd.cursor, 'cursor');
    if (!cursorSpec) throw new CommandError(9, 'FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
    const batchSize = asNumber(cursorSpec.batchSize, 'cursor.batchSize');
    const docs = runPipeline(input, cmd.pipeline, this.#engineOptions(db, cmd));
    return this.#cursorReply(ns, docs, batchSize);
  }

  #count(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'count');
    const coll = this.#collection(db, name);
    const skip = asNumber(cmd.skip, 'skip') ?? 0;
    const limit = Math.abs(asNumber(cmd.limit, 'limit') ?? 0);
    const docs = runFind(coll?.docs ?? [], { filter: asDocument(cmd.query, 'query'), skip, limit }, this.#engineOptions(db, cmd));
    return { n: docs.length, ok: 1 };
  }

  #distinct(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'distinct');
    if (typeof cmd.key !== 'string') throw new CommandError(14, 'TypeMismatch', "'key' must be of type string");
    const coll = this.#collection(db, name);
    const docs = runFind(coll?.docs ?? [], { filter: asDocument(cmd.query, 'query') }, this.#engineOptions(db, cmd));
    const values: unknown[] = [];
    const seen = new Set<string>();
    const add = (v: unknown) => {
      if (v === undefined) return;
      const key = idKey(v);
      if (!seen.has(key)) {
        seen.add(key);
        values.push(v);
      }
    };
    const collect = (value: unknown, path: string[]) => {
      if (path.length === 0) {
        if (Array.isArray(value)) value.forEach(add);
        else add(value);
        return;
      }
      if (Array.isArray(value)) {
        for (const item of value) collect(item, path);
        return;
      }
      if (isDocument(value)) collect(value[path[0]!], path.slice(1));
    };
    for (const doc of docs) collect(doc, cmd.key.split('.'));
    values.sort(compare);
    return { values, ok: 1 };
  }

  // ---- writes ------------------------------------------------------------------------------

  #insertOne(coll: Collection, doc: Document): void {
    if (!isDocument(doc)) throw new CommandError(14, 'TypeMismatch', 'documents to insert must be objects');
    // Like mongod, store _id as the first field (generating an ObjectId when it is missing).
    const { _id: id, ...rest } = doc;
    const stored: Document = { _id: id === undefined ? new ObjectId() : id, ...rest };
    if (Array.isArray(stored._id)) throw new CommandError(2, 'BadValue', "can't use an array for _id");
    const key = idKey(stored._id);
    if (coll.ids.has(key)) {
      throw new CommandError(11000, 'DuplicateKey', `E11000 duplicate key error collection: ${coll.name} index: _id_ dup key: { _id: ${EJSON.stringify(stored._id)} }`);
    }
    coll.ids.set(key, stored);
    coll.docs.push(stored);
  }

  #insert(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'insert');
    const documents = Array.isArray(cmd.documents) ? (cmd.documents as Document[]) : [];
    const ordered = cmd.ordered !== false;
    const { coll } = this.#ensureCollection(db, name);
    let n = 0;
    const writeErrors: Document[] = [];
    for (const [index, doc] of documents.entries()) {
      try {
        this.#insertOne(coll, doc);
        n++;
      } catch (error) {
        const e = toCommandError(error);
        writeErrors.push({ index, code: e.code, codeName: e.codeName, errmsg: e.message });
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
  }

  /** Replaces `oldDoc` by `newDoc` in the collection, keeping the _id index right. */
  #replace(coll: Collection, oldDoc: Document, newDoc: Document): void {
    const index = coll.docs.indexOf(oldDoc);
    if (index < 0) throw new Error('mongo-wire: document vanished during update');
    coll.docs[index] = newDoc;
    coll.ids.set(idKey(newDoc._id), newDoc);
  }

  /** Runs one update statement; returns counts and the upserted _id, if any. */
  #updateOne(
    coll: Collection,
    stmt: Document,
    options: EngineOptions,
  ): { n: number; nModified: number; upserted?: unknown; before?: Document; after?: Document } {
    const q = asDocument(stmt.q, 'q') ?? {};
    const multi = stmt.multi === true;
    const spec = {
      arrayFilters: Array.isArray(stmt.arrayFilters) ? (stmt.arrayFilters as Document[]) : undefined,
      variables: options.variables,
      inserting: false,
    };
    const query = compileFilter(q, options);
    let targets = coll.docs.filter((doc) => matches(query, doc));
    const sort = asDocument(stmt.sort, 'sort');
    if (!multi && sort && targets.length > 1) targets = runFind(targets, { sort }, options);
    if (!multi) targets = targets.slice(0, 1);
    if (targets.length === 0) {
      if (stmt.upsert !== true) return { n: 0, nModified: 0 };
      const seed = upsertSeed(q);
      const created = applyUpdate(seed, stmt.u, { ...spec, inserting: true });
      const doc = created._id === undefined ? { _id: new ObjectId(), ...created } : created;
      this.#insertOne(coll, doc);
      return { n: 1, nModified: 0, upserted: doc._id, after: doc };
    }
    let nModified = 0;
    let before: Document | undefined;
    let after: Document | undefined;
    for (const doc of targets) {
      const updated = applyUpdate(doc, stmt.u, spec);
      before ??= doc;
      after ??= updated;
      if (!isEqual(updated, doc)) {
        this.#replace(coll, doc, updated);
        nModified++;
      }
    }
    return { n: targets.length, nModified, before, after };
  }

  #update(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'update');
    const updates = Array.isArray(cmd.updates) ? (cmd.updates as Document[]) : [];
    const ordered = cmd.ordered !== false;
    const options = this.#engineOptions(db, cmd);
    const { coll } = this.#ensureCollection(db, name);
    let n = 0;
    let nModified = 0;
    const upserted: Document[] = [];
    const writeErrors: Document[] = [];
    for (const [index, stmt] of updates.entries()) {
      try {
        const result = this.#updateOne(coll, stmt, options);
        n += result.n;
        nModified += result.nModified;
        if (result.upserted !== undefined) upserted.push({ index, _id: result.upserted });
      } catch (error) {
        const e = toCommandError(error);
        writeErrors.push({ index, code: e.code, codeName: e.codeName, errmsg: e.message });
        if (ordered) break;
      }
    }
    const reply: Document = { n, nModified };
    if (upserted.length) reply.upserted = upserted;
    if (writeErrors.length) reply.writeErrors = writeErrors;
    reply.ok = 1;
    return reply;
  }

  #deleteMatching(coll: Collection, q: Document, limit: number, options: EngineOptions, sort?: Document): Document[] {
    const query = compileFilter(q, options);
    let victims = coll.docs.filter((doc) => matches(query, doc));
    if (sort && victims.length > 1) victims = runFind(victims, { sort }, options);
    if (limit > 0) victims = victims.slice(0, limit);
    if (victims.length === 0) return [];
    const gone = new Set(victims);
    coll.docs = coll.docs.filter((doc) => !gone.has(doc));
    for (const doc of victims) coll.ids.delete(idKey(doc._id));
    return victims;
  }

  #delete(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'delete');
    const deletes = Array.isArray(cmd.deletes) ? (cmd.deletes as Document[]) : [];
    const ordered = cmd.ordered !== false;
    const options = this.#engineOptions(db, cmd);
    const coll = this.#collection(db, name);
    let n = 0;
    const writeErrors: Document[] = [];
    for (const [index, stmt] of deletes.entries()) {
      try {
        const limit = asNumber(stmt.limit, 'limit') ?? 0;
        if (coll) n += this.#deleteMatching(coll, asDocument(stmt.q, 'q') ?? {}, limit, options).length;
      } catch (error) {
        const e = toCommandError(error);
        writeErrors.push({ index, code: e.code, codeName: e.codeName, errmsg: e.message });
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
  }

  #findAndModify(cmd: Document, db: string): Document {
    const key = 'findAndModify' in cmd ? 'findAndModify' : 'findandmodify';
    const name = collectionName(cmd, key);
    const options = this.#engineOptions(db, cmd);
    const query = asDocument(cmd.query, 'query') ?? {};
    const sort = asDocument(cmd.sort, 'sort');
    const fields = asDocument(cmd.fields, 'fields');
    const project = (doc: Document | undefined) =>
      doc && fields && Object.keys(fields).length ? (runFind([doc], { projection: fields }, options)[0] ?? null) : (doc ?? null);
    if (cmd.remove === true) {
      const coll = this.#collection(db, name);
      const [removed] = coll ? this.#deleteMatching(coll, query, 1, options, sort) : [];
      return { lastErrorObject: { n: removed ? 1 : 0 }, value: project(removed), ok: 1 };
    }
    if (cmd.update === undefined) throw new CommandError(9, 'FailedToParse', 'Either an update or remove=true must be specified');
    const { coll } = this.#ensureCollection(db, name);
    const result = this.#updateOne(coll, { q: query, u: cmd.update, upsert: cmd.upsert === true, multi: false, sort, arrayFilters: cmd.arrayFilters }, options);
    const lastErrorObject: Document = { n: result.n, updatedExisting: result.upserted === undefined && result.n > 0 };
    if (result.upserted !== undefined) lastErrorObject.upserted = result.upserted;
    const value = cmd.new === true ? result.after : result.upserted !== undefined ? undefined : result.before;
    return { lastErrorObject, value: project(value), ok: 1 };
  }

  // ---- collections, databases, indexes ----------------------------------------------------

  #create(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'create');
    const { _id: _ignored, create: _name, $db: _db, lsid: _lsid, writeConcern: _wc, ...options } = cmd;
    const { created } = this.#ensureCollection(db, name, options);
    if (!created) throw new CommandError(48, 'NamespaceExists', `Collection ${db}.${name} already exists.`);
    return { ok: 1 };
  }

  #drop(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'drop');
    const database = this.#databases.get(db);
    const coll = database?.collections.get(name);
    if (!database || !coll) return { ok: 1 }; // MongoDB 7.0 no longer fails on a missing collection
    database.collections.delete(name);
    if (database.collections.size === 0) this.#databases.delete(db);
    return { nIndexesWas: coll.indexes.length, ns: `${db}.${name}`, ok: 1 };
  }

  #listCollections(cmd: Document, db: string): Document {
    const nameOnly = cmd.nameOnly === true;
    const entries = [...(this.#databases.get(db)?.collections.values() ?? [])].map((coll) =>
      nameOnly
        ? { name: coll.name, type: 'collection' }
        : {
            name: coll.name,
            type: 'collection',
            options: coll.options,
            info: { readOnly: false, uuid: coll.uuid },
            idIndex: ID_INDEX,
          },
    );
    const filter = asDocument(cmd.filter, 'filter');
    const docs = filter ? runFind(entries, { filter }) : entries;
    const batchSize = asNumber(asDocument(cmd.cursor, 'cursor')?.batchSize, 'cursor.batchSize');
    return this.#cursorReply(`${db}.$cmd.listCollections`, docs, batchSize);
  }

  #listDatabases(cmd: Document): Document {
    let entries: Document[] = [...this.#databases.values()]
      .filter((database) => database.collections.size > 0)
      .map((database) => ({ name: database.name, sizeOnDisk: 0, empty: false }));
    const filter = asDocument(cmd.filter, 'filter');
    if (filter) entries = runFind(entries, { filter });
    if (cmd.nameOnly === true) return { databases: entries.map((e) => ({ name: e.name })), ok: 1 };
    return { databases: entries, totalSize: 0, totalSizeMb: 0, ok: 1 };
  }

  #listIndexes(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'listIndexes');
    const coll = this.#collection(db, name);
    if (!coll) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${db}.${name}`);
    const batchSize = asNumber(asDocument(cmd.cursor, 'cursor')?.batchSize, 'cursor.batchSize');
    return this.#cursorReply(`${db}.$cmd.listIndexes.${name}`, coll.indexes, batchSize);
  }

  /** Records the index specs (so listIndexes shows them) but builds nothing. */
  #createIndexes(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'createIndexes');
    const specs = Array.isArray(cmd.indexes) ? (cmd.indexes as Document[]) : [];
    const { coll, created } = this.#ensureCollection(db, name);
    const before = coll.indexes.length;
    for (const spec of specs) {
      if (!isDocument(spec) || !isDocument(spec.key) || typeof spec.name !== 'string') {
        throw new CommandError(9, 'FailedToParse', 'index specification must have a key document and a name');
      }
      if (!coll.indexes.some((index) => index.name === spec.name)) coll.indexes.push({ v: 2, ...spec });
    }
    return { createdCollectionAutomatically: created, numIndexesBefore: before, numIndexesAfter: coll.indexes.length, ok: 1 };
  }

  #dropIndexes(cmd: Document, db: string): Document {
    const name = collectionName(cmd, 'dropIndexes');
    const coll = this.#collection(db, name);
    if (!coll) throw new CommandError(26, 'NamespaceNotFound', `ns not found ${db}.${name}`);
    const before = coll.indexes.length;
    const which: unknown = cmd.index;
    if (which === '*') coll.indexes = [ID_INDEX];
    else {
      const rest = coll.indexes.filter((index) => index.name === '_id_' || (index.name !== which && !isEqual(index.key, which)));
      if (rest.length === before) throw new CommandError(27, 'IndexNotFound', `index not found with name [${String(which)}]`);
      coll.indexes = rest;
    }
    return { nIndexesWas: before, ok: 1 };
  }
}
