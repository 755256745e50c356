/**
 * One query across the servers that take part in it: fetch CivicGraph's answer (the
 * reference), check it and every other server's against it, then measure the servers whose
 * answer passed — one at a time, so that they never compete for the CPU. CivicGraph with and
 * without its limits (Q1) are measured in turns (turns.ts), for a ratio that holds on a busy machine.
 */
import type { Options } from './args.js';
import type { ServerProcess } from './children.js';
import { postQuery } from './http.js';
import { measure } from './measure.js';
import { sourceQueriesPerRequest, type PerRequest } from './metrics.js';
import { Q2_PAGE_SIZE, Q2_PROBE_PAGE_SIZES, requestFor, type QueryId, type ServerId } from './queries.js';
import type { Row } from './report.js';
import { measureInTurns, medianMeasurement, type Target } from './turns.js';
import { equivalent, equivalentWithoutLimits, plausible } from './verify.js';

export type Servers = Record<ServerId, ServerProcess | { failed: string }>;

const SERVERS: ServerId[] = ['civicgraph', 'civicgraph-unlimited', 'civicgraph-public', 'baseline', 'postgraphile'];
const isCivicGraph = (server: ServerId): boolean => server.startsWith('civicgraph');

const running = (server: ServerProcess | { failed: string }): server is ServerProcess => !('failed' in server);

export async function benchQuery(query: QueryId, servers: Servers, options: Options, log: (line: string) => void): Promise<Row[]> {
  const rows: Row[] = SERVERS.filter((server) => requestFor(server, query)).map((server) => ({ query, server, notes: [] }));
  const skipAll = (civic: string, others: string): Row[] => rows.map((row) => ({ ...row, skipped: row.server === 'civicgraph' ? civic : others }));

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
    const verdict = row.server === 'civicgraph-unlimited' ? equivalentWithoutLimits(reference.json, answer.json) : equivalent(query, row.server, reference.json, answer.json);
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
    targets.set(row.server, { name: `${query} on ${row.server}`, url: `${server.url}${request.path}`, request, expectBody, ...(server.pid === undefined ? {} : { pid: server.pid }) });
    if (isCivicGraph(row.server)) row.sourceQueries = await sourceQueriesPerRequest(server.url, request, options.probeRequests);
  }

  const withoutLimits = rows.find((row) => row.server === 'civicgraph-unlimited');
  for (const row of rows) {
    const target = targets.get(row.server);
    // Measured in turns with `civicgraph`, below.
    if (!target || row === withoutLimits) continue;
    const partner = row.server === 'civicgraph' && withoutLimits ? targets.get(withoutLimits.server) : undefined;
    if (partner && withoutLimits) {
      const [on, off] = await measureInTurns([target, partner], options.limitsRounds, options, log);
      for (const [measured, rounds] of [[row, on], [withoutLimits, off]] as const) {
        measured.rounds = rounds;
        measured.measurement = medianMeasurement(rounds);
        if (rounds.length > 1) measured.notes.push(`median of ${rounds.length} rounds, in turns with and without the limits`);
      }
      continue;
    }
    log(`measuring ${target.name} for ${options.durationSeconds} s …`);
    row.measurement = await measure(target.url, target.request, target.expectBody, options, target.pid);
  }
  return rows;
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
