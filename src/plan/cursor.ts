/**
 * Opaque Relay cursors. A cursor holds a row's position in one query's order and a
 * fingerprint of that query's filter and order, never a row value: it cannot reveal data,
 * and a cursor from another query is refused instead of silently paging the wrong list.
 *
 * A position is counted from the start of the order (`7`) or, for rows read backward from
 * its end (`last` without `before`), from the end (`e7`): the gateway never counts the rows
 * to learn where the end is.
 */
import { createHash } from 'node:crypto';
import { badRequest } from './bad-request.js';

const VERSION = 'c1';

/** Where a position is counted from. */
export type Anchor = 'start' | 'end';

export interface CursorPosition {
  anchor: Anchor;
  /** 0 is the first row from the anchor. */
  index: number;
}

/**
 * 14 characters, so that the cursor's prefix `c1:<fingerprint>:` is 18 bytes, a whole number
 * of base64 groups: it is encoded once per page and each row's position appended.
 */
export function queryFingerprint(dataset: string, filter: unknown, orderBy: unknown): string {
  return createHash('sha256').update(JSON.stringify([dataset, filter ?? null, orderBy ?? null])).digest('base64url').slice(0, 14);
}

/**
 * The encoded position part of a cursor, kept for the positions most pages hold: every page of
 * every query needs them, and encoding one costs a Buffer.
 */
const KEPT_POSITIONS = 10_000;
const encodedPositions: Record<Anchor, string[]> = { start: [], end: [] };

function encodedPosition(anchor: Anchor, index: number): string {
  const kept = encodedPositions[anchor];
  const known = kept[index];
  if (known !== undefined) return known;
  const encoded = Buffer.from(`${anchor === 'end' ? 'e' : ''}${index}`).toString('base64url');
  if (index < KEPT_POSITIONS) kept[index] = encoded;
  return encoded;
}

/** Encodes the cursors of one query's rows, counted from `anchor`. */
export function cursorEncoder(fingerprint: string, anchor: Anchor = 'start'): (index: number) => string {
  const prefix = Buffer.from(`${VERSION}:${fingerprint}:`).toString('base64url');
  return (index) => prefix + encodedPosition(anchor, index);
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
export function decodeCursor(cursor: string, fingerprint: string, argument: string): CursorPosition {
  const [version, owner, position, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const match = /^(e?)(0|[1-9]\d{0,14})$/.exec(position ?? '');
  if (version !== VERSION || rest.length > 0 || !match) throw badRequest(argument, 'not a cursor this API issued');
  if (owner !== fingerprint) throw badRequest(argument, 'this cursor belongs to a query with another filter or order');
  return { anchor: match[1] ? 'end' : 'start', index: Number(match[2]) };
}
