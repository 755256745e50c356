import { describe, expect, it } from 'vitest';
import { answerText, rememberText } from '../../src/response/answer-text.js';
import { answerOf, entryText, type CachedAnswer } from '../../src/response/cache/answer-entry.js';

const data = { serviceRequests: { nodes: [{ id: 'SR-24-00000001', address: '11XX W 24TH ST', requestedAt: '2024-01-01T13:08:59.000Z' }, { id: 'SR-24-00000002', address: null }] } };

describe('an answer as text', () => {
  it('is JSON.stringify of the answer when its data has no remembered text', () => {
    const answer = { data: structuredClone(data), extensions: { cost: { estimated: 101, limit: 25_000 } } };
    expect(answerText(answer)).toBe(JSON.stringify(answer));
  });

  it('uses the remembered text of its data, and is the same JSON whatever else it holds', () => {
    const copy = structuredClone(data);
    rememberText(copy, JSON.stringify(copy));
    for (const answer of [{ data: copy }, { data: copy, extensions: { cost: { estimated: 1, limit: 2 } } }, { extensions: { a: 1 }, data: copy, errors: undefined }]) {
      expect(answerText(answer)).toBe(JSON.stringify(answer));
    }
  });

  it('serves the remembered text as it is, not the value serialised again', () => {
    const copy = structuredClone(data);
    // Text no JSON.stringify would write (spaces), so only reuse can put it in the answer.
    const spaced = JSON.stringify(copy, null, 1);
    rememberText(copy, spaced);
    expect(answerText({ data: copy })).toBe(`{"data":${spaced}}`);
  });
});

describe('a response-cache entry', () => {
  const cached: CachedAnswer = { expiresAt: 1_900_000_000_000, etag: '"abc"', audit: [], body: { data: structuredClone(data), extensions: { cost: { estimated: 3, limit: 9 } } } };

  it('gives back the answer it was written from, the data first as the executor writes it', () => {
    const text = entryText(cached, JSON.stringify(cached.body.data));
    const read = answerOf(text)!;
    expect(read).toEqual(cached);
    expect(Object.keys(read.body)).toEqual(['data', 'extensions']);
    expect(answerText(read.body)).toBe(JSON.stringify(cached.body));
  });

  it.each([
    ['an entry a former version wrote (one JSON document)', JSON.stringify(cached)],
    ['a damaged entry', '{"expiresAt":1,"etag":"x","audit":[],"rest":{}}\n{"serviceRequests":'],
    ['an entry whose head is not an answer', '{"etag":5}\n{}'],
    ['an entry whose data is not an object', '{"expiresAt":1,"etag":"x","audit":[],"rest":{}}\n42'],
  ])('is no answer for %s: it is answered anew', (_, text) => {
    expect(answerOf(text)).toBeUndefined();
  });
});
