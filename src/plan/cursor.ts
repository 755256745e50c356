/**
 * Opaque Relay cursors. A cursor holds a row's position in one query's order and a
 * fingerprint of that query's filter and order, never a row value: it cannot reveal data,
 * and a cursor from another query is refused instead of silently paging the wrong list.
 */
import { createHash } from 'node:crypto';
import { badRequest } from './bad-request.js';

const VERSION = 'c1';

export function queryFingerprint(dataset: string, filter: unknown, orderBy: unknown): string {
  return createHash('sha256').update(JSON.stringify([dataset, filter ?? null, orderBy ?? null])).digest('base64url').slice(0, 12);
}

export function encodeCursor(fingerprint: string, position: number): string {
  return Buffer.from(`${VERSION}:${fingerprint}:${position}`).toString('base64url');
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
