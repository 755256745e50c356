/**
 * Where cached answers are kept: in Redis when the gateway has one (every worker and instance
 * then serves one cache), else in this process, in a least-recently-used map bounded in bytes
 * (lru-cache). A Redis that cannot be reached is never waited on and never replaced by the
 * process's own memory: the cache is bypassed until it is back (./shared-redis.ts says so
 * once), so instances never serve answers the others dropped.
 */
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../../observe/metrics.js';
import type { SharedRedis } from '../../request/shared-redis.js';

export type Lookup = { kind: 'hit'; value: string } | { kind: 'miss' } | { kind: 'bypassed' };

export interface AnswerStore {
  get(key: string): Promise<Lookup>;
  /** Keeps `value` for `ttlMs`; never rejects (an answer that cannot be kept is simply not cached). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export const REDIS_CACHE_PREFIX = 'civicgraph:rc:';

export class RedisAnswers implements AnswerStore {
  constructor(
    private readonly redis: SharedRedis,
    private readonly prefix = REDIS_CACHE_PREFIX,
  ) {}

  async get(key: string): Promise<Lookup> {
    const found = await this.redis.run((client) => client.get(this.prefix + key));
    if (!found) return { kind: 'bypassed' };
    return typeof found.value === 'string' ? { kind: 'hit', value: found.value } : { kind: 'miss' };
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.run((client) => client.set(this.prefix + key, value, { expiration: { type: 'PX', value: ttlMs } }));
  }
}

export class MemoryAnswers implements AnswerStore {
  private readonly answers: LRUCache<string, string>;

  /** `maxBytes`: about how much memory the answers may take (their JSON text, counted as UTF-16). */
  constructor(maxBytes: number, metrics: Metrics) {
    this.answers = new LRUCache<string, string>({
      maxSize: maxBytes,
      sizeCalculation: (value, key) => 2 * (value.length + key.length),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') metrics.cacheEvictions.inc();
      },
    });
  }

  async get(key: string): Promise<Lookup> {
    const value = this.answers.get(key);
    return value === undefined ? { kind: 'miss' } : { kind: 'hit', value };
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    // An answer larger than the whole cache is not kept (lru-cache refuses it).
    this.answers.set(key, value, { ttl: ttlMs });
  }
}
