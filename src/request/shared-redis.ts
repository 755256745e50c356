/**
 * One connection to the Redis that gateway instances (and workers) share their rate-limit
 * counters and response cache through. Made lazily, with a short connect timeout and no
 * automatic reconnection: while Redis cannot be reached (or answers too slowly) every command
 * reports it as unavailable at once, its callers fall back (rate limits count in-process, the
 * cache is bypassed), the outage is logged once for both, and a new connection is tried at most
 * every few seconds. Nothing here logs the URL or an error text that could carry it.
 */
import type { Log } from '../observe/log.js';
import { createClient } from 'redis';
import type { Secret } from '../config/secret.js';

export type RedisClient = ReturnType<typeof createClient>;

export interface SharedRedisOptions {
  url: Secret;
  /** Where the outage and recovery are reported (never with the URL). */
  log?: Log;
  /** Told each time Redis is found unreachable (false) or reachable again (true), for metrics. */
  onState?: (reachable: boolean) => void;
  /** How long connecting may take; default 500 ms. */
  connectTimeoutMs?: number;
  /** How long one command may take before its caller falls back; default 500 ms. */
  commandTimeoutMs?: number;
  /** After a failure, how long to fall back before trying Redis again; default 5,000 ms. */
  retryAfterMs?: number;
  /** The connection's name in Redis's CLIENT LIST; default `civicgraph-<pid>`. */
  clientName?: string;
}

export class SharedRedis {
  private readonly log: Log;
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly retryAfterMs: number;
  private client: RedisClient | undefined;
  private connecting: Promise<RedisClient | undefined> | undefined;
  /** While Redis is known to be down: when to try it again. */
  private downUntil = 0;
  private down = false;
  private closed = false;

  constructor(private readonly options: SharedRedisOptions) {
    this.log = options.log ?? (() => undefined);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 500;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500;
    this.retryAfterMs = options.retryAfterMs ?? 5_000;
  }

  /** `command`'s answer, or undefined when Redis cannot be reached in time (the outage noted). Never rejects. */
  async run<T>(command: (client: RedisClient) => Promise<T>): Promise<{ value: T } | undefined> {
    const client = await this.redis();
    if (!client) return undefined;
    try {
      const value = await withTimeout(command(client), this.commandTimeoutMs);
      this.recovered();
      return { value };
    } catch (error) {
      this.failed(error, client);
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting);
    this.client = undefined;
    if (client?.isOpen) {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    }
  }

  /** A ready client, connecting if need be; undefined while Redis is down. */
  private async redis(): Promise<RedisClient | undefined> {
    if (this.closed) return undefined;
    if (this.client?.isReady) return this.client;
    if (this.connecting) return this.connecting;
    if (Date.now() < this.downUntil) return undefined;
    if (this.client) {
      // It was connected, and the connection broke.
      this.failed(new Error('connection lost'), this.client);
      return undefined;
    }
    this.connecting = this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<RedisClient | undefined> {
    const client = createClient({
      url: this.options.url.reveal(),
      // Commands fail at once while disconnected instead of queueing behind a dead socket.
      disableOfflineQueue: true,
      name: this.options.clientName ?? `civicgraph-${process.pid}`,
      socket: { connectTimeout: this.connectTimeoutMs, reconnectStrategy: false },
    });
    // Without a listener an 'error' event would crash the process; failures are handled where they surface.
    client.on('error', () => undefined);
    try {
      await withTimeout(client.connect(), this.connectTimeoutMs + 100);
    } catch (error) {
      this.failed(error, client);
      return undefined;
    }
    if (this.closed) {
      client.destroy();
      return undefined;
    }
    this.client = client;
    return client;
  }

  private failed(error: unknown, client: RedisClient): void {
    if (this.client === client) this.client = undefined;
    try {
      client.destroy();
    } catch {
      // already closed
    }
    this.downUntil = Date.now() + this.retryAfterMs;
    if (!this.down && !this.closed) {
      this.down = true;
      this.options.onState?.(false);
      this.log(`Redis is unreachable (${reason(error)}): rate limits count in this process and the response cache is bypassed until it is back`, 'warn');
    }
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.options.onState?.(true);
    this.log('Redis is reachable again: rate limits and the response cache are shared through it');
  }
}

/** Rejects after `ms`; the promise it races is left to settle on its own. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A failure in words that cannot carry the URL: an errno code or a fixed phrase. */
function reason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  if (error instanceof Error && ['timed out', 'connection lost'].includes(error.message)) return error.message;
  return 'connection failed';
}
