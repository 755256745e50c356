/**
 * One GET against the API as the gateway must make it: bounded in time (retries
 * included), bounded in size, retried while the API is busy or down, and failing with a
 * message chosen here. Messages from fetch are never copied: they quote the URL (whose
 * query string may hold an app token), and JSON.parse's quote the body.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RestOptions } from '../../config/mapping.js';
import { SourceError } from '../source.js';
import { msLeft, STOPPED_AT_DEADLINE, timeLimit, type TimeLimit } from '../time-limit.js';
import type { Endpoint } from './endpoint.js';

export interface HttpSettings {
  headers: RestOptions['headers'];
  retries: number;
  maxResponseBytes: number;
  /** The limit of one query's requests, retries and waits together (queryTimeoutMs). */
  timeoutMs: number;
  /** Aborted when the source closes, cancelling its requests in flight. */
  closed: AbortSignal;
}

/** Statuses that say "try again later": rate limiting, an overloaded or restarting server or proxy. */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
const BACKOFF_MS = 200;

/**
 * The parsed JSON body of a successful GET of `url`, within `limit`: a scan gives all its
 * pages one limit, so a query's time is bounded however many pages it reads.
 */
export function getJson(url: URL, endpoint: Endpoint, settings: HttpSettings, limit = timeLimit(settings.timeoutMs, undefined)): Promise<unknown> {
  return withinLimit(endpoint, settings, limit, async (signal) => {
    const response = await fetchWithRetries(url, endpoint, settings, signal, limit, RETRY_STATUSES);
    return readJson(response, endpoint, settings.maxResponseBytes, signal);
  });
}

/** Resolves when the host answers with any status at all (a ping where no endpoint is known). */
export function reachHost(url: URL, endpoint: Endpoint, settings: HttpSettings): Promise<void> {
  const limit = timeLimit(settings.timeoutMs, undefined);
  return withinLimit(endpoint, settings, limit, async (signal) => {
    await discard(await fetchWithRetries(url, endpoint, settings, signal, limit, new Set()));
  });
}

/** Running out of time: the query's own limit says the API is slow, the caller's deadline that the caller could wait no longer. */
function outOfTime(endpoint: Endpoint, limit: TimeLimit, timeoutMessage: string): SourceError {
  return limit.byDeadline ? endpoint.error(STOPPED_AT_DEADLINE, 'deadline') : endpoint.error(timeoutMessage, 'timeout');
}

async function withinLimit<T>(endpoint: Endpoint, settings: HttpSettings, limit: TimeLimit, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (settings.closed.aborted) throw endpoint.error('the source is closed', 'query-failed');
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, msLeft(limit));
  settings.closed.addEventListener('abort', abort);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    if (settings.closed.aborted) throw endpoint.error('the source was closed while a request was running', 'query-failed');
    if (controller.signal.aborted) {
      throw outOfTime(endpoint, limit, `reading the API took longer than the query's ${settings.timeoutMs} ms limit (queryTimeoutMs) and was stopped`);
    }
    throw endpoint.error(`the request failed (${error instanceof Error ? error.name : 'unknown error'})`, 'query-failed');
  } finally {
    clearTimeout(timer);
    settings.closed.removeEventListener('abort', abort);
  }
}

async function fetchWithRetries(
  url: URL,
  endpoint: Endpoint,
  settings: HttpSettings,
  signal: AbortSignal,
  limit: TimeLimit,
  retryOn: ReadonlySet<number>,
): Promise<Response> {
  const headers = requestHeaders(endpoint, settings.headers);
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= settings.retries;
    let response: Response;
    try {
      // Redirects are not followed: the credential headers would go wherever the API points (fetch drops only Authorization).
      response = await fetch(url, { headers, signal, redirect: 'manual' });
    } catch (error) {
      if (signal.aborted) throw error;
      const code = networkCode(error);
      if (last) throw endpoint.error(`cannot reach the API${code ? ` (${code})` : ''}${tries(attempt)}`, 'unreachable');
      await pause(backoff(attempt), undefined, `could not reach the API${code ? ` (${code})` : ''}`);
      continue;
    }
    if (!retryOn.has(response.status)) return response;
    const { status } = response;
    const asked = retryAfterMs(response.headers.get('retry-after'));
    await discard(response);
    if (last) throw gaveUp(endpoint, status, attempt);
    await pause(asked ?? backoff(attempt), asked, `the API answered ${status}`);
  }

  /** Waits before the next try, or fails now when the wait would not end within the limit. */
  async function pause(ms: number, asked: number | undefined, what: string): Promise<void> {
    const remaining = msLeft(limit);
    const own = `the query's ${settings.timeoutMs} ms limit (queryTimeoutMs)`;
    if (asked !== undefined && asked >= remaining) {
      throw outOfTime(endpoint, limit, `${what} and asked to wait ${Math.ceil(asked / 1000)} s before retrying, longer than is left of ${own}`);
    }
    if (ms >= remaining) throw outOfTime(endpoint, limit, `${what}, and retrying would go past ${own}`);
    await sleep(ms, undefined, { signal });
  }
}

function tries(attempt: number): string {
  return attempt === 0 ? '' : ` (tried ${attempt + 1} times)`;
}

function gaveUp(endpoint: Endpoint, status: number, attempt: number): SourceError {
  if (status === 429) return endpoint.error(`the API refused the requests as too many (429)${tries(attempt)}`, 'unreachable');
  // A 500 that persists is more likely this request's fault than an outage.
  if (status === 500) return endpoint.error(`the API failed (500)${tries(attempt)}`, 'query-failed');
  return endpoint.error(`the API is unavailable (${status})${tries(attempt)}`, 'unreachable');
}

/** Exponential, with ±25% jitter so that gateways retrying together do not hit the API in step. */
function backoff(attempt: number): number {
  return BACKOFF_MS * 2 ** attempt * (0.75 + Math.random() * 0.5);
}

/** Retry-After in seconds or as an HTTP date → milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function requestHeaders(endpoint: Endpoint, configured: RestOptions['headers']): Headers {
  const headers = new Headers({ accept: 'application/json' });
  for (const [name, value] of configured) {
    try {
      headers.set(name, value.reveal());
    } catch {
      throw endpoint.error(`header "${name}" has a name or value HTTP does not allow`, 'query-failed');
    }
  }
  return headers;
}

/** The system error code under fetch's 'fetch failed' (ECONNREFUSED, ENOTFOUND), which is safe to show. */
function networkCode(error: unknown): string | undefined {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const code: unknown = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

async function readJson(response: Response, endpoint: Endpoint, maxBytes: number, signal: AbortSignal): Promise<unknown> {
  const { status } = response;
  if (status < 200 || status > 299) {
    await discard(response);
    throw statusError(endpoint, status);
  }
  const type = mediaType(response.headers.get('content-type'));
  if (type !== undefined && type !== 'application/json' && !type.endsWith('+json')) {
    await discard(response);
    // A login or maintenance page served with 200 is the usual cause.
    const shown = /^[\w.+-]{1,60}\/[\w.+-]{1,60}$/.test(type) ? type : 'a non-JSON content type';
    throw endpoint.error(`the API answered ${shown} instead of JSON`, 'bad-data');
  }
  const text = await readText(response, endpoint, maxBytes, signal);
  try {
    return JSON.parse(text);
  } catch {
    throw endpoint.error(type === undefined ? 'the API answered something other than JSON' : 'the API answered malformed JSON', 'bad-data');
  }
}

function statusError(endpoint: Endpoint, status: number): SourceError {
  if (status === 401 || status === 403) return endpoint.error(`the API refused the credentials (${status})`, 'unreachable');
  if (status === 404) return endpoint.error('the API has no such endpoint (404)', 'missing-table');
  if (status >= 300 && status < 400) {
    return endpoint.error(`the API redirected the request (${status}); put the address it redirects to in the connection, so credentials go only there`, 'query-failed');
  }
  if (status >= 400 && status < 500) return endpoint.error(`the API rejected the request (${status})`, 'query-failed');
  return endpoint.error(`the API answered ${status}`, 'query-failed');
}

function mediaType(header: string | null): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

/** The body as text, read as a stream so that an oversized body is cut off rather than buffered. */
async function readText(response: Response, endpoint: Endpoint, maxBytes: number, signal: AbortSignal): Promise<string> {
  const tooLarge = () => endpoint.error(`the response exceeded ${maxBytes} bytes (maxResponseBytes)`, 'bad-data');
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await discard(response);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (signal.aborted) throw error;
      throw endpoint.error('the connection broke while the API was answering', 'unreachable');
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw endpoint.error('the API answered text that is not UTF-8', 'bad-data');
  }
}
