/**
 * Rate limits per caller: fixed-window counters, shared through Redis when roles.yaml names
 * one (`rateLimits.redisUrl`), in-process otherwise.
 *
 * - With Redis, each request is one MULTI of `INCR` + `PEXPIRE … NX` (the window starts at a
 *   key's first hit) + `PTTL`, on keys under `civicgraph:rl:`, over the gateway's one shared
 *   connection (./shared-redis.ts): when Redis cannot be reached, that request is counted
 *   in-process. A request never fails because Redis is down.
 * - In-process, a Map of counters with expiry, bounded in size (the oldest counters are
 *   dropped first when it is full).
 *
 * Keys never carry a credential: app tokens and JWT subjects are hashed (`rateLimitKey`).
 */
import { createHash } from 'node:crypto';
import type { RateLimits } from '../config/roles.js';
import type { Caller } from './authenticate.js';
import type { RedisClient, SharedRedis } from './shared-redis.js';

export interface RateLimitDecision {
  /** Whether this request is within the limit. */
  allowed: boolean;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Milliseconds until the current window ends and the count starts again. */
  resetMs: number;
}

export interface RateLimiterOptions {
  windowMs: number;
  /** Shared counters; absent: in-process only. */
  redis?: SharedRedis;
  /** Prefix of the Redis keys; default `civicgraph:rl:` (tests add their own suffix). */
  prefix?: string;
  /** The most in-process counters kept; default 100,000. */
  maxEntries?: number;
}

export const REDIS_KEY_PREFIX = 'civicgraph:rl:';

export class RateLimiter {
  readonly windowMs: number;
  private readonly memory: MemoryCounter;
  private readonly prefix: string;

  constructor(private readonly options: RateLimiterOptions) {
    if (!Number.isSafeInteger(options.windowMs) || options.windowMs <= 0) throw new Error('rate limit window must be a positive number of milliseconds');
    this.windowMs = options.windowMs;
    this.memory = new MemoryCounter(options.windowMs, options.maxEntries ?? 100_000);
    this.prefix = options.prefix ?? REDIS_KEY_PREFIX;
  }

  /** Whether counts are shared through Redis (when it is reachable). */
  get shared(): boolean {
    return this.options.redis !== undefined;
  }

  /** The Redis connection the counts are shared through, if any. */
  get redis(): SharedRedis | undefined {
    return this.options.redis;
  }

  /**
   * Spends `amount` (one request, or a request's estimated cost) of `key`'s budget of `limit` per
   * window, and says whether it was within it. What would overspend is refused and not spent, so a
   * caller refused a costly request may still make a cheaper one. Never rejects.
   */
  async take(key: string, limit: number, amount = 1): Promise<RateLimitDecision> {
    const counted = await this.options.redis?.run((client) => this.incr(client, this.prefix + key, amount, limit));
    if (counted) return decide(counted.value.count, limit, counted.value.ttl > 0 ? counted.value.ttl : this.windowMs, amount);
    return this.memory.take(key, limit, Date.now(), amount);
  }

  /** The count after spending; over `limit`, the amount is given back and the count is what it would have been. */
  private async incr(client: RedisClient, key: string, amount: number, limit: number): Promise<{ count: number; ttl: number }> {
    const replies = (await client.multi().incrBy(key, amount).pExpire(key, this.windowMs, 'NX').pTTL(key).exec()) as unknown[];
    const count = Number(replies[0]);
    if (count > limit) await client.decrBy(key, amount);
    return { count, ttl: Number(replies[2]) };
  }
}

/** Fixed-window counters in this process, at most `maxEntries` of them. */
export class MemoryCounter {
  /** In insertion order, which is the order their windows end in: a new window re-inserts its key. */
  private readonly counters = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.counters.size;
  }

  take(key: string, limit: number, now = Date.now(), amount = 1): RateLimitDecision {
    let counter = this.counters.get(key);
    if (!counter || counter.resetAt <= now) {
      if (counter) this.counters.delete(key);
      else if (this.counters.size >= this.maxEntries) this.evict(now);
      counter = { count: 0, resetAt: now + this.windowMs };
      this.counters.set(key, counter);
    }
    const count = counter.count + amount;
    if (count <= limit) counter.count = count;
    return decide(count, limit, counter.resetAt - now, amount);
  }

  /** Drops the counters whose window has ended, then, if still full, the oldest tenth. */
  private evict(now: number): void {
    for (const [key, counter] of this.counters) {
      if (counter.resetAt > now) break;
      this.counters.delete(key);
    }
    if (this.counters.size < this.maxEntries) return;
    let excess = this.counters.size - this.maxEntries + Math.max(1, Math.floor(this.maxEntries / 10));
    for (const key of this.counters.keys()) {
      if (excess-- <= 0) break;
      this.counters.delete(key);
    }
  }
}

/** `count`: the window's count with this request spent; a refused request leaves what was left before it. */
function decide(count: number, limit: number, resetMs: number, amount: number): RateLimitDecision {
  const left = count <= limit ? limit - count : limit - (count - amount);
  return { allowed: count <= limit, remaining: Math.max(0, left), resetMs: Math.max(0, Math.round(resetMs)) };
}

/** The kinds of caller that rate limits count separately, as roles.yaml names their budgets. */
export type CallerKind = 'anonymous' | 'appToken' | 'token';

const WHO: Readonly<Record<CallerKind, RateLimitSubject['who']>> = { anonymous: 'anonymous callers', appToken: 'app tokens', token: 'tokens' };

/** What a caller is counted as. */
export interface RateLimitSubject {
  /** The counter's key, without the Redis prefix; it never holds a credential. */
  key: string;
  limit: number;
  /** Who shares this limit, for the 429 message. */
  who: 'anonymous callers' | 'app tokens' | 'tokens';
}

/** The raw credentials of a request, as the endpoint read them, and the client address. */
export interface RateLimitCredentials {
  ip: string | undefined;
  appToken: string | undefined;
  authorization: string | undefined;
}

/** Who a caller is counted as: per client address, per app token, or per JWT subject. The key never holds a credential. */
export function callerKey(caller: Caller, credentials: RateLimitCredentials): { key: string; kind: CallerKind } {
  switch (caller.kind) {
    case 'jwt':
      // A token without a subject is counted per token.
      return { key: caller.subject !== undefined ? `sub:${hash(caller.subject)}` : `jwt:${hash(bearerToken(credentials.authorization))}`, kind: 'token' };
    case 'app-token':
      return { key: `app:${hash((credentials.appToken ?? '').trim())}`, kind: 'appToken' };
    default:
      return { key: `ip:${credentials.ip ?? 'unknown'}`, kind: 'anonymous' };
  }
}

/** The key and limit of an authenticated caller in one budget (requests, or cost, per window). */
export function rateLimitKey(caller: Caller, limits: Readonly<Record<CallerKind, number>>, credentials: RateLimitCredentials): RateLimitSubject {
  const { key, kind } = callerKey(caller, credentials);
  return { key, limit: limits[kind], who: WHO[kind] };
}

/** The first 16 hex characters of sha256: enough to tell callers apart, nothing to replay. */
export function hash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

function bearerToken(authorization: string | undefined): string {
  return /^Bearer[ \t]+(\S+)/i.exec(authorization?.trim() ?? '')?.[1] ?? '';
}

/** One budget a request spent from, and what is left of it. */
export interface SpentBudget {
  /** `requests` or `cost`, as `RateLimit-Policy` names it. */
  name: string;
  limit: number;
  decision: RateLimitDecision;
}

/**
 * The `RateLimit-*` headers for the budgets a request spent from: `RateLimit-Limit`, `-Remaining`
 * and `-Reset` describe the one nearest to running out (as the IETF draft asks when several
 * apply), and `RateLimit-Policy` lists them all, e.g. `120;w=60;comment="requests", 250000;w=60;comment="cost"`.
 */
export function budgetHeaders(spent: readonly SpentBudget[], windowMs: number): Record<string, string> {
  const refused = spent.find((budget) => !budget.decision.allowed);
  const nearest = refused ?? spent.reduce((a, b) => (b.decision.remaining / b.limit < a.decision.remaining / a.limit ? b : a));
  const window = Math.max(1, Math.round(windowMs / 1000));
  return {
    ...rateLimitHeaders(nearest.limit, nearest.decision),
    'RateLimit-Policy': spent.map((budget) => `${budget.limit};w=${window};comment="${budget.name}"`).join(', '),
  };
}

/** The `RateLimit-*` headers (IETF draft httpapi-ratelimit-headers), and `Retry-After` when refused. */
export function rateLimitHeaders(limit: number, decision: RateLimitDecision): Record<string, string> {
  const reset = String(Math.max(1, Math.ceil(decision.resetMs / 1000)));
  const headers: Record<string, string> = { 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': String(decision.remaining), 'RateLimit-Reset': reset };
  if (!decision.allowed) headers['Retry-After'] = reset;
  return headers;
}
