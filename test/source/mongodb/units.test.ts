/**
 * The MongoDB connector's pieces that need no server: error mapping for failures the test
 * server cannot produce (a refused login, maxTimeMS), regular-expression escaping, and the
 * rule that user values only ever appear as operands in what is sent to the server.
 */
import { MongoNetworkTimeoutError, MongoParseError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { toSourceError } from '../../../src/source/mongodb/errors.js';
import { compileFilter, escapeRegex } from '../../../src/source/mongodb/filter.js';
import { findPipeline, keyLookupPipeline } from '../../../src/source/mongodb/pipeline.js';
import type { FieldTypes } from '../../../src/source/mongodb/values.js';
import type { Predicate, SourceValue, ValueRef } from '../../../src/source/source.js';

const context = { table: 'sr_case', timeoutMs: 300 };
const serverError = (code: number, codeName: string) =>
  new MongoServerError({ ok: 0, code, codeName, errmsg: 'E11000 dup key: { title: "SECRET-ROW-VALUE" } on 10.0.0.7' });

describe('MongoDB errors', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a refused login (code 18)', serverError(18, 'AuthenticationFailed'), 'unreachable', /rejected the login/],
    ['a refused login inside a network error', new MongoNetworkTimeoutError('x', { cause: serverError(18, 'AuthenticationFailed') }), 'unreachable', /rejected the login/],
    ['maxTimeMS exceeded (code 50)', serverError(50, 'MaxTimeMSExpired'), 'timeout', /took longer than its 300 ms limit/],
    ['a socket timeout', new MongoNetworkTimeoutError('connection 3 to 10.0.0.7:27017 timed out'), 'timeout', /300 ms/],
    ['a URL the driver cannot parse', new MongoParseError('Invalid scheme in mongodb://civic:s3cretPW@db'), 'unreachable', /connection URL is not valid/],
    ['a missing namespace (code 26)', serverError(26, 'NamespaceNotFound'), 'missing-table', /collection "sr_case" does not exist/],
    ['any other server error', serverError(11000, 'DuplicateKey'), 'query-failed', /^source "src": the MongoDB query failed \(DuplicateKey\)$/],
    ['something else', new Error('mongodb://civic:s3cretPW@db'), 'query-failed', /^source "src": the MongoDB query failed$/],
  ])('maps %s', (_title, thrown, reason, message) => {
    const error = toSourceError('src', thrown, context);
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/SECRET|10\.0\.0\.7|s3cretPW/);
  });
});

describe("MongoDB errors at a caller's deadline", () => {
  it("reports maxTimeMS set by the caller's deadline as the deadline, not as a slow server", () => {
    const error = toSourceError('src', serverError(50, 'MaxTimeMSExpired'), { ...context, byDeadline: true });
    expect(error.reason).toBe('deadline');
    expect(error.message).toBe(`source "src": the query could not finish by its caller's deadline and was stopped`);
  });

  it('reports a socket timeout as a timeout whatever the deadline: the socket keeps its own limit', () => {
    expect(toSourceError('src', new MongoNetworkTimeoutError('timed out'), { ...context, byDeadline: true }).reason).toBe('timeout');
  });
});

describe('regular expressions from user text', () => {
  it('match the text literally', () => {
    const text = 'a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o/p-q#r s\0t';
    const pattern = new RegExp(`^${escapeRegex(text)}$`, 'u');
    expect(pattern.test(text)).toBe(true);
    expect(pattern.test(text.replace('.', 'x'))).toBe(false);
  });
});

describe('user values in queries', () => {
  const types: FieldTypes = { stored: () => ['string'], declared: () => undefined };
  // None of them is a name the compiler itself writes as a key.
  const VALUES = ['$where', '$$ROOT', '$function', '{"$gt": ""}', '$user.field', 'user text'];

  /** Every object key in `value`, at any depth. */
  function keys(value: unknown, into: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach((v) => keys(v, into));
    else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [key, v] of Object.entries(value)) {
        into.push(key);
        keys(v, into);
      }
    }
    return into;
  }

  /** Every string in `value` that starts with '$' and is not an object key, outside a $literal or a query operator's operand. */
  function expressionStrings(value: unknown, into: string[] = [], inLiteral = false): string[] {
    if (typeof value === 'string' && !inLiteral && value.startsWith('$')) into.push(value);
    else if (Array.isArray(value)) value.forEach((v) => expressionStrings(v, into, inLiteral));
    else if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) expressionStrings(v, into, inLiteral || key === '$literal');
    }
    return into;
  }

  const column: ValueRef = { column: 'title' };
  const normalised: ValueRef = { normalize: 'address', of: column };
  const predicates = (ref: ValueRef, value: SourceValue): Predicate[] =>
    (['eq', 'ne', 'lt', 'gte', 'contains', 'startsWith'] as const).map((op) => ({ kind: 'compare', ref, op, value }));

  it.each(VALUES)('never become keys: %j', (value) => {
    for (const ref of [column, normalised]) {
      const where: Predicate = { kind: 'or', items: [...predicates(ref, value), { kind: 'compare', ref, op: 'in', value: [value, null] }] };
      expect(keys(compileFilter(where, types))).not.toContain(value);
      const pipeline = findPipeline({ table: 't', select: { a: ref }, where, orderBy: [{ ref, direction: 'asc', recode: [[value, value]] }], limit: 1, offset: 1 }, types);
      expect(keys(pipeline)).not.toContain(value);
      const lookup = keyLookupPipeline({ table: 't', select: {}, key: ref, keyAlias: 'k', keys: [value], perKeyLimit: 1 }, [value], types);
      expect(keys(lookup)).not.toContain(value);
    }
  });

  it.each(VALUES)('are literals inside aggregation expressions: %j', (value) => {
    const where: Predicate = { kind: 'and', items: [...predicates(normalised, value), { kind: 'compare', ref: normalised, op: 'in', value: [value] }] };
    const pipeline = findPipeline({ table: 't', select: {}, where, orderBy: [{ ref: column, direction: 'asc', recode: [[value, value]] }], limit: 1, offset: 0 }, types);
    // Field paths and variables the pipeline itself writes are the only '$' strings outside $literal.
    expect(expressionStrings(pipeline).filter((s) => !/^\$(\$(v|a|r|b|d|value|this)\b|title$|__cg_)/.test(s))).toEqual([]);
  });

  it('refuses a value that is not a scalar', () => {
    const where = { kind: 'compare', ref: column, op: 'eq', value: { $gt: '' } } as unknown as Predicate;
    expect(() => compileFilter(where, types)).toThrow(/not a scalar/);
  });
});
