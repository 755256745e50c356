/**
 * The text of a response-cache entry: the answer without its data, as JSON, a newline, then the
 * data's JSON, which a hit serves as it is stored (src/response/answer-text.ts). JSON text holds
 * no raw newline, so the first one parts the two.
 */
import type { FormattedExecutionResult } from 'graphql';
import type { AuditEntry } from '../../privacy/audit.js';
import { rememberText } from '../answer-text.js';

export interface CachedAnswer {
  expiresAt: number;
  etag: string;
  /** What the answer read, audited again each time it is served. */
  audit: AuditEntry[];
  body: FormattedExecutionResult;
}

export function entryText({ body: { data, ...rest }, ...meta }: CachedAnswer, dataText: string): string {
  return `${JSON.stringify({ ...meta, rest })}\n${dataText}`;
}

/** The answer an entry's text holds; undefined for text of any other shape (one a former version wrote, or a damaged one), which is answered anew. */
export function answerOf(text: string): CachedAnswer | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const { rest, ...meta } = JSON.parse(text.slice(0, newline)) as Omit<CachedAnswer, 'body'> & { rest: Omit<FormattedExecutionResult, 'data'> };
    const dataText = text.slice(newline + 1);
    const data: unknown = JSON.parse(dataText);
    if (typeof meta.etag !== 'string' || !Array.isArray(meta.audit) || typeof data !== 'object' || data === null) return undefined;
    rememberText(data, dataText);
    return { ...meta, body: { data: data as Record<string, unknown>, ...rest } };
  } catch {
    return undefined;
  }
}
