/**
 * Opaque Relay cursors. A cursor holds a row's position in one query's order and a
 * fingerprint of that query's filter and order, never a row value: it cannot reveal data,
 * and a cursor from another query is refused instead of silently paging the wrong list.
 */
import { createHash } from 'node:crypto';
import { badRequest } from './bad-request.js';

const VERSION = 'c1';

/**
 * 14 characters, so that the cursor's prefix `c1:<fingerprint>:` is 18 bytes, a whole number
 * of base64 groups: it is encoded once per page and each row's position appended.
 */
export function queryFingerprint(dataset: string, filter: unknown, orderBy: unknown): string {
  return createHash('sha256').update(JSON.stringify([dataset, filter ?? null, orderBy ?? null])).digest('base64url').slice(0, 14);
}

/** Encodes the cursors of one query's rows. */
export function cursorEncoder(fingerprint: string): (position: number) => string {
  const prefix = Buffer.from(`${VERSION}:${fingerprint}:`).toString('base64url');
  return (position) => prefix + Buffer.from(String(position)).toString('base64url');
}

/**
 * The cursor of the row at `position` in the query `issued` was issued for: how an entry point
 * that pages by number (Open311's `page`) reaches a page without reading the ones before it.
 */
export function cursorAt(issued: string, position: number): string {
  const [version, owner] = Buffer.from(issued, 'base64url').toString('utf8').split(':');
  if (version !== VERSION || !owner) throw new Error('not a cursor this API issued');
  return cursorEncoder(owner)(position);
}

/** The position of the row the cursor points at. */
export function decodeCursor(cursor: string, fingerprint: string, argument: string): number {
  const [version, owner, position, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const index = Number(position);
  if (version !== VERSION || rest.length > 0 || !Number.isSafeInteger(index) || index < 0) {
    throw badRequest(argument, 'not a cursor this API issued');
  }
  if (owner !== fingerprint) throw badRequest(argument, 'this cursor belongs to a query with another filter or order');
  return index;
}
