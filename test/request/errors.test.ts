/** What a caller is told of a failing source: a code that says who can act on it, the source, the reason. */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/request/errors.js';
import { SourceError, type SourceErrorReason } from '../../src/source/source.js';

function formatted(reason: SourceErrorReason) {
  const original = new SourceError('permits-api', 'what went wrong', reason);
  const error = new GraphQLError(original.message, { path: ['permits'], originalError: original });
  return formatError({ message: error.message, path: ['permits'] }, error, 'public', () => undefined);
}

describe('a source failure, as a caller sees it', () => {
  it.each<[SourceErrorReason, string]>([
    ['unreachable', 'SOURCE_UNAVAILABLE'],
    ['timeout', 'SOURCE_UNAVAILABLE'],
    ['deadline', 'DEADLINE_EXCEEDED'],
    ['missing-table', 'SOURCE_UNAVAILABLE'],
    ['query-failed', 'SOURCE_UNAVAILABLE'],
    ['bad-data', 'SOURCE_DATA_ERROR'],
    ['row-limit', 'QUERY_TOO_LARGE'],
  ])('%s is %s', (reason, code) => {
    expect(formatted(reason)).toEqual({
      message: 'source "permits-api": what went wrong',
      path: ['permits'],
      locations: undefined,
      extensions: { code, source: 'permits-api', reason },
    });
  });
});
