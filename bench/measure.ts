/**
 * Drives one server with autocannon: a warm-up run whose numbers are discarded (JIT,
 * connection pools, PostgreSQL's caches), then the measured run. Every response is checked
 * against the verified answer (`expectBody`), so a run that answers wrongly under load shows
 * up as mismatches rather than as fast.
 */
import autocannon from 'autocannon';
import type { Request } from './queries.js';
import { JSON_HEADERS } from './http.js';

export interface LoadOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx responses, connection errors, timeouts and wrong bodies. */
  failures: { non2xx: number; errors: number; timeouts: number; mismatches: number };
}

async function run(url: string, request: Request, expectBody: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { ...JSON_HEADERS, ...request.headers },
    body: request.body,
    expectBody,
    connections,
    duration,
    // Seconds; a response slower than this counts as a timeout instead of stalling the run.
    timeout: 30,
  });
}

export async function measure(url: string, request: Request, expectBody: string, options: LoadOptions): Promise<Measurement> {
  if (options.warmupSeconds > 0) await run(url, request, expectBody, options.connections, options.warmupSeconds);
  const result = await run(url, request, expectBody, options.connections, options.durationSeconds);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, mismatches: result.mismatches },
  };
}
