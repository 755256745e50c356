/**
 * `first`/`after` and `last`/`before` → the rows to read. A page is read forward in the
 * query's order or backward (every order key reversed), whichever its cursor's position is
 * counted in; `last` without a cursor reads backward from the end, so no page ever needs a
 * count. A backward page is reversed in memory, so every page lists its rows in the query's order.
 */
import { badRequest } from './bad-request.js';
import { decodeCursor, type Anchor } from './cursor.js';

/** The most rows one page may hold; documented in the schema and the README. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page {
  /** `start`: read in the query's order; `end`: in reverse, from the last row. */
  from: Anchor;
  /** Rows to skip and to keep, counted in the reading order. */
  offset: number;
  limit: number;
}

function given(value: unknown): boolean {
  return value !== null && value !== undefined;
}

/** Refuses the combinations Relay's connection spec discourages, each with the way to ask instead. */
function direction(args: PageArgs): 'forward' | 'backward' {
  if (given(args.first) && given(args.last)) throw badRequest('last', 'give `first` (with `after`) or `last` (with `before`), not both');
  if (given(args.after) && given(args.before)) throw badRequest('before', 'give `after` (with `first`) or `before` (with `last`), not both');
  if (given(args.first) && given(args.before)) throw badRequest('before', 'pages backward: use it with `last`, not `first`');
  if (given(args.last) && given(args.after)) throw badRequest('after', 'pages forward: use it with `first`, not `last`');
  return given(args.last) || given(args.before) ? 'backward' : 'forward';
}

function pageSize(argument: 'first' | 'last', value: number | null | undefined): number {
  const size = value ?? DEFAULT_PAGE_SIZE;
  if (size < 0) throw badRequest(argument, 'must not be negative');
  const further = argument === 'first' ? '`after`' : '`before`';
  if (size > MAX_PAGE_SIZE) throw badRequest(argument, `at most ${MAX_PAGE_SIZE} rows per page; use ${further} to read further pages`);
  return size;
}

export function planPage(args: PageArgs, fingerprint: string): Page {
  const forward = direction(args) === 'forward';
  const size = forward ? pageSize('first', args.first) : pageSize('last', args.last);
  const argument = forward ? 'after' : 'before';
  const cursor = forward ? args.after : args.before;
  if (!cursor) return { from: forward ? 'start' : 'end', offset: 0, limit: size };
  const { anchor, index } = decodeCursor(cursor, fingerprint, argument);
  // Away from the cursor's anchor, the page starts next to the cursor; towards it, it ends next to it.
  const away = forward === (anchor === 'start');
  if (away) return { from: anchor, offset: index + 1, limit: size };
  const offset = Math.max(0, index - size);
  return { from: anchor, offset, limit: index - offset };
}
