/**
 * Drives one server with autocannon: a warm-up run whose numbers are discarded (JIT,
 * connection pools, PostgreSQL's caches), then the measured run. Every response is checked
 * against the verified answer (`expectBody`), so a run that answers wrongly under load shows
 * up as mismatches rather than as fast.
 */
import autocannon from 'autocannon';
import { readFile } from 'node:fs/promises';
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
  /**
   * The server's CPU time (user + system, summed over its processes: a primary and its workers)
   * per request of the measured run, in ms; it varies less with other load on the machine than
   * throughput does. Undefined where the server's processes are not known or /proc cannot be read.
   */
  cpuMsPerRequest?: number;
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

/** `pids`: the server's processes, whose CPU time the measured run is charged. */
export async function measure(url: string, request: Request, expectBody: string, options: LoadOptions, pids: readonly number[] = []): Promise<Measurement> {
  if (options.warmupSeconds > 0) await run(url, request, expectBody, options.connections, options.warmupSeconds);
  const before = await processesCpuMs(pids);
  const result = await run(url, request, expectBody, options.connections, options.durationSeconds);
  const after = await processesCpuMs(pids);
  const cpuMsPerRequest = before !== undefined && after !== undefined && result.requests.total > 0 ? (after - before) / result.requests.total : undefined;
  return {
    ...(cpuMsPerRequest === undefined ? {} : { cpuMsPerRequest }),
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, mismatches: result.mismatches },
  };
}

/** Linux's clock ticks per second for /proc times (USER_HZ), 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time the processes have used so far (user + system), in ms; undefined where there are none or /proc cannot tell for one. */
async function processesCpuMs(pids: readonly number[]): Promise<number | undefined> {
  if (pids.length === 0) return undefined;
  const each = await Promise.all(pids.map(processCpuMs));
  return each.every((ms) => ms !== undefined) ? each.reduce((total: number, ms) => total + ms!, 0) : undefined;
}

async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
