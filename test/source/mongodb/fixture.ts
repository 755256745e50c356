/**
 * The MongoDB connector's fixture: the contract data (../contract/data.ts) as documents,
 * stored the ways MongoDB applications store them, plus documents only MongoDB has, in a
 * database on a real server (MONGODB_URL) or on the mingo-backed wire test server.
 */
import { Decimal128, Long, MongoClient, ObjectId } from 'mongodb';
import type { SourceConfig } from '../../../src/config/mapping.js';
import { openMongoSource } from '../../../src/source/mongodb/mongo-source.js';
import type { DeclaredType, Source, TableSettings } from '../../../src/source/source.js';
import { startMongoWireServer } from '../../support/mongo-wire/server.js';
import { MONGODB_URL } from '../../support/servers.js';
import type { ContractHarness } from '../contract/cases.js';
import { ADDRESS_SPELLINGS, GENERATED_ADDRESSES, PLACE_ROWS, PLACES, RAW_ROWS, TABLE, VISIT_ROWS, VISITS } from '../contract/data.js';
import { testSourceConfig } from '../source-config.js';

export const DATABASE = 'civicgraph_test_mongodb';
/** Documents with nested documents, arrays and the BSON types SQL has no counterpart for. */
export const NESTED = 'sr_nested';
/** Titles that look like query operators. */
export const TRICKY = 'sr_tricky';

/** The URL with its database part replaced (URL can't parse a seed list such as `host1:27017,host2:27017`). */
export function withDatabase(url: string, database: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error('not a mongodb:// URL');
  return `${m[1]}/${database}${m[2] ?? ''}`;
}

/** Drops the NULL fields of a document: some documents leave a NULL out, others store null; both are NULL. */
function withoutNulls(document: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(document).filter(([, value]) => value !== null));
}

/** A naive or UTC date-time of the fixture as a BSON Date whose UTC fields hold it. */
const utc = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

/**
 * sr_case: `opened_at` (a naive date-time) is a BSON Date whose UTC fields hold the wall-clock
 * value, `opened_on` (a calendar date) a 'YYYY-MM-DD' string, `closed_at` (an instant) a BSON
 * Date. The third and sixth documents leave their NULLs out.
 */
export const CASE_DOCUMENTS = RAW_ROWS.map(([id, title, status, priority, cost, isOpen, openedOn, openedAt, closedAt, ward], i) => {
  const document = {
    id,
    title,
    status,
    priority,
    cost,
    is_open: isOpen,
    opened_on: openedOn,
    opened_at: typeof openedAt === 'string' ? utc(openedAt) : null,
    closed_at: typeof closedAt === 'string' ? utc(closedAt) : null,
    Ward: ward,
  };
  return i === 2 || i === 5 ? withoutNulls(document) : document;
});

/**
 * sr_visit: `visit_on` (a calendar date) is a BSON Date at UTC midnight, `visit_at` (a naive
 * date-time) the text the SQL fixture writes ('2024-02-29 23:59:59.999'), `logged_at` (an
 * instant) a BSON Date. The third and sixth documents leave their NULLs out.
 */
export const VISIT_DOCUMENTS = VISIT_ROWS.map(([id, caseId, address, houseNo, amount, visitOn, visitAt, loggedAt, rank], i) => {
  const document = {
    id,
    case_id: caseId,
    address,
    house_no: houseNo,
    amount,
    visit_on: typeof visitOn === 'string' ? utc(`${visitOn} 00:00:00`) : null,
    visit_at: visitAt,
    logged_at: typeof loggedAt === 'string' ? utc(loggedAt) : null,
    rank,
  };
  return i === 2 || i === 5 ? withoutNulls(document) : document;
});

/**
 * sr_place: `seen_on` (a calendar date) is a 'YYYY-MM-DD' string, `seen_at` (a naive date-time)
 * a BSON Date whose UTC fields hold it, `logged_at` (an instant) a BSON Date, and the
 * coordinates doubles. The NULLs of the last documents are left out.
 */
export const PLACE_DOCUMENTS = PLACE_ROWS.map(([id, address, lat, lon, seenOn, seenAt, loggedAt]) =>
  withoutNulls({
    id,
    address,
    lat,
    lon,
    seen_on: seenOn,
    seen_at: typeof seenAt === 'string' ? utc(seenAt) : null,
    logged_at: typeof loggedAt === 'string' ? utc(loggedAt) : null,
  }),
);

export const NESTED_IDS = ['65f0a1b2c3d4e5f601234567', '65f0a1b2c3d4e5f601234568', '65f0a1b2c3d4e5f601234569'] as const;

export const NESTED_DOCUMENTS = [
  {
    _id: new ObjectId(NESTED_IDS[0]),
    ref: 'A',
    address: { street: 'Main St', number: 12 },
    inspections: [{ result: 'PASS', at: new Date('2024-03-01T10:00:00Z') }, { result: 'FAIL' }],
    fee: Decimal128.fromString('12.50'),
    visits: Long.fromNumber(5),
    big: Long.fromString('9007199254740993'),
    owner: new ObjectId(NESTED_IDS[1]),
  },
  {
    _id: new ObjectId(NESTED_IDS[1]),
    ref: 'B',
    address: { street: '1163 West 24th Street' },
    inspections: [{ result: 'FAIL' }],
    fee: Decimal128.fromString('0.10'),
    visits: Long.fromNumber(0),
    owner: null,
  },
  { _id: new ObjectId(NESTED_IDS[2]), ref: 'C', inspections: [], fee: null },
];

export const TRICKY_DOCUMENTS = ['$gt', '{"$gt": ""}', '$where', '$$ROOT', '$', 'plain', '$title', '.*', '^'].map((title, i) => ({
  id: i + 1,
  title,
  code: title,
}));

/** Spellings normalizeAddress must give the same answer for in the pipeline: the shared ones, plus `$` and regex characters (at i = 13 and 14). */
export const ADDRESS_INPUTS = [...ADDRESS_SPELLINGS, '$where Street', '(1) [2] *3* Road'];
export const ADDRESSES = 'sr_address';
export const ADDRESS_DOCUMENTS = ADDRESS_INPUTS.map((text, i) => ({ i, text }));
/** The generated addresses whose hundred blocks the pipeline must compute as hundredBlock does. */
export const GENERATED = 'sr_generated_address';
export const GENERATED_DOCUMENTS = GENERATED_ADDRESSES.map((text, i) => ({ i, text }));

/** The mapping's declarations: MongoDB has no calendar dates or naive date-times. */
export const TABLES: ReadonlyMap<string, TableSettings> = new Map(
  (
    [
      [TABLE, [['opened_on', 'date'], ['opened_at', 'timestamp']]],
      [VISITS, [['visit_on', 'date'], ['visit_at', 'timestamp']]],
      [PLACES, [['seen_on', 'date'], ['seen_at', 'timestamp']]],
    ] as Array<[string, Array<[string, DeclaredType]>]>
  ).map(([table, columns]) => [table, { columns: new Map(columns), filterParams: [] }]),
);

export function mongoConfig(url: string, queryTimeoutMs = 20_000): SourceConfig {
  return testSourceConfig('mongodb', url, 'test/source/mongodb/fixture.ts', { queryTimeoutMs });
}

export interface MongoHarness extends ContractHarness {
  /** The fixture database's URL. */
  url: string;
  /** The server's URL without a database. */
  serverUrl: string;
  /** Opens another source (closed by the caller), on the fixture database unless another URL is given. */
  open(name: string, options?: { url?: string; queryTimeoutMs?: number }): Source;
}

export async function mongoHarness(): Promise<MongoHarness> {
  const wire = MONGODB_URL === undefined ? await startMongoWireServer() : undefined;
  const serverUrl = MONGODB_URL ?? wire!.url;
  const url = withDatabase(serverUrl, DATABASE);
  const admin = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = admin.db();
    await db.dropDatabase();
    await db.collection(TABLE).insertMany(CASE_DOCUMENTS);
    await db.collection(VISITS).insertMany(VISIT_DOCUMENTS);
    await db.collection(PLACES).insertMany(PLACE_DOCUMENTS);
    await db.collection(NESTED).insertMany(NESTED_DOCUMENTS);
    await db.collection(TRICKY).insertMany(TRICKY_DOCUMENTS);
    await db.collection(ADDRESSES).insertMany(ADDRESS_DOCUMENTS);
    await db.collection(GENERATED).insertMany(GENERATED_DOCUMENTS);
  } catch (error) {
    await wire?.close();
    throw error;
  } finally {
    await admin.close();
  }
  const open: MongoHarness['open'] = (name, options = {}) => openMongoSource(name, mongoConfig(options.url ?? url, options.queryTimeoutMs), TABLES);
  const source = open('mongo-fixture');
  return {
    url,
    serverUrl,
    source,
    open,
    rowEstimates: 'statistics',
    teardown: async () => {
      await source.close();
      await wire?.close();
    },
  };
}
