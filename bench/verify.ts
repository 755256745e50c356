/**
 * A benchmark of a wrong answer is worthless: before any load, each server's answer is
 * checked for plausibility (CivicGraph's) and against CivicGraph's (the others'). The
 * required check is the one every server can pass — the same ids in the same order (Q1,
 * Q2, including each request's joined rows), the same counts per group (Q3). The baseline
 * promises the very same JSON, so any other difference from CivicGraph is reported too.
 */
import type { QueryId, ServerId } from './queries.js';

type Json = any;

export interface Verdict {
  ok: boolean;
  /** Why the answer is refused, when !ok. */
  reason?: string;
  /** A difference that does not make the answer wrong by the benchmark's rule, but should be seen. */
  warning?: string;
}

/** The ids (with joined ids for Q2, counts for Q3) that must match between servers. */
export function signature(query: QueryId, server: ServerId, json: Json): string[] {
  const data = json?.data;
  switch (query) {
    case 'Q1':
      return server === 'postgraphile'
        ? (data?.allSrCases?.edges ?? []).map((edge: Json) => String(edge?.node?.caseNo))
        : (data?.serviceRequests?.edges ?? []).map((edge: Json) => String(edge?.node?.id));
    case 'Q2':
      return (data?.serviceRequests?.nodes ?? []).map((node: Json) => {
        const orders = (node?.workOrders ?? []).map((order: Json) => order?.id).join(',');
        const permits = (node?.permitsAtAddress ?? []).map((permit: Json) => permit?.permitNumber).join(',');
        return `${node?.id} workOrders=[${orders}] permits=[${permits}]`;
      });
    case 'Q3':
      // Order is not part of the answer; months compare by year and month whatever their type (Date or DateTime).
      return (data?.serviceRequestStats ?? [])
        .map((group: Json) => `${group?.key?.serviceName} ${String(group?.key?.requestedAtMonth).slice(0, 7)} = ${group?.count}`)
        .sort();
  }
}

/** Checks that hold for a correct answer whatever the data: CivicGraph's is the reference, so it is checked on its own. */
export function plausible(query: QueryId, json: Json, pageSize: number): Verdict {
  const ids = signature(query, 'civicgraph', json).map((entry) => entry.split(' ')[0]!);
  if (ids.length === 0) return { ok: false, reason: 'empty answer' };
  if (query === 'Q3') return { ok: true };
  if (ids.length !== pageSize) return { ok: false, reason: `${ids.length} rows, expected ${pageSize}` };
  const unordered = ids.findIndex((id, i) => i > 0 && ids[i - 1]! >= id);
  if (unordered > 0) return { ok: false, reason: `ids not in ascending order at row ${unordered}` };
  return { ok: true };
}

function firstDifference(a: string[], b: string[]): string {
  const index = a.findIndex((entry, i) => entry !== b[i]);
  const at = index === -1 ? Math.min(a.length, b.length) : index;
  return `${a.length} vs ${b.length} entries; first difference at #${at}: ${JSON.stringify(b[at] ?? null)} instead of ${JSON.stringify(a[at] ?? null)}`;
}

/** The first path where two JSON values differ, ignoring opaque cursors, or undefined. */
export function diffPath(a: Json, b: Json, path = ''): string | undefined {
  const show = (value: Json): string => (JSON.stringify(value) ?? 'undefined').slice(0, 120);
  const sameKind = typeof a === typeof b && Array.isArray(a) === Array.isArray(b) && (a === null) === (b === null);
  if (!sameKind || a === null || typeof a !== 'object') return sameKind && a === b ? undefined : `${path || '/'}: ${show(b)} instead of ${show(a)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (key === 'cursor') continue;
    const found = diffPath(a[key], b[key], `${path}/${key}`);
    if (found) return found;
  }
  return undefined;
}

export function equivalent(query: QueryId, server: ServerId, reference: Json, candidate: Json): Verdict {
  const expected = signature(query, 'civicgraph', reference);
  const got = signature(query, server, candidate);
  if (expected.join('\n') !== got.join('\n')) return { ok: false, reason: `wrong answer: ${firstDifference(expected, got)}` };
  if (server === 'baseline' && query !== 'Q3') {
    // Only the data: `extensions` (the cost estimate) describes the gateway's handling, not the answer.
    const difference = diffPath(reference?.data, candidate?.data, '/data');
    if (difference) return { ok: true, warning: `same ids, but the JSON differs at ${difference}` };
  }
  return { ok: true };
}

/** CivicGraph without its limits must answer exactly as with them, less the cost estimate they add. */
export function equivalentWithoutLimits(reference: Json, candidate: Json): Verdict {
  if (candidate?.extensions?.cost !== undefined) return { ok: false, reason: 'the limits are still on: the answer carries extensions.cost' };
  if (JSON.stringify(candidate?.data) === JSON.stringify(reference?.data)) return { ok: true };
  return { ok: false, reason: `wrong answer: differs from CivicGraph's with limits at ${diffPath(reference?.data, candidate?.data, '/data') ?? 'a cursor'}` };
}

/** Another CivicGraph asked the same (with its cache, on other workers) must answer the same `data`. */
export function sameData(reference: Json, candidate: Json): Verdict {
  if (JSON.stringify(candidate?.data) === JSON.stringify(reference?.data)) return { ok: true };
  return { ok: false, reason: `wrong answer: differs from CivicGraph's at ${diffPath(reference?.data, candidate?.data, '/data') ?? 'a cursor'}` };
}
