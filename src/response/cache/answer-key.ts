/**
 * The key of one cached answer. Two requests share an answer only when they run against the
 * same role view (`view`: a digest of everything the view is built from, src/gateway/view-identity.ts),
 * over the same data (`dataVersion`, which changes when a CSV file does), with the same
 * document (printed, so spacing and comments do not matter), operation name and variables
 * (with their keys in one order). Nothing of the caller goes in but its role's view: callers
 * whose views are the same are served the same answer, and no other.
 */
import { createHash } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';

/** Apollo keeps one parsed document per query text, so each is printed and hashed once. */
const printed = new WeakMap<DocumentNode, string>();

export interface AnswerIdentity {
  view: string;
  dataVersion: string;
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

export function answerKey({ view, dataVersion, document, operationName, variables }: AnswerIdentity): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = digest(print(document))));
  return digest(JSON.stringify([view, dataVersion, text, operationName ?? null, canonical(variables ?? {})]));
}

export function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

/** `value` with every object's keys sorted, so that `{a, b}` and `{b, a}` are one key. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}
