/** `first`/`after` → the rows to read. */
import { badRequest } from './bad-request.js';
import { decodeCursor } from './cursor.js';

/** The most rows one page may hold; documented in the schema and the README. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export interface Page {
  offset: number;
  limit: number;
}

export function planPage(first: number | null | undefined, after: string | null | undefined, fingerprint: string): Page {
  const limit = first ?? DEFAULT_PAGE_SIZE;
  if (limit < 0) throw badRequest('first', 'must not be negative');
  if (limit > MAX_PAGE_SIZE) throw badRequest('first', `at most ${MAX_PAGE_SIZE} rows per page; use \`after\` to read further pages`);
  const offset = after ? decodeCursor(after, fingerprint, 'after') + 1 : 0;
  return { offset, limit };
}
