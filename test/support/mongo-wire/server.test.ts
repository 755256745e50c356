import net from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Decimal128, MongoBulkWriteError, MongoClient, MongoServerError, ObjectId, type Db, type Document } from 'mongodb';
import { deserialize, serialize } from 'bson';
import { startMongoWireServer, type MongoWireServer } from './server.js';

let server: MongoWireServer;
let client: MongoClient;
let db: Db;
const commands: string[] = [];

/** Test documents have _ids of every type, not the driver's default ObjectId. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDoc = { _id?: number | string | ObjectId; [key: string]: any };
const col = (name: string) => db.collection<AnyDoc>(name);

const people = [
  { _id: 1, name: 'Ada Lovelace', dept: 'eng', salary: 120, tags: ['math', 'poetry'], city: null },
  { _id: 2, name: 'alan turing', dept: 'eng', salary: 110, tags: ['math'], city: 'London' },
  { _id: 3, name: 'Grace Hopper', dept: 'navy', salary: 100, tags: [], city: 'New York' },
  { _id: 4, name: 'Edsger Dijkstra', dept: 'eng', salary: 90, city: 'Nuenen' },
  { _id: 5, name: '  Barbara Liskov  ', dept: 'research', salary: 130, tags: ['lang'] },
];

const events = [
  { _id: 'e1', at: new Date('2024-03-14T15:09:26.535Z') }, // a Thursday
  { _id: 'e2', at: new Date('2024-03-17T23:59:59.000Z') }, // a Sunday
  { _id: 'e3', at: new Date('2024-03-18T00:00:00.000Z') }, // a Monday
  { _id: 'e4', at: new Date('2023-12-31T12:00:00.000Z') }, // a Sunday
  { _id: 'e5', at: null },
];

beforeAll(async () => {
  server = await startMongoWireServer();
  client = new MongoClient(`${server.url}/wiretest`, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
  client.on('commandStarted', (event) => commands.push(event.commandName));
  await client.connect();
  db = client.db();
  await col('people').insertMany(people.map((p) => ({ ...p })));
  await col('events').insertMany(events.map((e) => ({ ...e })));
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

/** Runs a pipeline on `people` and returns the documents sorted by _id. */
async function project(stage: Document, collection = 'people'): Promise<AnyDoc[]> {
  return col(collection).aggregate([{ $project: stage }, { $sort: { _id: 1 } }]).toArray();
}

describe('connection and server commands', () => {
  it('connects, answers ping, hello and buildInfo', async () => {
    expect(server.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+$/);
    expect(await db.command({ ping: 1 })).toEqual({ ok: 1 });
    const hello = await db.admin().command({ hello: 1 });
    expect(hello).toMatchObject({ isWritablePrimary: true, maxWireVersion: 21, ok: 1 });
    expect(hello.setName).toBeUndefined();
    const info = await db.admin().command({ buildInfo: 1 });
    expect(info.versionArray).toEqual([7, 0, 0, 0]);
    expect(await db.admin().command({ getParameter: 1, featureCompatibilityVersion: 1 })).toMatchObject({
      featureCompatibilityVersion: { version: '7.0' },
    });
  });

  it('answers an unknown command with CommandNotFound', async () => {
    const error = await db.command({ frobnicate: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  });

  it('lists databases and collections, with nameOnly and a filter on name', async () => {
    const { databases } = await db.admin().listDatabases();
    expect(databases.map((d) => d.name)).toContain('wiretest');
    const all = await db.listCollections({}, { nameOnly: true }).toArray();
    expect(all.map((c) => c.name).sort()).toEqual(expect.arrayContaining(['events', 'people']));
    const filtered = await db.listCollections({ name: 'people' }).toArray();
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toMatchObject({ name: 'people', type: 'collection', idIndex: { key: { _id: 1 } } });
    const regex = await db.listCollections({ name: { $regex: '^ev' } }, { nameOnly: true }).toArray();
    expect(regex).toEqual([{ name: 'events', type: 'collection' }]);
  });

  it('creates (records) and lists indexes', async () => {
    const coll = col('indexed');
    expect(await coll.createIndex({ code: 1 }, { unique: true })).toBe('code_1');
    const indexes = await coll.listIndexes().toArray();
    expect(indexes.map((i) => i.name)).toEqual(['_id_', 'code_1']);
    const missing = await col('no_such').listIndexes().toArray().catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 26, codeName: 'NamespaceNotFound' });
  });

  it('creates and drops collections and databases', async () => {
    await db.createCollection('temp');
    const again = await db.createCollection('temp').catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    await col('temp').insertOne({ x: 1 });
    expect(await col('temp').drop()).toBe(true);
    expect((await db.listCollections({ name: 'temp' }).toArray()).length).toBe(0);
    const other = client.db('wiretest_other');
    await other.collection('c').insertOne({ x: 1 });
    expect(await other.dropDatabase()).toBe(true);
    const { databases } = await db.admin().listDatabases({ nameOnly: true });
    expect(databases.map((d) => d.name)).not.toContain('wiretest_other');
  });
});

describe('find', () => {
  it('filters, sorts, skips, limits and projects', async () => {
    const docs = await db
      .collection('people')
      .find({ dept: 'eng' }, { projection: { name: 1, _id: 0 }, sort: { salary: -1 }, skip: 1, limit: 1 })
      .toArray();
    expect(docs).toEqual([{ name: 'alan turing' }]);
    const exclusion = await col('people').findOne({ _id: 3 }, { projection: { tags: 0, city: 0 } });
    expect(exclusion).toEqual({ _id: 3, name: 'Grace Hopper', dept: 'navy', salary: 100 });
    const natural = await col('people').find({}, { sort: { $natural: -1 }, projection: { _id: 1 } }).toArray();
    expect(natural.map((d) => d._id)).toEqual([5, 4, 3, 2, 1]);
  });

  it('stores _id first and generates an ObjectId when it is missing', async () => {
    const coll = col('generated');
    await coll.insertOne({ a: 1 });
    await db.command({ insert: 'generated', documents: [{ b: 2 }] }); // the server generates this _id
    const docs = await coll.find().toArray();
    expect(docs).toHaveLength(2);
    for (const doc of docs) {
      expect(doc._id).toBeInstanceOf(ObjectId);
      expect(Object.keys(doc)[0]).toBe('_id');
    }
  });

  it('returns an empty cursor for a collection that does not exist', async () => {
    expect(await col('does_not_exist').find({}).toArray()).toEqual([]);
    expect(await col('does_not_exist').aggregate([{ $match: {} }]).toArray()).toEqual([]);
    expect(await col('does_not_exist').countDocuments()).toBe(0);
  });

  it('matches with comparison, logical, element, regex and $expr operators', async () => {
    const ids = async (filter: Document) =>
      (await col('people').find(filter, { sort: { _id: 1 } }).toArray()).map((d) => d._id as number);
    expect(await ids({ salary: { $gte: 110 } })).toEqual([1, 2, 5]);
    expect(await ids({ salary: { $gt: 90, $lt: 120 } })).toEqual([2, 3]);
    expect(await ids({ salary: { $lte: 100 } })).toEqual([3, 4]);
    expect(await ids({ dept: { $eq: 'navy' } })).toEqual([3]);
    expect(await ids({ dept: { $ne: 'eng' } })).toEqual([3, 5]);
    expect(await ids({ dept: { $in: ['navy', 'research'] } })).toEqual([3, 5]);
    expect(await ids({ dept: { $nin: ['navy', 'research'] } })).toEqual([1, 2, 4]);
    expect(await ids({ $and: [{ dept: 'eng' }, { salary: { $gt: 100 } }] })).toEqual([1, 2]);
    expect(await ids({ $or: [{ dept: 'navy' }, { salary: 90 }] })).toEqual([3, 4]);
    expect(await ids({ $nor: [{ dept: 'eng' }, { salary: 100 }] })).toEqual([5]);
    expect(await ids({ name: { $regex: '^a', $options: 'i' } })).toEqual([1, 2]);
    expect(await ids({ name: /hopper/i })).toEqual([3]);
    expect(await ids({ tags: { $exists: false } })).toEqual([4]);
    expect(await ids({ city: { $exists: true } })).toEqual([1, 2, 3, 4]);
    expect(await ids({ city: null })).toEqual([1, 5]); // null matches null and missing
    expect(await ids({ tags: 'math' })).toEqual([1, 2]); // array element match
    expect(await ids({ $expr: { $gt: ['$salary', { $multiply: ['$_id', 30] }] } })).toEqual([1, 2, 3]);
  });

  it('keeps type bracketing and matches $regex only on strings', async () => {
    const coll = col('mixed');
    await coll.insertMany([{ _id: 1, v: 5 }, { _id: 2, v: '6' }, { _id: 3, v: null }, { _id: 4 }, { _id: 5, v: 123 }, { _id: 6, v: 'x123' }]);
    const ids = async (filter: Document) => (await coll.find(filter, { sort: { _id: 1 } }).toArray()).map((d) => d._id as number);
    expect(await ids({ v: { $gt: 1 } })).toEqual([1, 5]);
    expect(await ids({ v: { $lt: 'z' } })).toEqual([2, 6]);
    expect(await ids({ v: { $regex: '12' } })).toEqual([6]);
  });

  it('compares ObjectIds by value in filters', async () => {
    const coll = col('oids');
    const [a, b, c] = [new ObjectId(), new ObjectId(), new ObjectId()];
    await coll.insertMany([{ _id: a, n: 1, ref: b }, { _id: b, n: 2, ref: a }, { _id: c, n: 3, ref: a }]);
    const copy = (id: ObjectId) => new ObjectId(id.toHexString());
    expect((await coll.findOne({ _id: copy(b) }))?.n).toBe(2);
    const inDocs = await coll.find({ _id: { $in: [copy(a), copy(c)] } }, { sort: { n: 1 } }).toArray();
    expect(inDocs.map((d) => d.n)).toEqual([1, 3]);
    expect((await coll.find({ _id: { $nin: [copy(a)] } }).toArray()).length).toBe(2);
    expect((await coll.find({ _id: { $ne: copy(a) } }).toArray()).length).toBe(2);
    expect(await coll.countDocuments({ ref: copy(a) })).toBe(2);
    const grouped = await coll.aggregate([{ $group: { _id: '$ref', n: { $sum: 1 } } }, { $sort: { n: -1 } }]).toArray();
    expect(grouped).toHaveLength(2);
    expect(grouped[0]).toEqual({ _id: a, n: 2 });
    const joined = await coll
      .aggregate([{ $match: { n: 1 } }, { $lookup: { from: 'oids', localField: 'ref', foreignField: '_id', as: 'target' } }])
      .toArray();
    expect(joined[0]?.target.map((t: Document) => t.n)).toEqual([2]);
    const hex = await coll.aggregate([{ $match: { _id: copy(a) } }, { $project: { _id: 0, hex: { $toString: '$_id' }, t: { $type: '$_id' } } }]).toArray();
    expect(hex).toEqual([{ hex: a.toHexString(), t: 'objectId' }]);
  });

  it('compares dates', async () => {
    const coll = col('events');
    const ids = async (filter: Document) => (await coll.find(filter, { sort: { at: 1 } }).toArray()).map((d) => d._id as string);
    expect(await ids({ at: { $gte: new Date('2024-03-17T00:00:00Z') } })).toEqual(['e2', 'e3']);
    expect(await ids({ at: { $lt: new Date('2024-01-01T00:00:00Z') } })).toEqual(['e4']);
    expect(await ids({ at: { $gt: new Date('2024-03-14T00:00:00Z'), $lte: new Date('2024-03-17T23:59:59Z') } })).toEqual(['e1', 'e2']);
    expect(await ids({ at: new Date('2024-03-18T00:00:00.000Z') })).toEqual(['e3']);
    expect(await ids({ $expr: { $lt: ['$at', new Date('2024-03-15T00:00:00Z')] } })).toEqual(['e5', 'e4', 'e1']);
    const latest = await coll.find({}, { sort: { at: -1 }, limit: 1 }).toArray();
    expect(latest[0]?.at).toEqual(new Date('2024-03-18T00:00:00.000Z'));
  });

  it('sorts null and missing values lowest, on several keys', async () => {
    const asc = await col('people').find({}, { sort: { city: 1, _id: 1 } }).toArray();
    expect(asc.map((d) => d._id)).toEqual([1, 5, 2, 3, 4]);
    const desc = await col('people').find({}, { sort: { city: -1, _id: 1 } }).toArray();
    expect(desc.map((d) => d._id)).toEqual([4, 3, 2, 1, 5]);
    const multi = await col('people').find({}, { sort: { dept: 1, salary: -1 } }).toArray();
    expect(multi.map((d) => d._id)).toEqual([1, 2, 4, 3, 5]);
  });

  it('streams a 70,000-document result in cursor batches', async () => {
    const coll = col('big');
    await coll.insertMany(Array.from({ length: 70_000 }, (_, i) => ({ _id: i, n: i, even: i % 2 === 0 })));
    expect(await coll.estimatedDocumentCount()).toBe(70_000);

    commands.length = 0;
    const all = await coll.find({}).toArray();
    expect(all).toHaveLength(70_000);
    expect(all[69_999]).toEqual({ _id: 69_999, n: 69_999, even: false });
    expect(commands.filter((c) => c === 'getMore').length).toBeGreaterThanOrEqual(1); // after a first batch of 101

    commands.length = 0;
    const evens = await coll.find({ even: true }, { batchSize: 10_000, sort: { n: -1 }, projection: { even: 0 } }).toArray();
    expect(evens).toHaveLength(35_000);
    expect(evens[0]).toEqual({ _id: 69_998, n: 69_998 });
    expect(evens[34_999]).toEqual({ _id: 0, n: 0 });
    expect(commands.filter((c) => c === 'getMore').length).toBe(3); // 10,000 + 3 getMores (10,000, 10,000, 5,000)

    const aggregated = await coll.aggregate([{ $match: { n: { $gte: 1000 } } }, { $project: { n: 1 } }], { batchSize: 5000 }).toArray();
    expect(aggregated).toHaveLength(69_000);
    expect(aggregated.reduce((sum, d) => sum + (d.n as number), 0)).toBe(((1000 + 69_999) * 69_000) / 2);

    const limited = await coll.find({}, { limit: 250, batchSize: 100 }).toArray();
    expect(limited.map((d) => d._id)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const early = coll.find({}, { batchSize: 10 });
    expect((await early.next())?._id).toBe(0);
    await early.close(); // killCursors
    expect(commands).toContain('killCursors');
  });

  it('caps a batch at about 16MB', async () => {
    const coll = col('large_docs');
    const blob = 'y'.repeat(1024 * 1024);
    await coll.insertMany(Array.from({ length: 18 }, (_, i) => ({ _id: i, blob })));
    commands.length = 0;
    const full = await coll.find({}).toArray();
    expect(full.map((d) => d._id)).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(full.every((d) => d.blob === blob)).toBe(true);
    expect(commands.filter((c) => c === 'getMore').length).toBe(1); // 15 documents (< 16MB), then 3
  });

  it('counts documents and lists distinct values', async () => {
    const coll = col('people');
    expect(await coll.countDocuments()).toBe(5);
    expect(await coll.countDocuments({ dept: 'eng' })).toBe(3);
    expect(await coll.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await coll.distinct('dept')).toEqual(['eng', 'navy', 'research']);
    expect(await coll.distinct('tags', { dept: 'eng' })).toEqual(['math', 'poetry']);
  });
});

describe('writes', () => {
  it('updates with $set, replacement, upsert and deletes', async () => {
    const coll = col('writes');
    await coll.insertMany([{ _id: 1, a: 1, b: 'x' }, { _id: 2, a: 2, b: 'y' }, { _id: 3, a: 3, b: 'y' }]);
    const one = await coll.updateOne({ _id: 1 }, { $set: { a: 10, 'nested.c': true } });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, a: 10, b: 'x', nested: { c: true } });
    const many = await coll.updateMany({ b: 'y' }, { $inc: { a: 100 } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const same = await coll.updateOne({ _id: 2 }, { $set: { b: 'y' } });
    expect(same).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    await coll.replaceOne({ _id: 3 }, { replaced: true });
    expect(await coll.findOne({ _id: 3 })).toEqual({ _id: 3, replaced: true });
    const upsert = await coll.updateOne({ _id: 4, kind: 'new' }, { $set: { a: 4 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(upsert).toMatchObject({ upsertedCount: 1, upsertedId: 4 });
    expect(await coll.findOne({ _id: 4 })).toEqual({ _id: 4, kind: 'new', a: 4, created: true });
    const updated = await coll.findOneAndUpdate({ _id: 2 }, { $set: { b: 'z' } }, { returnDocument: 'after' });
    expect(updated).toEqual({ _id: 2, a: 102, b: 'z' });
    const immutable = await coll.updateOne({ _id: 2 }, { $set: { _id: 99 } }).catch((e: unknown) => e);
    expect(immutable).toMatchObject({ code: 66 });
    expect((await coll.deleteOne({ b: 'z' })).deletedCount).toBe(1);
    expect((await coll.deleteMany({ _id: { $gte: 3 } })).deletedCount).toBe(2);
    expect(await coll.find().toArray()).toEqual([{ _id: 1, a: 10, b: 'x', nested: { c: true } }]);
  });

  it('rejects a duplicate _id with a bulk write error', async () => {
    const coll = col('dups');
    await coll.insertOne({ _id: 'k', v: 1 });
    const error = await coll.insertMany([{ _id: 'j' }, { _id: 'k' }, { _id: 'l' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect((error as MongoBulkWriteError).code).toBe(11000);
    expect(await coll.countDocuments()).toBe(2); // ordered: stops at the duplicate
  });

  it('round-trips BSON types', async () => {
    const coll = col('types');
    const doc = { _id: new ObjectId(), d: new Date('2020-01-02T03:04:05.678Z'), dec: Decimal128.fromString('12.345'), big: 2 ** 40, f: 1.5, s: 'é😀', arr: [1, 'a', null], o: { p: [{ q: 1 }] } };
    await coll.insertOne(doc);
    const back = await coll.findOne({ _id: doc._id });
    expect(back).toEqual(doc);
    expect(back?.dec).toBeInstanceOf(Decimal128);
  });
});

describe('aggregation', () => {
  it('runs $match, $addFields/$set, $project, $sort, $skip, $limit', async () => {
    const docs = await db
      .collection('people')
      .aggregate([
        { $match: { salary: { $gte: 100 } } },
        { $addFields: { bonus: { $multiply: ['$salary', 0.1] } } },
        { $set: { total: { $add: ['$salary', '$bonus'] } } },
        { $project: { _id: 0, name: 1, total: 1 } },
        { $sort: { total: -1 } },
        { $skip: 1 },
        { $limit: 2 },
      ])
      .toArray();
    expect(docs).toEqual([
      { name: 'Ada Lovelace', total: 132 },
      { name: 'alan turing', total: 121 },
    ]);
  });

  it('groups with $sum, $min, $max, $push, $first, $avg and counts with $count', async () => {
    const groups = await db
      .collection('people')
      .aggregate([
        { $sort: { salary: -1 } },
        {
          $group: {
            _id: '$dept',
            n: { $sum: 1 },
            total: { $sum: '$salary' },
            min: { $min: '$salary' },
            max: { $max: '$salary' },
            names: { $push: '$name' },
            top: { $first: '$name' },
            avg: { $avg: '$salary' },
          },
        },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(groups).toEqual([
      { _id: 'eng', n: 3, total: 320, min: 90, max: 120, names: ['Ada Lovelace', 'alan turing', 'Edsger Dijkstra'], top: 'Ada Lovelace', avg: 320 / 3 },
      { _id: 'navy', n: 1, total: 100, min: 100, max: 100, names: ['Grace Hopper'], top: 'Grace Hopper', avg: 100 },
      { _id: 'research', n: 1, total: 130, min: 130, max: 130, names: ['  Barbara Liskov  '], top: '  Barbara Liskov  ', avg: 130 },
    ]);
    const all = await col('people').aggregate([{ $group: { _id: null, s: { $sum: '$salary' } } }]).toArray();
    expect(all).toEqual([{ _id: null, s: 550 }]);
    expect(await col('people').aggregate([{ $match: { dept: 'eng' } }, { $count: 'n' }]).toArray()).toEqual([{ n: 3 }]);
  });

  it('runs $facet', async () => {
    const [facets] = await db
      .collection('people')
      .aggregate([{ $facet: { total: [{ $count: 'n' }], navy: [{ $match: { dept: 'navy' } }, { $project: { _id: 1 } }] } }])
      .toArray();
    expect(facets).toEqual({ total: [{ n: 5 }], navy: [{ _id: 3 }] });
  });

  it('evaluates string operators', async () => {
    const docs = await project({
      upper: { $toUpper: '$name' },
      lower: { $toLower: '$dept' },
      label: { $concat: ['$dept', ':', { $toString: '$_id' }] },
      dashed: { $replaceAll: { input: '$name', find: ' ', replacement: '-' } },
      trimmed: { $trim: { input: '$name' } },
      trimmedChars: { $trim: { input: '$name', chars: ' Ada' } },
      ltrim: { $ltrim: { input: '$name' } },
      rtrim: { $rtrim: { input: '$name' } },
      first3: { $substrCP: ['$name', 0, 3] },
      len: { $strLenCP: '$name' },
      space: { $indexOfCP: ['$name', ' '] },
      startsA: { $regexMatch: { input: '$name', regex: '^a', options: 'i' } },
    });
    expect(docs[0]).toEqual({
      _id: 1, upper: 'ADA LOVELACE', lower: 'eng', label: 'eng:1', dashed: 'Ada-Lovelace', trimmed: 'Ada Lovelace',
      trimmedChars: 'Lovelace', ltrim: 'Ada Lovelace', rtrim: 'Ada Lovelace', first3: 'Ada', len: 12, space: 3, startsA: true,
    });
    expect(docs[4]).toMatchObject({ trimmed: 'Barbara Liskov', ltrim: 'Barbara Liskov  ', rtrim: '  Barbara Liskov', len: 18, space: 0, startsA: false });
    expect(docs[1]).toMatchObject({ startsA: true, upper: 'ALAN TURING' });
    const unicode = await col('people').aggregate([
      { $limit: 1 },
      { $project: { _id: 0, len: { $strLenCP: 'héllo😀' }, sub: { $substrCP: ['héllo😀', 1, 3] }, idx: { $indexOfCP: ['h😀llo', 'l'] }, nullUpper: { $toUpper: '$nope' } } },
    ]).toArray();
    expect(unicode).toEqual([{ len: 6, sub: 'éll', idx: 2, nullUpper: '' }]);
  });

  it('evaluates conditional, comparison, boolean and misc operators', async () => {
    const docs = await project({
      city: { $ifNull: ['$city', 'unknown'] },
      band: { $cond: [{ $gte: ['$salary', 110] }, 'high', 'low'] },
      level: {
        $switch: {
          branches: [
            { case: { $gte: ['$salary', 120] }, then: 'senior' },
            { case: { $gte: ['$salary', 100] }, then: 'mid' },
          ],
          default: 'junior',
        },
      },
      cmp: [{ $eq: ['$dept', 'eng'] }, { $ne: ['$dept', 'eng'] }, { $lt: ['$salary', 100] }, { $gt: ['$salary', 100] }, { $lte: ['$salary', 100] }, { $gte: ['$salary', 100] }],
      logic: [{ $and: [{ $eq: ['$dept', 'eng'] }, { $gt: ['$salary', 100] }] }, { $or: [{ $eq: ['$dept', 'navy'] }, false] }, { $not: [{ $eq: ['$dept', 'eng'] }] }],
      inDept: { $in: ['$dept', ['navy', 'research']] },
      lit: { $literal: '$salary' },
      firstTag: { $arrayElemAt: ['$tags', 0] },
      lastTag: { $arrayElemAt: ['$tags', -1] },
      doubled: { $let: { vars: { s: '$salary' }, in: { $multiply: ['$$s', 2] } } },
      field: { $getField: 'dept' },
      types: [{ $type: '$salary' }, { $type: '$city' }, { $type: '$tags' }, { $type: '$name' }],
      isNum: [{ $isNumber: '$salary' }, { $isNumber: '$name' }],
    });
    expect(docs[0]).toEqual({
      _id: 1, city: 'unknown', band: 'high', level: 'senior', cmp: [true, false, false, true, false, true],
      logic: [true, false, false], inDept: false, lit: '$salary', firstTag: 'math', lastTag: 'poetry', doubled: 240,
      field: 'eng', types: ['int', 'null', 'array', 'string'], isNum: [true, false],
    });
    expect(docs[2]).toMatchObject({ city: 'New York', band: 'low', level: 'mid', logic: [false, true, true], inDept: true });
    expect(docs[2]).not.toHaveProperty('firstTag'); // out of range: the field is missing
    expect(docs[3]).toMatchObject({ level: 'junior', types: ['int', 'string', 'missing', 'string'] });
    expect(docs[4]).toMatchObject({ city: 'unknown', types: ['int', 'missing', 'array', 'string'] });
  });

  it('compares whole values in BSON order in expressions (no query-style type bracketing)', async () => {
    const docs = await project({
      hasCity: { $gt: ['$city', null] },
      cityIsNull: { $eq: ['$city', null] },
      nullBelowNumbers: { $lt: [null, 0] },
      stringAboveNumbers: { $gt: ['a', 5] },
      arrayIsNotElement: { $eq: ['$tags', 'math'] },
      cmp: { $cmp: ['$salary', 110] },
    });
    // _id 1: city null; _id 5: city missing (missing < null in expressions)
    expect(docs.map((d) => d.hasCity)).toEqual([false, true, true, true, false]);
    expect(docs.map((d) => d.cityIsNull)).toEqual([true, false, false, false, false]);
    expect(docs.map((d) => d.cmp)).toEqual([1, 0, -1, -1, 1]);
    expect(docs.every((d) => d.nullBelowNumbers && d.stringAboveNumbers && !d.arrayIsNotElement)).toBe(true);
    const notNull = await col('people').find({ $expr: { $gt: ['$city', null] } }, { sort: { _id: 1 } }).toArray();
    expect(notNull.map((d) => d._id)).toEqual([2, 3, 4]);
  });

  it('evaluates date operators', async () => {
    const docs = await project(
      {
        day: { $dateToString: { date: '$at', format: '%Y-%m-%d', timezone: 'UTC' } },
        full: { $dateToString: { date: '$at', format: '%Y-%m-%dT%H:%M:%S.%LZ', timezone: 'UTC' } },
        berlin: { $dateToString: { date: '$at', format: '%H:%M', timezone: 'Europe/Berlin' } },
        truncDay: { $dateTrunc: { date: '$at', unit: 'day', timezone: 'UTC' } },
        truncWeek: { $dateTrunc: { date: '$at', unit: 'week', startOfWeek: 'monday', timezone: 'UTC' } },
        truncMonth: { $dateTrunc: { date: '$at', unit: 'month', timezone: 'UTC' } },
        truncYear: { $dateTrunc: { date: '$at', unit: 'year', timezone: 'UTC' } },
        isoDay: { $isoDayOfWeek: '$at' },
        isoDayUtc: { $isoDayOfWeek: { date: '$at', timezone: 'UTC' } },
        sinceE1: { $subtract: ['$at', new Date('2024-03-14T15:09:26.535Z')] },
        minusSecond: { $subtract: ['$at', 1000] },
      },
      'events',
    );
    const byId = Object.fromEntries(docs.map((d) => [d._id as string, d]));
    expect(byId.e1).toEqual({
      _id: 'e1', day: '2024-03-14', full: '2024-03-14T15:09:26.535Z', berlin: '16:09',
      truncDay: new Date('2024-03-14T00:00:00Z'), truncWeek: new Date('2024-03-11T00:00:00Z'), truncMonth: new Date('2024-03-01T00:00:00Z'),
      truncYear: new Date('2024-01-01T00:00:00Z'), isoDay: 4, isoDayUtc: 4, sinceE1: 0, minusSecond: new Date('2024-03-14T15:09:25.535Z'),
    });
    expect(byId.e2).toMatchObject({ truncWeek: new Date('2024-03-11T00:00:00Z'), isoDay: 7 });
    expect(byId.e3).toMatchObject({ truncWeek: new Date('2024-03-18T00:00:00Z'), isoDay: 1, sinceE1: Date.parse('2024-03-18T00:00:00Z') - Date.parse('2024-03-14T15:09:26.535Z') });
    expect(byId.e4).toMatchObject({ truncWeek: new Date('2023-12-25T00:00:00Z'), truncMonth: new Date('2023-12-01T00:00:00Z'), truncYear: new Date('2023-01-01T00:00:00Z'), isoDay: 7 });
    expect(byId.e5).toEqual({ _id: 'e5', day: null, full: null, berlin: null, truncDay: null, truncWeek: null, truncMonth: null, truncYear: null, isoDay: null, isoDayUtc: null, sinceE1: null, minusSecond: null });

    const parsed = await col('events').aggregate([
      { $limit: 1 },
      { $project: { _id: 0, iso: { $dateFromString: { dateString: '2024-02-29T10:00:00Z' } }, fmt: { $dateFromString: { dateString: '29/02/2024', format: '%d/%m/%Y', timezone: 'UTC' } } } },
    ]).toArray();
    expect(parsed).toEqual([{ iso: new Date('2024-02-29T10:00:00Z'), fmt: new Date('2024-02-29T00:00:00Z') }]);
  });

  it('groups by a truncated date', async () => {
    const weeks = await col('events').aggregate([
      { $match: { at: { $ne: null } } },
      { $group: { _id: { $dateTrunc: { date: '$at', unit: 'week', startOfWeek: 'monday' } }, n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]).toArray();
    expect(weeks).toEqual([
      { _id: new Date('2023-12-25T00:00:00Z'), n: 1 },
      { _id: new Date('2024-03-11T00:00:00Z'), n: 2 },
      { _id: new Date('2024-03-18T00:00:00Z'), n: 1 },
    ]);
  });

  it('rejects an unknown stage, an unknown expression and an unknown query operator', async () => {
    const people = col('people');
    const stage = await people.aggregate([{ $frobnicate: {} }]).toArray().catch((e: unknown) => e);
    expect(stage).toBeInstanceOf(MongoServerError);
    expect(stage).toMatchObject({ code: 40324 });
    const expr = await people.aggregate([{ $project: { x: { $frobnicate: 1 } } }]).toArray().catch((e: unknown) => e);
    expect(expr).toBeInstanceOf(MongoServerError);
    expect(expr).toMatchObject({ code: 168, codeName: 'InvalidPipelineOperator' });
    const query = await people.find({ a: { $frobnicate: 1 } }).toArray().catch((e: unknown) => e);
    expect(query).toBeInstanceOf(MongoServerError);
    expect(query).toMatchObject({ code: 2, codeName: 'BadValue' });
    const evaluation = await people.aggregate([{ $project: { x: { $concat: ['$name', '$salary'] } } }]).toArray().catch((e: unknown) => e);
    expect(evaluation).toMatchObject({ code: 2, codeName: 'BadValue' });
    const out = await people.aggregate([{ $out: 'copy' }]).toArray().catch((e: unknown) => e);
    expect(out).toBeInstanceOf(MongoServerError);
  });
});

describe('wire protocol framing', () => {
  let requestId = 1000;
  const header = (length: number, opCode: number) => {
    const h = Buffer.alloc(16);
    h.writeInt32LE(length, 0);
    h.writeInt32LE(requestId++, 4);
    h.writeInt32LE(0, 8);
    h.writeInt32LE(opCode, 12);
    return h;
  };
  const opMsg = (doc: Document, flags = 0, sequence?: [string, Document[]]) => {
    const parts: Buffer[] = [];
    const flagBuf = Buffer.alloc(4);
    flagBuf.writeUInt32LE(flags, 0);
    parts.push(flagBuf, Buffer.from([0]), Buffer.from(serialize(doc)));
    if (sequence) {
      const docs = Buffer.concat(sequence[1].map((d) => Buffer.from(serialize(d))));
      const id = Buffer.from(`${sequence[0]}\0`);
      const size = Buffer.alloc(4);
      size.writeInt32LE(4 + id.length + docs.length, 0);
      parts.push(Buffer.from([1]), size, id, docs);
    }
    if (flags & 1) parts.push(Buffer.alloc(4)); // checksum (not verified)
    const body = Buffer.concat(parts);
    return Buffer.concat([header(16 + body.length, 2013), body]);
  };
  const opQuery = (collection: string, doc: Document) => {
    const fields = Buffer.alloc(4);
    const name = Buffer.from(`${collection}\0`);
    const counts = Buffer.alloc(8);
    counts.writeInt32LE(-1, 4);
    const body = Buffer.concat([fields, name, counts, Buffer.from(serialize(doc))]);
    return Buffer.concat([header(16 + body.length, 2004), body]);
  };

  /** Sends the chunks (one write each) and collects `count` replies. */
  async function exchange(chunks: Buffer[], count: number): Promise<Array<{ opCode: number; doc: Document }>> {
    const url = new URL(server.url);
    const socket = net.connect(Number(url.port), '127.0.0.1');
    const replies: Array<{ opCode: number; doc: Document }> = [];
    let buffered = Buffer.alloc(0);
    const done = new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (data: Buffer) => {
        buffered = Buffer.concat([buffered, data]);
        while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
          const length = buffered.readInt32LE(0);
          const opCode = buffered.readInt32LE(12);
          const start = opCode === 1 ? 36 : 21; // OP_REPLY fields / OP_MSG flags + section kind
          replies.push({ opCode, doc: deserialize(buffered.subarray(start, length)) });
          buffered = buffered.subarray(length);
          if (replies.length === count) resolve();
        }
      });
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const chunk of chunks) {
      socket.write(chunk);
      await new Promise((r) => setTimeout(r, 2));
    }
    await done;
    socket.destroy();
    return replies;
  }

  it('answers a legacy OP_QUERY isMaster with OP_REPLY', async () => {
    const [reply] = await exchange([opQuery('admin.$cmd', { isMaster: 1, helloOk: true })], 1);
    expect(reply?.opCode).toBe(1);
    expect(reply?.doc).toMatchObject({ ismaster: true, helloOk: true, maxWireVersion: 21, ok: 1 });
  });

  it('reassembles a message split over many TCP chunks', async () => {
    const message = opMsg({ ping: 1, $db: 'admin' });
    const chunks = [message.subarray(0, 3), message.subarray(3, 17), message.subarray(17, 30), message.subarray(30)];
    const [reply] = await exchange(chunks, 1);
    expect(reply).toEqual({ opCode: 2013, doc: { ok: 1 } });
  });

  it('handles several messages in one chunk, document sequences, checksums and moreToCome', async () => {
    const chunk = Buffer.concat([
      opMsg({ insert: 'raw', $db: 'wiretest' }, 0, ['documents', [{ _id: 1 }, { _id: 2 }]]),
      opMsg({ insert: 'raw', $db: 'wiretest' }, 2, ['documents', [{ _id: 3 }]]), // moreToCome: no reply
      opMsg({ count: 'raw', $db: 'wiretest' }, 1),
    ]);
    const replies = await exchange([chunk], 2);
    expect(replies.map((r) => r.doc)).toEqual([{ n: 2, ok: 1 }, { n: 3, ok: 1 }]);
  });
});
