/**
 * The query engine of the mongo-wire test server: mingo, with every query, projection,
 * expression, accumulator, pipeline-stage and window operator registered in one Context,
 * a few thin wrappers that make mingo answer like MongoDB (see the notes on each), and the
 * mapping of mingo's errors to MongoDB error codes.
 *
 * Wrapped here to behave like MongoDB: $eq/$ne/$lt/$lte/$gt/$gte/$cmp expressions (whole-value
 * BSON-order comparison), "UTC"/"GMT"/"Z" time zones, date-part operators on null, $toString
 * of ObjectId/Decimal128, $toUpper/$toLower of null and numbers, $type names; added: $indexOfCP.
 *
 * Known remaining differences from MongoDB (mingo 7.2.7):
 * - Decimal128 is opaque to mingo: it sorts/compares by its string, fails in arithmetic and
 *   does not equal a number; whole doubles (2.0) and small Longs arrive as JS numbers, so
 *   $type says "int" for them.
 * - $sort/$min/$max across types: null/missing sort lowest (as in MongoDB), but ObjectId and
 *   Decimal128 sort after every other type (MongoDB: ObjectId before bool and date).
 * - Time zones: only "Area/City" Olson names (not "America/Argentina/Buenos_Aires" or
 *   "Etc/GMT+5"), numeric offsets and the UTC aliases above.
 * - $push of a missing value pushes null (MongoDB skips it); $dateFromString of an unparsable
 *   string without onError yields missing (MongoDB fails); $regexMatch of a non-string input
 *   is false (MongoDB fails); no $toObjectId.
 */
import { Context, OpType, ProcessingMode, evalExpr } from 'mingo/core';
import { Query } from 'mingo/query';
import { Aggregator } from 'mingo/aggregator';
import type { Any, AnyObject, Options } from 'mingo/types';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { update as mingoUpdate } from 'mingo/updater';
import { cloneDeep, isEqual, setValue } from 'mingo/util';
import type { Document } from 'bson';

/** A MongoDB command error: becomes `{ ok: 0, errmsg, code, codeName }`. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

export const badValue = (message: string) => new CommandError(2, 'BadValue', message);

type Operator = (...args: never[]) => unknown;
type ExpressionOp = (obj: AnyObject, expr: Any, options: Options) => Any;

/** The `$`-named exports of an operator module (the modules also export `default`). */
function operatorsOf(module: object): Record<`$${string}`, Operator> {
  const ops: Record<`$${string}`, Operator> = {};
  for (const [name, fn] of Object.entries(module)) {
    if (name.startsWith('$') && typeof fn === 'function') ops[name as `$${string}`] = fn as Operator;
  }
  return ops;
}

const bsonType = (v: unknown): string | undefined =>
  v !== null && typeof v === 'object' ? ((v as { _bsontype?: string })._bsontype ?? undefined) : undefined;

const isPlainObject = (v: unknown): v is AnyObject =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

const expression = operatorsOf(expressionOperators) as Record<string, ExpressionOp>;
const original = (name: string): ExpressionOp => {
  const fn = expression[name];
  if (!fn) throw new Error(`mingo has no expression operator ${name}`);
  return fn;
};

/**
 * mingo only accepts "Area/Location" zone names and numeric offsets: MongoDB also accepts
 * "UTC", "GMT", "Z". A literal one of those is rewritten to "+00:00".
 */
const UTC_NAMES = /^(UTC|GMT|Z|Zulu|Universal|Etc\/(UTC|GMT|Zulu|Universal|UCT))$/i;
function normaliseTimezone(expr: Any): Any {
  if (isPlainObject(expr) && typeof expr.timezone === 'string' && UTC_NAMES.test(expr.timezone)) {
    return { ...expr, timezone: '+00:00' };
  }
  return expr;
}

const DATE_PART_OPERATORS = [
  '$year', '$month', '$dayOfMonth', '$dayOfWeek', '$dayOfYear', '$hour', '$minute', '$second',
  '$millisecond', '$week', '$isoWeek', '$isoWeekYear', '$isoDayOfWeek',
];
const TIMEZONE_OPERATORS = [
  '$dateToString', '$dateTrunc', '$dateFromString', '$dateToParts', '$dateFromParts', '$dateAdd',
  '$dateSubtract', '$dateDiff', ...DATE_PART_OPERATORS,
];

const wrappers: Record<string, ExpressionOp> = {};

for (const name of TIMEZONE_OPERATORS) {
  const fn = original(name);
  wrappers[name] = (obj, expr, options) => fn(obj, normaliseTimezone(expr), options);
}

// MongoDB returns null from the date-part operators for a null or missing date; mingo throws.
for (const name of DATE_PART_OPERATORS) {
  const fn = wrappers[name]!;
  wrappers[name] = (obj, expr, options) => {
    const dateExpr = isPlainObject(expr) && 'date' in expr ? expr.date : Array.isArray(expr) && expr.length === 1 ? expr[0] : expr;
    const date = evalExpr(obj, dateExpr, options);
    if (date === null || date === undefined) return null;
    return fn(obj, expr, options);
  };
}

// mingo's $toString rejects BSON objects; MongoDB renders ObjectId as hex, Decimal128/Long as digits.
{
  const fn = original('$toString');
  wrappers.$toString = (obj, expr, options) => {
    const value = evalExpr(obj, Array.isArray(expr) && expr.length === 1 ? expr[0] : expr, options);
    const type = bsonType(value);
    if (type === 'ObjectId') return (value as { toHexString(): string }).toHexString();
    if (type === 'Decimal128' || type === 'Long' || type === 'Int32' || type === 'Double') return String(value);
    return fn(obj, expr, options);
  };
}

// MongoDB's $toUpper/$toLower turn null/missing into "" and coerce numbers and dates to strings.
for (const name of ['$toUpper', '$toLower'] as const) {
  const fn = original(name);
  wrappers[name] = (obj, expr, options) => {
    const value = evalExpr(obj, Array.isArray(expr) && expr.length === 1 ? expr[0] : expr, options);
    if (value === null || value === undefined) return '';
    if (typeof value === 'number' || value instanceof Date || bsonType(value) === 'Decimal128' || bsonType(value) === 'Long') {
      const text = value instanceof Date ? value.toISOString() : String(value);
      return name === '$toUpper' ? text.toUpperCase() : text.toLowerCase();
    }
    return fn(obj, expr, options);
  };
}

// mingo names BSON types after their JS class; use MongoDB's $type aliases.
{
  const fn = original('$type');
  const alias: Record<string, string> = {
    objectid: 'objectId', decimal128: 'decimal', binary: 'binData', minkey: 'minKey', maxkey: 'maxKey',
    bsonregexp: 'regex', bsonsymbol: 'symbol', code: 'javascript', dbref: 'dbPointer', uuid: 'binData',
  };
  wrappers.$type = (obj, expr, options) => {
    const type = fn(obj, expr, options);
    return typeof type === 'string' ? (alias[type] ?? type) : type;
  };
}

// mingo has no $indexOfCP: the code-point index of a substring (like $indexOfBytes, which mingo has).
wrappers.$indexOfCP = (obj, expr, options) => {
  if (!Array.isArray(expr) || expr.length < 2 || expr.length > 4) {
    throw badValue('Expression $indexOfCP takes at least 2 arguments, and at most 4');
  }
  const [str, search, start, end] = evalExpr(obj, expr, options) as unknown[];
  if (str === null || str === undefined) return null;
  if (typeof str !== 'string') throw badValue("$indexOfCP requires a string as the first argument");
  if (typeof search !== 'string') throw badValue("$indexOfCP requires a string as the second argument");
  const chars = [...str];
  const needle = [...search];
  const from = start === undefined ? 0 : start;
  const to = end === undefined ? chars.length : end;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 0) throw badValue('$indexOfCP requires a nonnegative integral starting index');
  if (typeof to !== 'number' || !Number.isInteger(to) || to < 0) throw badValue('$indexOfCP requires a nonnegative integral ending index');
  for (let i = from; i + needle.length <= Math.min(to, chars.length); i++) {
    let found = true;
    for (let j = 0; j < needle.length; j++) {
      if (chars[i + j] !== needle[j]) {
        found = false;
        break;
      }
    }
    if (found) return i;
  }
  return -1;
};

/**
 * MongoDB's canonical BSON type order (missing < null < numbers < strings < objects < arrays
 * < binData < ObjectId < bool < date < timestamp < regex), used by the aggregation comparison
 * operators below.
 */
function canonicalType(v: unknown): number {
  if (v === undefined) return 0;
  if (v === null) return 5;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 10;
    case 'string':
      return 15;
    case 'boolean':
      return 40;
  }
  if (v instanceof Date) return 45;
  if (v instanceof RegExp) return 50;
  if (Array.isArray(v)) return 25;
  switch (bsonType(v)) {
    case 'MinKey':
      return -1;
    case 'MaxKey':
      return 127;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 10;
    case 'BSONSymbol':
      return 15;
    case 'Binary':
      return 30;
    case 'ObjectId':
      return 35;
    case 'Timestamp':
      return 47;
    case 'BSONRegExp':
      return 50;
    case 'Code':
      return 60;
  }
  return 20; // object
}

const cmp = <T>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/** Compares two values the way MongoDB's aggregation expressions do (no type bracketing). */
export function compareValues(a: unknown, b: unknown): number {
  const ta = canonicalType(a);
  const tb = canonicalType(b);
  if (ta !== tb) return cmp(ta, tb);
  switch (ta) {
    case 0:
    case 5:
    case -1:
    case 127:
      return 0;
    case 10: {
      const x = Number(String(a));
      const y = Number(String(b));
      return Number.isNaN(x) || Number.isNaN(y) ? cmp(Number.isNaN(x) ? 0 : 1, Number.isNaN(y) ? 0 : 1) : cmp(x, y);
    }
    case 15:
      return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
    case 40:
      return cmp(Number(a), Number(b));
    case 45:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 25: {
      const xs = a as unknown[];
      const ys = b as unknown[];
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        const c = compareValues(xs[i], ys[i]);
        if (c !== 0) return c;
      }
      return cmp(xs.length, ys.length);
    }
    case 20: {
      const xs = Object.entries(a as object);
      const ys = Object.entries(b as object);
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        const [kx, vx] = xs[i]!;
        const [ky, vy] = ys[i]!;
        const c = cmp(canonicalType(vx), canonicalType(vy)) || cmp(kx, ky) || compareValues(vx, vy);
        if (c !== 0) return c;
      }
      return cmp(xs.length, ys.length);
    }
    case 35:
      return cmp((a as ObjectIdLike).toHexString(), (b as ObjectIdLike).toHexString());
    case 50:
      return cmp(String(a), String(b));
    default: {
      // binData, timestamp, code: compare their canonical extended JSON text.
      return cmp(JSON.stringify(a), JSON.stringify(b));
    }
  }
}

interface ObjectIdLike {
  toHexString(): string;
}

/**
 * mingo evaluates the aggregation comparison operators with query semantics: type
 * bracketing ({$gt: ['$x', null]} is false for any x, {$lt: [null, 1]} is false), array
 * element matching ({$eq: [['a'], 'a']} is true) and null == missing. MongoDB compares the
 * two whole values in BSON order (missing < null < numbers < strings < ...).
 */
const COMPARISONS: Record<string, (c: number) => boolean | number> = {
  $eq: (c) => c === 0,
  $ne: (c) => c !== 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $cmp: (c) => c,
};
for (const [name, verdict] of Object.entries(COMPARISONS)) {
  wrappers[name] = (obj, expr, options) => {
    if (!Array.isArray(expr) || expr.length !== 2) {
      throw new CommandError(16020, 'Location16020', `Expression ${name} takes exactly 2 arguments.`);
    }
    const [lhs, rhs] = evalExpr(obj, expr, options) as [unknown, unknown];
    return verdict(compareValues(lhs, rhs));
  };
}

type OpsArg = Parameters<typeof Context.init>[0] & object;

/** Every mingo operator, with the wrappers above in place of mingo's own. */
export const CONTEXT = Context.init({
  accumulator: operatorsOf(accumulatorOperators) as unknown as OpsArg['accumulator'],
  expression: { ...expression, ...wrappers } as unknown as OpsArg['expression'],
  pipeline: operatorsOf(pipelineOperators) as unknown as OpsArg['pipeline'],
  projection: operatorsOf(projectionOperators) as unknown as OpsArg['projection'],
  query: operatorsOf(queryOperators) as unknown as OpsArg['query'],
  window: operatorsOf(windowOperators) as unknown as OpsArg['window'],
});

/** Stages that need a persistent server (or that this server does not offer). */
const UNSUPPORTED_STAGES = new Set(['$out', '$merge']);

export interface EngineOptions {
  /** Resolves collection names for $lookup, $unionWith, $graphLookup. */
  collectionResolver?: (name: string) => AnyObject[];
  variables?: Document;
  collation?: Document;
}

function mingoOptions(options: EngineOptions, processingMode: ProcessingMode): Partial<Options> {
  return {
    context: CONTEXT,
    idKey: '_id',
    processingMode,
    useStrictMode: true,
    scriptEnabled: false,
    failOnError: true,
    ...(options.collectionResolver ? { collectionResolver: options.collectionResolver } : {}),
    ...(options.variables ? { variables: options.variables } : {}),
    ...(options.collation ? { collation: options.collation as Options['collation'] } : {}),
  };
}

/** Maps an error thrown by mingo (or by a wrapper) to a MongoDB command error. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  let m = /accumulator '(\$\w+)' is not registered/.exec(message);
  if (m) return new CommandError(168, 'InvalidPipelineOperator', `Unrecognized expression '${m[1]}'`);
  m = /unregistered pipeline operator (\$\w+)/.exec(message);
  if (m) return unknownStage(m[1]!);
  if (/would modify the immutable field/.test(message)) return new CommandError(66, 'ImmutableField', message);
  m = /unknown query operator (\$\w+)/.exec(message);
  if (m) return badValue(`unknown operator: ${m[1]}`);
  return badValue(message);
}

const unknownStage = (name: string) =>
  new CommandError(40324, 'Location40324', `Unrecognized pipeline stage name: '${name}'`);

/** Checks the top-level stages of a pipeline before mingo runs it. */
export function validatePipeline(pipeline: unknown): Document[] {
  if (!Array.isArray(pipeline)) throw new CommandError(14, 'TypeMismatch', "'pipeline' option must be specified as an array");
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(40323, 'Location40323', 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0]!;
    if (UNSUPPORTED_STAGES.has(name)) {
      throw new CommandError(115, 'CommandNotSupported', `${name} is not supported by the mongo-wire test server`);
    }
    if (!CONTEXT.getOperator(OpType.PIPELINE, name)) throw unknownStage(name);
  }
  return pipeline as Document[];
}

/** Runs a pipeline over documents; the input documents are cloned, never modified. */
export function runPipeline(docs: Document[], pipeline: unknown, options: EngineOptions = {}): Document[] {
  const stages = validatePipeline(pipeline);
  try {
    return new Aggregator(stages, mingoOptions(options, ProcessingMode.CLONE_INPUT)).run(docs) as Document[];
  } catch (error) {
    throw toCommandError(error);
  }
}

/** Compiles a filter; throws a CommandError for an invalid one. */
export function compileFilter(filter: Document | undefined, options: EngineOptions = {}): Query {
  try {
    return new Query(filter ?? {}, mingoOptions(options, ProcessingMode.CLONE_OFF));
  } catch (error) {
    throw toCommandError(error);
  }
}

/** Tests a document against a compiled filter, mapping evaluation errors. */
export function matches(query: Query, doc: Document): boolean {
  try {
    return query.test(doc);
  } catch (error) {
    throw toCommandError(error);
  }
}

export interface FindSpec {
  filter?: Document;
  sort?: Document;
  projection?: Document;
  skip?: number;
  limit?: number;
}

/** Runs a find: filter, then sort, skip, limit, then projection (MongoDB's order). */
export function runFind(docs: Document[], spec: FindSpec, options: EngineOptions = {}): Document[] {
  const query = compileFilter(spec.filter, options);
  try {
    const projection = spec.projection && Object.keys(spec.projection).length > 0 ? spec.projection : undefined;
    let cursor = query.find<Document>(docs, projection);
    if (spec.sort && Object.keys(spec.sort).length > 0) cursor = cursor.sort(spec.sort);
    if (spec.skip) cursor = cursor.skip(spec.skip);
    if (spec.limit) cursor = cursor.limit(spec.limit);
    return cursor.all();
  } catch (error) {
    throw toCommandError(error);
  }
}

/** The stages MongoDB accepts in an update pipeline. */
const UPDATE_PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

const isOperatorDocument = (u: Document) => Object.keys(u).some((k) => k.startsWith('$'));

export interface UpdateSpec {
  arrayFilters?: Document[];
  variables?: Document;
  /** true when the update builds a new (upserted) document: $setOnInsert applies. */
  inserting: boolean;
}

/**
 * Applies an update (operator document, replacement document or pipeline) to a copy of a
 * document and returns the copy; the input is never modified.
 */
export function applyUpdate(doc: Document, u: unknown, spec: UpdateSpec): Document {
  let result: Document;
  if (Array.isArray(u)) {
    for (const stage of u as unknown[]) {
      const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (!name || !UPDATE_PIPELINE_STAGES.has(name)) {
        throw new CommandError(72, 'InvalidOptions', `${String(name)} is not allowed to be used within an update`);
      }
    }
    result = runPipeline([doc], u, spec.variables ? { variables: spec.variables } : {})[0] ?? {};
  } else if (isPlainObject(u) && isOperatorDocument(u)) {
    const fields = Object.keys(u).filter((k) => !k.startsWith('$'));
    if (fields.length) throw badValue(`Unknown modifier: ${fields[0]}. Expected a valid update modifier or pipeline-style update specified as an array`);
    const modifier: Document = { ...u };
    const onInsert = modifier.$setOnInsert as Document | undefined;
    delete modifier.$setOnInsert;
    if (spec.inserting && onInsert) modifier.$set = { ...((modifier.$set as Document | undefined) ?? {}), ...onInsert };
    result = cloneDeep(doc) as Document;
    if (Object.keys(modifier).length > 0) {
      try {
        mingoUpdate(result, modifier, spec.arrayFilters, undefined, {
          cloneMode: 'deep',
          queryOptions: mingoOptions(spec.variables ? { variables: spec.variables } : {}, ProcessingMode.CLONE_OFF),
        });
      } catch (error) {
        throw toCommandError(error);
      }
    }
  } else if (isPlainObject(u)) {
    const { _id: newId, ...rest } = u;
    if (newId !== undefined && doc._id !== undefined && !isEqual(newId, doc._id)) throw immutableId();
    const id = doc._id ?? newId;
    result = id === undefined ? { ...rest } : { _id: id, ...rest };
  } else {
    throw new CommandError(14, 'TypeMismatch', 'Update argument must be either an object or an array');
  }
  if (doc._id !== undefined && !isEqual(result._id, doc._id)) throw immutableId();
  return result;
}

const immutableId = () =>
  new CommandError(66, 'ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");

/** The document an upsert starts from: the equality conditions of its filter. */
export function upsertSeed(filter: Document | undefined): Document {
  const seed: Document = {};
  const visit = (f: Document) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const part of value) if (isPlainObject(part)) visit(part);
      } else if (!key.startsWith('$')) {
        if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
          if ('$eq' in value) setValue(seed, key, cloneDeep(value.$eq));
        } else {
          setValue(seed, key, cloneDeep(value));
        }
      }
    }
  };
  if (filter) visit(filter);
  return seed;
}

export { cloneDeep, isEqual, compare } from 'mingo/util';
