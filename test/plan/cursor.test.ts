import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { cursorAt, cursorEncoder, decodeCursor, queryFingerprint } from '../../src/plan/cursor.js';
import { MAX_PAGE_SIZE, planPage } from '../../src/plan/page.js';

const fingerprint = queryFingerprint('ServiceRequest', { status: { eq: 'OPEN' } }, ['requestedAt:desc']);

describe('cursors', () => {
  it('decode to the position when the prefix is encoded once and positions appended', () => {
    for (const anchor of ['start', 'end'] as const) {
      const encode = cursorEncoder(fingerprint, anchor);
      for (const index of [0, 1, 9, 10, 99, 100, 12345, 999999]) expect(decodeCursor(encode(index), fingerprint, 'after')).toEqual({ anchor, index });
    }
  });

  it('carry nothing but a version, a query fingerprint and a position, from the start or from the end', () => {
    expect(Buffer.from(cursorEncoder(fingerprint)(7), 'base64url').toString('utf8')).toBe(`c1:${fingerprint}:7`);
    expect(Buffer.from(cursorEncoder(fingerprint, 'end')(7), 'base64url').toString('utf8')).toBe(`c1:${fingerprint}:e7`);
  });

  it('reach another position of the query one was issued for (Open311 pages by number)', () => {
    const issued = cursorEncoder(fingerprint)(0);
    expect(cursorAt(issued, 41)).toBe(cursorEncoder(fingerprint)(41));
    expect(decodeCursor(cursorAt(issued, 41), fingerprint, 'after')).toEqual({ anchor: 'start', index: 41 });
    expect(() => cursorAt('garbage', 1)).toThrow(/not a cursor this API issued/);
  });

  it('are refused for a query with another filter or order', () => {
    const other = queryFingerprint('ServiceRequest', { status: { eq: 'CLOSED' } }, ['requestedAt:desc']);
    expect(() => decodeCursor(cursorEncoder(other)(3), fingerprint, 'after')).toThrow(/another filter or order/);
    expect(() => decodeCursor(cursorEncoder(other, 'end')(3), fingerprint, 'before')).toThrow(/before: this cursor belongs to a query with another filter or order/);
  });

  it.each(['', 'garbage', ...['c1:x:-1', `c1:${fingerprint}:1.5`, `c1:${fingerprint}:e`, `c1:${fingerprint}:ee1`, `c1:${fingerprint}:007`, `c1:${fingerprint}:1e3`].map((text) => Buffer.from(text).toString('base64url'))])(
    'reject %j with an error naming the argument',
    (cursor) => {
      try {
        decodeCursor(cursor, fingerprint, 'after');
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(GraphQLError);
        expect((error as GraphQLError).message).toBe('after: not a cursor this API issued');
        expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
      }
    },
  );
});

describe('pages', () => {
  const fromStart = cursorEncoder(fingerprint, 'start');
  const fromEnd = cursorEncoder(fingerprint, 'end');

  it('forward: start after the cursor’s row, in the order its position is counted in', () => {
    expect(planPage({ first: 10, after: fromStart(19) }, fingerprint)).toEqual({ from: 'start', offset: 20, limit: 10 });
    // Row 19 from the end: the rows after it are 18…0 from the end; the ten nearest are 18…9.
    expect(planPage({ first: 10, after: fromEnd(19) }, fingerprint)).toEqual({ from: 'end', offset: 9, limit: 10 });
    expect(planPage({ first: 10, after: fromEnd(4) }, fingerprint)).toEqual({ from: 'end', offset: 0, limit: 4 });
  });

  it('backward: `last` reads from the end; `before` ends before the cursor’s row', () => {
    expect(planPage({ last: 10 }, fingerprint)).toEqual({ from: 'end', offset: 0, limit: 10 });
    expect(planPage({ before: fromEnd(0) }, fingerprint)).toEqual({ from: 'end', offset: 1, limit: 100 });
    expect(planPage({ last: 10, before: fromEnd(9) }, fingerprint)).toEqual({ from: 'end', offset: 10, limit: 10 });
    expect(planPage({ last: 10, before: fromStart(25) }, fingerprint)).toEqual({ from: 'start', offset: 15, limit: 10 });
    expect(planPage({ last: 10, before: fromStart(3) }, fingerprint)).toEqual({ from: 'start', offset: 0, limit: 3 });
  });

  it('default to 100 rows and refuse more than the maximum, naming the argument', () => {
    expect(planPage({}, fingerprint)).toEqual({ from: 'start', offset: 0, limit: 100 });
    expect(() => planPage({ first: MAX_PAGE_SIZE + 1 }, fingerprint)).toThrow(/first: at most 1000 rows per page; use `after`/);
    expect(() => planPage({ last: MAX_PAGE_SIZE + 1 }, fingerprint)).toThrow(/last: at most 1000 rows per page; use `before`/);
    expect(() => planPage({ first: -1 }, fingerprint)).toThrow(/first: must not be negative/);
    expect(() => planPage({ last: -1 }, fingerprint)).toThrow(/last: must not be negative/);
  });

  it('refuse what Relay discourages: first with last, and a cursor of the other direction', () => {
    expect(() => planPage({ first: 5, last: 5 }, fingerprint)).toThrow('last: give `first` (with `after`) or `last` (with `before`), not both');
    expect(() => planPage({ first: 5, before: fromStart(9) }, fingerprint)).toThrow('before: pages backward: use it with `last`, not `first`');
    expect(() => planPage({ last: 5, after: fromStart(9) }, fingerprint)).toThrow('after: pages forward: use it with `first`, not `last`');
    expect(() => planPage({ after: fromStart(1), before: fromStart(9) }, fingerprint)).toThrow(/not both/);
    // Relay's pagination queries send the unused pair as null.
    expect(planPage({ first: null, after: null, last: 5, before: fromEnd(4) }, fingerprint)).toEqual({ from: 'end', offset: 5, limit: 5 });
  });
});
