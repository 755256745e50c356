/**
 * How many source (database) queries CivicGraph runs per request, read from its Prometheus
 * counter `civicgraph_source_queries_total` (summed over its labels, e.g. per source)
 * before and after a fixed number of sequential requests. Sequential, so that no request is
 * still in flight when the counter is read the second time.
 */
import { getText, postQuery } from './http.js';
import type { Request } from './queries.js';

const COUNTER = 'civicgraph_source_queries_total';

/** The counter's total over all label sets, or undefined when the text has no sample of it. */
export function parseCounter(text: string, name = COUNTER): number | undefined {
  const sample = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`);
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const value = Number(sample.exec(line)?.[1]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

export async function readSourceQueries(baseUrl: string): Promise<number | undefined> {
  const text = await getText(`${baseUrl}/metrics`);
  return text === undefined ? undefined : parseCounter(text);
}

export type PerRequest = { value: number } | { unavailable: string };

export async function sourceQueriesPerRequest(baseUrl: string, request: Request, requests: number): Promise<PerRequest> {
  const before = await readSourceQueries(baseUrl);
  if (before === undefined) return { unavailable: `no ${COUNTER} at GET /metrics` };
  for (let i = 0; i < requests; i++) {
    const answer = await postQuery(`${baseUrl}${request.path}`, request.body, request.headers);
    if (!answer.ok) return { unavailable: `request failed: ${answer.error}` };
  }
  const after = await readSourceQueries(baseUrl);
  if (after === undefined) return { unavailable: `${COUNTER} disappeared` };
  return { value: (after - before) / requests };
}
