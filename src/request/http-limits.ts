/**
 * The bounds a request must keep to, and the shutdown's drain time, from the environment.
 * A bad value stops the gateway at startup: silently falling back to a default would leave
 * an operator believing in a limit that is not there.
 */
import type { Environment } from '../config/interpolate.js';

export interface HttpLimits {
  /** Largest request body, decompressed; GraphQL queries are small. */
  maxBodyBytes: number;
  /** Longest request target (path and query string): a GET carries its whole query there. */
  maxUrlBytes: number;
  /** Time a client has to send the request line and headers. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, headers and body. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept; behind a load balancer, longer than its idle timeout. */
  keepAliveTimeoutMs: number;
  /** How long a shutdown waits for requests in flight before cutting their connections. */
  shutdownTimeoutMs: number;
}

const VARIABLES: Readonly<Record<keyof HttpLimits, string>> = {
  maxBodyBytes: 'CIVICGRAPH_MAX_BODY_BYTES',
  maxUrlBytes: 'CIVICGRAPH_MAX_URL_BYTES',
  headersTimeoutMs: 'CIVICGRAPH_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'CIVICGRAPH_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'CIVICGRAPH_KEEP_ALIVE_TIMEOUT_MS',
  shutdownTimeoutMs: 'CIVICGRAPH_SHUTDOWN_TIMEOUT_MS',
};

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxBodyBytes: 100 * 1024,
  maxUrlBytes: 8 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  shutdownTimeoutMs: 10_000,
};

export function httpLimits(env: Environment): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS };
  for (const key of Object.keys(VARIABLES) as Array<keyof HttpLimits>) {
    const text = env[VARIABLES[key]]?.trim();
    if (!text) continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value === 0) {
      throw new Error(`${VARIABLES[key]} must be a whole number greater than 0 (default ${DEFAULT_HTTP_LIMITS[key]}), not "${text}"`);
    }
    limits[key] = value;
  }
  // Node refuses to start a server otherwise, with a message naming neither variable.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(`${VARIABLES.headersTimeoutMs} (${limits.headersTimeoutMs}) must not be longer than ${VARIABLES.requestTimeoutMs} (${limits.requestTimeoutMs}): the headers are part of the request`);
  }
  return limits;
}
