/**
 * How long one query may run: its source's own limit (queryTimeoutMs), or less when the
 * caller's `deadline` comes first. Which of the two ends it decides how running out of time
 * is reported: `timeout` says the system is slow, `deadline` that the caller could wait no longer.
 */

export interface TimeLimit {
  /** The instant (epoch ms) at which the query is stopped. */
  until: number;
  /** Whether the caller's deadline, not the source's own limit, sets `until`. */
  byDeadline: boolean;
}

export function timeLimit(timeoutMs: number, deadline: number | undefined, now = Date.now()): TimeLimit {
  const own = now + timeoutMs;
  return deadline !== undefined && deadline < own ? { until: deadline, byDeadline: true } : { until: own, byDeadline: false };
}

/** Milliseconds left before `limit`, never negative. */
export function msLeft(limit: TimeLimit, now = Date.now()): number {
  return Math.max(0, limit.until - now);
}

/** The one message every source gives when a caller's deadline stopped its query (the gateway shows the request's own error instead). */
export const STOPPED_AT_DEADLINE = "the query could not finish by its caller's deadline and was stopped";
