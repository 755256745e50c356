/**
 * One query across the servers that take part in it: fetch CivicGraph's answer (the
 * reference), check it and every other server's against it, then measure the servers whose
 * answer passed — one at a time, so that they never compete for the CPU. The pairs of
 * COMPARISONS (Q1: with and without the limits, cached and uncached, two workers and one) are
 * measured in turns (turns.ts), for ratios that hold on a busy machine.
 */
import type { Options } from './args.js';
import type { ServerProcess } from './children.js';
import { postQuery } from './http.js';
import { measure } from './measure.js';
import { sourceQueriesPerRequest, type PerRequest } from './metrics.js';
import { Q2_PAGE_SIZE, Q2_PROBE_PAGE_SIZES, requestFor, type QueryId, type ServerId } from './queries.js';
import type { ComparisonId, Row, Turns } from './report.js';
import { measureInTurns, medianMeasurement, type Target } from './turns.js';
import { equivalent, equivalentWithoutLimits, plausible, sameData } from './verify.js';

export type Servers = Record<ServerId, ServerProcess | { failed: string }>;

const SERVERS: ServerId[] = ['civicgraph', 'civicgraph-unlimited', 'civicgraph-cached', 'civicgraph-1-worker', 'civicgraph-2-workers', 'civicgraph-public', 'baseline', 'postgraphile'];

/**
 * The pairs measured in turns, `[first, second]` as their ratio reads (first ÷ second). A server
 * in several pairs (`civicgraph`) is measured anew in each; its row gives its first pair's medians.
 */
export const COMPARISONS: Record<ComparisonId, { servers: [ServerId, ServerId]; rounds: (options: Options) => number; note: string }> = {
  limits: { servers: ['civicgraph', 'civicgraph-unlimited'], rounds: (o) => o.limitsRounds, note: 'in turns with and without the limits' },
  cache: { servers: ['civicgraph-cached', 'civicgraph'], rounds: (o) => o.cacheRounds, note: 'in turns with and without the response cache' },
  workers: { servers: ['civicgraph-2-workers', 'civicgraph-1-worker'], rounds: (o) => o.workersRounds, note: 'in turns on two workers and one' },
};

/** A query's rows, and the rounds of the comparisons measured on it. */
export interface QueryResults {
  rows: Row[];
  turns: Partial<Record<ComparisonId, Turns>>;
}
const isCivicGraph = (server: ServerId): boolean => server.startsWith('civicgraph');

const running = (server: ServerProcess | { failed: string }): server is ServerProcess => !('failed' in server);

export async function benchQuery(query: QueryId, servers: Servers, options: Options, log: (line: string) => void): Promise<QueryResults> {
  const rows: Row[] = SERVERS.filter((server) => requestFor(server, query)).map((server) => ({ query, server, notes: [] }));
  const skipAll = (civic: string, others: string): QueryResults => ({ rows: rows.map((row) => ({ ...row, skipped: row.server === 'civicgraph' ? civic : others })), turns: {} });

  const civic = servers.civicgraph;
  if (!running(civic)) return skipAll(civic.failed, 'not measured: CivicGraph did not start');
  const civicRequest = requestFor('civicgraph', query)!;
  const reference = await postQuery(`${civic.url}${civicRequest.path}`, civicRequest.body, civicRequest.headers);
  const nothingToCompare = `not measured: CivicGraph cannot answer ${query} yet, so there is no answer to check against`;
  if (!reference.ok) return skipAll(`not available: ${reference.error}`, nothingToCompare);
  const sane = plausible(query, reference.json, query === 'Q2' ? Q2_PAGE_SIZE : 100);
  if (!sane.ok) return skipAll(`wrong answer: ${sane.reason}`, nothingToCompare);

  const verified = new Map<ServerId, string>([['civicgraph', reference.text]]);
  for (const row of rows) {
    if (row.server === 'civicgraph') continue;
    const server = servers[row.server];
    if (!running(server)) {
      row.skipped = server.failed;
      continue;
    }
    const request = requestFor(row.server, query)!;
    const answer = await postQuery(`${server.url}${request.path}`, request.body, request.headers);
    if (!answer.ok) {
      row.skipped = `not available: ${answer.error}`;
      continue;
    }
    if (row.server === 'civicgraph-public') {
      // The public answer differs from the department's by design (withheld rows, generalised
      // values); it is checked for shape, then measured against its own first answer.
      const shape = plausible(query, answer.json, 100);
      if (shape.ok) verified.set(row.server, answer.text);
      else row.skipped = `wrong answer: ${shape.reason}`;
      continue;
    }
    if (row.server === 'civicgraph-cached') {
      // The first answer was computed and stored; the load is answered from the store, so the
      // body it must match is a stored one: the second answer, whose data must be the same.
      const stored = await postQuery(`${server.url}${request.path}`, request.body, request.headers);
      const verdict = sameData(reference.json, answer.json);
      const storedVerdict = stored.ok ? sameData(reference.json, stored.json) : { ok: false, reason: `not available: ${stored.error}` };
      if (verdict.ok && storedVerdict.ok && stored.ok) verified.set(row.server, stored.text);
      else row.skipped = verdict.reason ?? storedVerdict.reason;
      continue;
    }
    const verdict =
      row.server === 'civicgraph-unlimited'
        ? equivalentWithoutLimits(reference.json, answer.json)
        : row.server === 'civicgraph-1-worker' || row.server === 'civicgraph-2-workers'
          ? sameData(reference.json, answer.json)
          : equivalent(query, row.server, reference.json, answer.json);
    if (verdict.warning) row.notes.push(verdict.warning);
    if (verdict.ok) verified.set(row.server, answer.text);
    else row.skipped = verdict.reason;
  }

  const targets = new Map<ServerId, Target>();
  for (const row of rows) {
    const expectBody = verified.get(row.server);
    const server = servers[row.server];
    if (expectBody === undefined || !running(server)) continue;
    const request = requestFor(row.server, query)!;
    targets.set(row.server, { name: `${query} on ${row.server}`, url: `${server.url}${request.path}`, request, expectBody, pids: server.cpuPids });
    // Two workers keep a counter each, and consecutive requests may reach either: not counted.
    if (row.server === 'civicgraph-2-workers') row.sourceQueries = { unavailable: 'a counter per worker' };
    else if (isCivicGraph(row.server)) row.sourceQueries = await sourceQueriesPerRequest(server.url, request, options.probeRequests);
  }

  // The comparisons both of whose servers answered rightly; their servers are measured there.
  const turns: Partial<Record<ComparisonId, Turns>> = {};
  const paired = new Set<ServerId>();
  for (const [id, comparison] of Object.entries(COMPARISONS) as [ComparisonId, (typeof COMPARISONS)[ComparisonId]][]) {
    const [first, second] = comparison.servers.map((server) => targets.get(server));
    if (!first || !second) continue;
    const measured = await measureInTurns([first, second], comparison.rounds(options), options, log);
    turns[id] = measured;
    comparison.servers.forEach((server, side) => {
      const row = rows.find((r) => r.server === server)!;
      if (paired.has(server)) return;
      paired.add(server);
      const rounds = measured[side]!;
      row.measurement = medianMeasurement(rounds);
      if (rounds.length > 1) row.notes.push(`median of ${rounds.length} rounds, ${comparison.note}`);
    });
  }
  for (const row of rows) {
    const target = targets.get(row.server);
    if (!target || paired.has(row.server)) continue;
    log(`measuring ${target.name} for ${options.durationSeconds} s …`);
    row.measurement = await measure(target.url, target.request, target.expectBody, options, target.pids);
  }
  return { rows, turns };
}

/** Q2's source queries per request at each probe page size: a batched plan keeps it constant. */
export async function probePageSizes(servers: Servers, options: Options): Promise<{ pageSize: number; perRequest: PerRequest }[]> {
  const civic = servers.civicgraph;
  const results: { pageSize: number; perRequest: PerRequest }[] = [];
  for (const pageSize of Q2_PROBE_PAGE_SIZES) {
    if (!running(civic)) {
      results.push({ pageSize, perRequest: { unavailable: 'CivicGraph did not start' } });
      continue;
    }
    const request = requestFor('civicgraph', 'Q2', pageSize)!;
    const answer = await postQuery(`${civic.url}${request.path}`, request.body, request.headers);
    results.push({
      pageSize,
      perRequest: answer.ok
        ? await sourceQueriesPerRequest(civic.url, request, options.probeRequests)
        : { unavailable: `Q2 not available: ${answer.error}` },
    });
  }
  return results;
}
