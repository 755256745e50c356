import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { cursorAt, cursorEncoder, decodeCursor, queryFingerprint } from '../../src/plan/cursor.js';
import { MAX_PAGE_SIZE, planPage } from '../../src/plan/page.js';

const fingerprint = queryFingerprint('ServiceRequest', { status: { eq: 'OPEN' } }, ['requestedAt:desc']);

describe('cursors', () => {
  it('decode to the position when the prefix is encoded once and positions appended', () => {
    const encode = cursorEncoder(fingerprint);
    for (const position of [0, 1, 9, 10, 99, 100, 12345, 999999]) expect(decodeCursor(encode(position), fingerprint, 'after')).toBe(position);
  });

  it('round-trip a position for the same query', () => {
    expect(decodeCursor(cursorEncoder(fingerprint)(41), fingerprint, 'after')).toBe(41);
  });

  it('carry nothing but a version, a query fingerprint and a position', () => {
    const text = Buffer.from(cursorEncoder(fingerprint)(7), 'base64url').toString('utf8');
    expect(text).toBe(`c1:${fingerprint}:7`);
  });

  it('reach another position of the query one was issued for (Open311 pages by number)', () => {
    const issued = cursorEncoder(fingerprint)(0);
    expect(cursorAt(issued, 41)).toBe(cursorEncoder(fingerprint)(41));
    expect(decodeCursor(cursorAt(issued, 41), fingerprint, 'after')).toBe(41);
    expect(() => cursorAt('garbage', 1)).toThrow(/not a cursor this API issued/);
  });

  it('are refused for a query with another filter or order', () => {
    const other = queryFingerprint('ServiceRequest', { status: { eq: 'CLOSED' } }, ['requestedAt:desc']);
    expect(() => decodeCursor(cursorEncoder(other)(3), fingerprint, 'after')).toThrow(/another filter or order/);
  });

  it.each(['', 'garbage', Buffer.from('c1:x:-1').toString('base64url'), Buffer.from(`c1:${fingerprint}:1.5`).toString('base64url')])(
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
  it('start after the cursor’s row', () => {
    expect(planPage(10, cursorEncoder(fingerprint)(19), fingerprint)).toEqual({ offset: 20, limit: 10 });
  });

  it('default to 100 rows and refuse more than the maximum', () => {
    expect(planPage(undefined, undefined, fingerprint)).toEqual({ offset: 0, limit: 100 });
    expect(() => planPage(MAX_PAGE_SIZE + 1, undefined, fingerprint)).toThrow(/first: at most 1000 rows/);
    expect(() => planPage(-1, undefined, fingerprint)).toThrow(/first: must not be negative/);
  });
});
