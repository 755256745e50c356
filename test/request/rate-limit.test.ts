/**
 * Rate limits per caller: the fixed-window counter in Redis (the real server at 127.0.0.1:6379,
 * which these tests need: they fail, not skip, without it) and in-process, the fallback when
 * Redis cannot be reached, and the limits as a running gateway applies them over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { trustProxySetting } from '../../src/request/app.js';
import type { Caller } from '../../src/request/authenticate.js';
import { hash, MemoryCounter, RateLimiter, rateLimitHeaders, rateLimitKey, REDIS_KEY_PREFIX } from '../../src/request/rate-limit.js';
import { SharedRedis, type SharedRedisOptions } from '../../src/request/shared-redis.js';
import { demoEnvironment } from '../support/demo.js';

const REDIS_URL = process.env.CIVICGRAPH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Keys of this run only, so that runs (and files) sharing the server never meet. */
const PREFIX = `${REDIS_KEY_PREFIX}test-${process.pid}-${randomBytes(4).toString('hex')}:`;
const WINDOW_MS = 300;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const limits = { anonymous: 3, appToken: 6, token: 9 };

describe('the in-process counter', () => {
  it('counts per key and window, and starts again when the window ends', () => {
    const counter = new MemoryCounter(1_000, 100);
    expect(counter.take('a', 2, 0)).toEqual({ allowed: true, remaining: 1, resetMs: 1_000 });
    expect(counter.take('a', 2, 400)).toEqual({ allowed: true, remaining: 0, resetMs: 600 });
    expect(counter.take('a', 2, 500)).toEqual({ allowed: false, remaining: 0, resetMs: 500 });
    expect(counter.take('b', 2, 500)).toEqual({ allowed: true, remaining: 1, resetMs: 1_000 });
    expect(counter.take('a', 2, 1_000)).toEqual({ allowed: true, remaining: 1, resetMs: 1_000 });
  });

  it('keeps at most its bound of counters, dropping ended windows first, then the oldest', () => {
    const counter = new MemoryCounter(1_000, 10);
    for (let index = 0; index < 10; index++) counter.take(`old-${index}`, 5, 0);
    counter.take('new', 5, 2_000); // every earlier window has ended
    expect(counter.size).toBe(1);
    for (let index = 0; index < 50; index++) counter.take(`live-${index}`, 5, 2_100 + index);
    expect(counter.size).toBeLessThanOrEqual(10);
    // The newest counter survived, and still counts.
    expect(counter.take('live-49', 5, 2_200).remaining).toBe(3);
  });
});

describe('rate-limit keys and headers', () => {
  const anonymous: Caller = { kind: 'anonymous', role: 'public', baseRole: 'public' };
  const app: Caller = { kind: 'app-token', role: 'public', baseRole: 'public', subject: 'app:12345678' };
  const jwt: Caller = { kind: 'jwt', role: 'staff', baseRole: 'staff', subject: 'jane.doe@riverton.example' };

  it('count anonymous callers per address, app tokens per token and JWTs per subject, never holding a credential', () => {
    const credentials = { ip: '203.0.113.9', appToken: ' app-token-secret-value ', authorization: 'Bearer eyJhbGciOi.payload.signature' };
    expect(rateLimitKey(anonymous, limits, credentials)).toEqual({ key: 'ip:203.0.113.9', limit: 3, who: 'anonymous callers' });
    expect(rateLimitKey(app, limits, credentials)).toEqual({ key: `app:${hash('app-token-secret-value')}`, limit: 6, who: 'app tokens' });
    expect(rateLimitKey(jwt, limits, credentials)).toEqual({ key: `sub:${hash('jane.doe@riverton.example')}`, limit: 9, who: 'tokens' });
    const { subject: _, ...anonymousJwt } = jwt;
    expect(rateLimitKey(anonymousJwt, limits, credentials).key).toBe(`jwt:${hash('eyJhbGciOi.payload.signature')}`);
    expect(hash('x')).toMatch(/^[0-9a-f]{16}$/);
    const keys = [app, jwt, anonymousJwt].map((caller) => rateLimitKey(caller, limits, credentials).key).join(' ');
    expect(keys).not.toMatch(/secret|jane|eyJ|signature/);
  });

  it('say the limit, what is left and when the window ends, in seconds; Retry-After only when refused', () => {
    expect(rateLimitHeaders(10, { allowed: true, remaining: 4, resetMs: 1_200 })).toEqual({ 'RateLimit-Limit': '10', 'RateLimit-Remaining': '4', 'RateLimit-Reset': '2' });
    expect(rateLimitHeaders(10, { allowed: false, remaining: 0, resetMs: 10 })).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '1',
      'Retry-After': '1',
    });
  });

  it('read CIVICGRAPH_TRUST_PROXY as hops, addresses or true', () => {
    expect(trustProxySetting(undefined)).toBeUndefined();
    expect(trustProxySetting('')).toBeUndefined();
    expect(trustProxySetting('false')).toBeUndefined();
    expect(trustProxySetting('true')).toBe(true);
    expect(trustProxySetting(' 2 ')).toBe(2);
    expect(trustProxySetting('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
  });
});

describe('the counter in Redis', () => {
  let admin: ReturnType<typeof createClient>;
  const connections: SharedRedis[] = [];
  const logged: string[] = [];
  const limiter = ({ windowMs = WINDOW_MS, redisUrl = new Secret(REDIS_URL), ...redis }: Partial<SharedRedisOptions & { windowMs: number; redisUrl: Secret }> = {}) => {
    const connection = new SharedRedis({ url: redisUrl, log: (line) => logged.push(line), ...redis });
    connections.push(connection);
    return new RateLimiter({ windowMs, redis: connection, prefix: PREFIX });
  };
  const keys = async () => (await admin.keys(`${PREFIX}*`)).sort();

  beforeAll(async () => {
    admin = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      await admin.ping();
    } catch (error) {
      throw new Error(
        `Redis is not reachable at ${REDIS_URL} (${(error as Error).message}): the rate-limit tests need a real Redis server ` +
          '(run redis-server on 127.0.0.1:6379, or set CIVICGRAPH_TEST_REDIS_URL).',
      );
    }
  });

  afterAll(async () => {
    await Promise.all(connections.map((made) => made.close()));
    if (admin?.isOpen) {
      const left = await admin.keys(`${PREFIX}*`);
      if (left.length > 0) await admin.del(left);
      await admin.close();
    }
  });

  it('counts per key in a window that expires, in Redis under the civicgraph:rl: prefix', async () => {
    const rl = limiter();
    const first = await rl.take('ip:198.51.100.1', 2);
    expect(first).toMatchObject({ allowed: true, remaining: 1 });
    expect(first.resetMs).toBeGreaterThan(0);
    expect(first.resetMs).toBeLessThanOrEqual(WINDOW_MS);
    expect(await rl.take('ip:198.51.100.1', 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await rl.take('ip:198.51.100.1', 2)).toMatchObject({ allowed: false, remaining: 0 });
    expect(await keys()).toEqual([`${PREFIX}ip:198.51.100.1`]);
    // The refused third request was given back: a refusal spends nothing.
    expect(await admin.get(`${PREFIX}ip:198.51.100.1`)).toBe('2');
    const ttl = await admin.pTTL(`${PREFIX}ip:198.51.100.1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
    await sleep(WINDOW_MS + 50);
    expect(await keys()).toEqual([]);
    expect(await rl.take('ip:198.51.100.1', 2)).toMatchObject({ allowed: true, remaining: 1 });
    expect(logged).toEqual([]);
  });

  it('keeps distinct keys apart, and shares each count between gateway instances', async () => {
    const one = limiter();
    const two = limiter();
    expect(await one.take('ip:198.51.100.2', 3)).toMatchObject({ remaining: 2 });
    expect(await two.take('ip:198.51.100.2', 3)).toMatchObject({ remaining: 1 });
    expect(await two.take('ip:198.51.100.3', 3)).toMatchObject({ remaining: 2 });
    expect(await one.take('ip:198.51.100.2', 3)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await two.take('ip:198.51.100.2', 3)).toMatchObject({ allowed: false });
    expect(await one.take('ip:198.51.100.3', 3)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('never writes an app token or a JWT subject into a key', async () => {
    const rl = limiter({ windowMs: 5_000 });
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const subject = `someone-${randomBytes(4).toString('hex')}@riverton.example`;
    const app: Caller = { kind: 'app-token', role: 'public', baseRole: 'public', subject: 'app:00000000' };
    const jwt: Caller = { kind: 'jwt', role: 'staff', baseRole: 'staff', subject };
    const credentials = { ip: '127.0.0.1', appToken: token, authorization: `Bearer ${token}` };
    for (const caller of [app, jwt]) {
      const { key, limit } = rateLimitKey(caller, limits, credentials);
      expect((await rl.take(key, limit)).allowed).toBe(true);
    }
    const written = await keys();
    expect(written).toEqual(expect.arrayContaining([`${PREFIX}app:${hash(token)}`, `${PREFIX}sub:${hash(subject)}`]));
    for (const key of written) {
      expect(key).not.toContain(token);
      expect(key).not.toContain(subject);
      expect(key).not.toContain(subject.split('@')[0]!);
    }
  });

  it('counts in-process when Redis is unreachable, without failing a request, and logs it once without the URL', async () => {
    const lines: string[] = [];
    const rl = limiter({ redisUrl: new Secret('redis://:hunter2-password@127.0.0.1:1'), log: (line: string) => lines.push(line), windowMs: 10_000 });
    const started = Date.now();
    const decisions = [];
    for (let index = 0; index < 4; index++) decisions.push(await rl.take('ip:198.51.100.4', 3));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((decision) => decision.remaining)).toEqual([2, 1, 0, 0]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Redis is unreachable .*: rate limits count in this process/);
    expect(lines.join('\n')).not.toMatch(/hunter2|redis:\/\/|:1\b/);
  });

  it('falls back when its connection breaks, and returns to Redis once it answers again', async () => {
    const lines: string[] = [];
    const name = `civicgraph-rl-test-${randomBytes(4).toString('hex')}`;
    const rl = limiter({ clientName: name, retryAfterMs: 200, windowMs: 10_000, log: (line: string) => lines.push(line) });
    expect(await rl.take('ip:198.51.100.5', 100)).toMatchObject({ remaining: 99 });
    const id = (await admin.clientList()).find((client) => client.name === name)?.id;
    expect(id, 'the limiter has a connection to Redis').toBeDefined();
    await admin.clientKill({ filter: 'ID', id: Number(id) });
    await sleep(50);
    // Counted in-process: a fresh count, and no error.
    expect(await rl.take('ip:198.51.100.5', 100)).toMatchObject({ allowed: true, remaining: 99 });
    expect(lines).toEqual([expect.stringMatching(/Redis is unreachable/)]);
    await sleep(250);
    // Back in Redis, where the count went on from the first request.
    expect(await rl.take('ip:198.51.100.5', 100)).toMatchObject({ allowed: true, remaining: 98 });
    expect(lines).toEqual([expect.stringMatching(/Redis is unreachable/), expect.stringMatching(/Redis is reachable again/)]);
  });
});

describe('a gateway with rate limits, over HTTP', () => {
  const APP_TOKEN = `rl-app-token-${randomBytes(6).toString('hex')}`;
  const JWT_SECRET = 'rate-limit-test-secret-0123456789abcdef';
  let running: RunningGateway;
  let base: string;
  let jwt: string;
  const logged: string[] = [];

  beforeAll(async () => {
    const env = await demoEnvironment('pglite', 'rate-limit');
    Object.assign(env, {
      CIVICGRAPH_RATE_LIMIT_ANONYMOUS: String(limits.anonymous),
      CIVICGRAPH_RATE_LIMIT_APP_TOKEN: String(limits.appToken),
      CIVICGRAPH_RATE_LIMIT_TOKEN: String(limits.token),
      CIVICGRAPH_APP_TOKENS: APP_TOKEN,
      CIVICGRAPH_JWT_SECRET: JWT_SECRET,
    });
    running = await serve({ connectorsDir: resolve('connectors'), schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env, audit: () => undefined, log: (line) => logged.push(line) });
    base = running.url.replace(/\/graphql$/, '');
    jwt = await new SignJWT({ role: 'staff' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('riverton-311-app')
      .setAudience('civicgraph')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JWT_SECRET));
  });

  afterAll(async () => {
    await running?.stop();
  });

  const query = (headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body: JSON.stringify({ query: '{ serviceRequests(first: 1) { totalCount } }' }),
    });
  const rateHeaders = (response: Response) => ({
    limit: response.headers.get('ratelimit-limit'),
    remaining: response.headers.get('ratelimit-remaining'),
    reset: Number(response.headers.get('ratelimit-reset')),
  });

  it('serves anonymous callers their budget, with RateLimit headers, then 429 with Retry-After', async () => {
    for (let index = 0; index < limits.anonymous; index++) {
      const response = await query();
      expect(response.status).toBe(200);
      const headers = rateHeaders(response);
      expect(headers).toMatchObject({ limit: '3', remaining: String(limits.anonymous - index - 1) });
      expect(headers.reset).toBeGreaterThanOrEqual(1);
      expect(headers.reset).toBeLessThanOrEqual(60);
      expect(((await response.json()) as any).data.serviceRequests.totalCount).toBeGreaterThan(0);
    }
    const refused = await query();
    expect(refused.status).toBe(429);
    expect(rateHeaders(refused)).toMatchObject({ limit: '3', remaining: '0' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({ errors: [{ message: 'rate limit exceeded: 3 requests per window for anonymous callers', extensions: { code: 'RATE_LIMITED', measure: 'requests', limit: 3 } }] });
    // GET is counted too, and a forged X-Forwarded-For is not believed without CIVICGRAPH_TRUST_PROXY.
    const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-forwarded-for': '198.51.100.77' } });
    expect(get.status).toBe(429);
  });

  it('gives an app token its own, higher budget', async () => {
    for (let index = 0; index < limits.appToken; index++) {
      const response = await query({ 'x-app-token': APP_TOKEN });
      expect(response.status).toBe(200);
      expect(rateHeaders(response)).toMatchObject({ limit: '6', remaining: String(limits.appToken - index - 1) });
    }
    const refused = await query({ 'x-app-token': APP_TOKEN });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).errors[0].message).toBe('rate limit exceeded: 6 requests per window for app tokens');
  });

  it('gives a JWT subject its own budget', async () => {
    const response = await query({ authorization: `Bearer ${jwt}` });
    expect(response.status).toBe(200);
    expect(rateHeaders(response)).toMatchObject({ limit: '9', remaining: '8' });
  });

  it('still answers a bad credential with 401, not 429, once the address is over its limit', async () => {
    for (const headers of [{ 'x-app-token': 'not-a-token' }, { authorization: 'Bearer not.a.jwt' }] as Record<string, string>[]) {
      const response = await query(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('ratelimit-limit')).toBeNull();
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('never limits the probes', async () => {
    for (let index = 0; index < 10; index++) {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const response = await fetch(`${base}${path}`);
        expect(response.status, path).toBe(200);
        expect(response.headers.get('ratelimit-limit')).toBeNull();
        await response.arrayBuffer();
      }
    }
  });

  it('logs no credential', () => {
    const text = logged.join('\n');
    expect(text).not.toContain(APP_TOKEN);
    expect(text).not.toContain(JWT_SECRET);
  });
});
