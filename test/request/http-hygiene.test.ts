/**
 * The gateway on the open internet, over real HTTP and the demo on the real PostgreSQL:
 * bodies and URLs are bounded, and every refusal is a GraphQL-shaped JSON error (never a
 * stack trace, never a 5xx).
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { DEFAULT_HTTP_LIMITS, httpLimits } from '../../src/request/http-limits.js';
import { demoEnvironment } from '../support/demo.js';

const MAX_URL_BYTES = 4096;

let env: Record<string, string>;
let connectors: string;
let running: RunningGateway;
let base: string;

beforeAll(async () => {
  env = {
    ...(await demoEnvironment('postgres', 'http_hygiene')),
    // Every request here comes from one address.
    CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000',
    CIVICGRAPH_MAX_URL_BYTES: String(MAX_URL_BYTES),
  };
  connectors = await mkdtemp(join(tmpdir(), 'civicgraph-http-hygiene-'));
  await cp('connectors', connectors, { recursive: true });
  running = await start();
  base = running.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await running?.stop();
});

function start(extra: Record<string, string> = {}): Promise<RunningGateway> {
  return serve({ connectorsDir: connectors, schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env: { ...env, ...extra }, audit: () => undefined, log: () => undefined });
}

function post(body: string | Uint8Array, headers: Record<string, string> = {}, url = `${base}/graphql`): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** A refusal as every client must see it: a 4xx and a GraphQL-shaped JSON error, with no stack trace. */
async function expectRefusal(response: Response, status: number, code: string): Promise<{ message: string; extensions: Record<string, unknown> }> {
  const text = await response.text();
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(text).not.toMatch(/node_modules|\.[jt]s:\d+/);
  const error = JSON.parse(text).errors[0];
  expect(error.extensions.code).toBe(code);
  return error;
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('the limits, from the environment', () => {
  it('default to a 100 KiB body and an 8 KiB URL', () => {
    expect(httpLimits({})).toEqual({ maxBodyBytes: 102_400, maxUrlBytes: 8_192 });
    expect(httpLimits({ CIVICGRAPH_MAX_BODY_BYTES: '2048', CIVICGRAPH_MAX_URL_BYTES: ' 500 ' })).toEqual({ ...DEFAULT_HTTP_LIMITS, maxBodyBytes: 2048, maxUrlBytes: 500 });
  });

  it('refuse a bad value at startup, naming the variable', async () => {
    for (const value of ['100kb', '-1', '0', '1.5', '1e6']) expect(() => httpLimits({ CIVICGRAPH_MAX_BODY_BYTES: value })).toThrow(/^CIVICGRAPH_MAX_BODY_BYTES must be a whole number greater than 0/);
    await expect(start({ CIVICGRAPH_MAX_URL_BYTES: 'long' })).rejects.toThrow(/CIVICGRAPH_MAX_URL_BYTES must be a whole number/);
  });
});

describe('request bodies', () => {
  it('refuse a body over the limit with 413, naming the limit and the size', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(200_000) } });
    const error = await expectRefusal(await post(body), 413, 'REQUEST_TOO_LARGE');
    expect(error).toEqual({ message: `request body is larger than 102400 bytes (it is ${body.length})`, extensions: { code: 'REQUEST_TOO_LARGE', limit: 102_400, length: body.length } });
  });

  it('count the decompressed bytes of a compressed body', async () => {
    const bomb = gzipSync(JSON.stringify({ query: '{ __typename }', variables: { padding: ' '.repeat(5_000_000) } }));
    expect(bomb.length).toBeLessThan(102_400);
    const error = await expectRefusal(await post(bomb, { 'content-encoding': 'gzip' }), 413, 'REQUEST_TOO_LARGE');
    expect(error.message).toBe('request body is larger than 102400 bytes');
  });

  it('answer malformed JSON with 400', async () => {
    const error = await expectRefusal(await post('{"query": "{ __typename }"'), 400, 'BAD_REQUEST');
    expect(error.message).toMatch(/^request body is not valid JSON: /);
  });

  it('answer an unsupported charset with 415', async () => {
    await expectRefusal(await post('{}', { 'content-type': 'application/json; charset=klingon' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuse a batch of 1,000 operations with one 400, quickly', async () => {
    const batch = JSON.stringify(Array.from({ length: 1_000 }, () => ({ query: '{ __typename }' })));
    const error = await within(2_000, 'refusing a batch', post(batch).then((response) => expectRefusal(response, 400, 'BAD_REQUEST')));
    expect(error.message).toMatch(/batching disabled/i);
  });

  it('under the limit, are served', async () => {
    const response = await post(JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(50_000) } }));
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('request URLs', () => {
  const get = (padding: number) => fetch(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}&padding=${'x'.repeat(padding)}`, { headers: { 'apollo-require-preflight': 'true' } });

  it('refuse a URL over the limit with 414, naming the limit and the length', async () => {
    const error = await expectRefusal(await get(MAX_URL_BYTES), 414, 'URL_TOO_LONG');
    expect(error.extensions).toEqual({ code: 'URL_TOO_LONG', limit: MAX_URL_BYTES, length: expect.any(Number) });
    expect(error.message).toBe(`request URL is longer than ${MAX_URL_BYTES} bytes (it is ${error.extensions.length}): send a long query with POST`);
  });

  it('serve a GET query under the limit', async () => {
    const response = await get(MAX_URL_BYTES - 100);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
