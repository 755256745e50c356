/**
 * The gateway on the open internet, over real HTTP and the demo on the real PostgreSQL:
 * bodies and URLs are bounded, slow clients are cut off, every refusal is a GraphQL-shaped
 * JSON error (never a stack trace, never a 5xx), and a shutdown lets requests in flight finish.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { DEFAULT_HTTP_LIMITS, httpLimits } from '../../src/request/http-limits.js';
import { demoEnvironment } from '../support/demo.js';
import { withKnex } from '../support/servers.js';

const HEADERS_TIMEOUT_MS = 200;
const REQUEST_TIMEOUT_MS = 400;
const MAX_URL_BYTES = 4096;
/** Takes half a second at the source: this suite's copy of the mappings makes `description` sleep. */
const SLOW_QUERY = '{ serviceRequests(first: 1) { nodes { id description } } }';

let env: Record<string, string>;
let connectors: string;
let running: RunningGateway;
let base: string;

beforeAll(async () => {
  env = {
    ...(await demoEnvironment('postgres', 'http_hygiene')),
    // Every request here comes from one address.
    CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000',
    CIVICGRAPH_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    CIVICGRAPH_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    CIVICGRAPH_MAX_URL_BYTES: String(MAX_URL_BYTES),
  };
  connectors = await mkdtemp(join(tmpdir(), 'civicgraph-http-hygiene-'));
  await cp('connectors', connectors, { recursive: true });
  const crm = join(connectors, 'crm-311.yaml');
  // An uncorrelated subquery: PostgreSQL sleeps once per query, however many rows it reads.
  const slow = `      description:\n        expression: CONCAT("DESCR_TXT", (SELECT '' FROM pg_sleep(0.5)))`;
  await writeFile(crm, (await readFile(crm, 'utf8')).replace('      description: DESCR_TXT', slow));
  running = await start();
  base = running.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await running?.stop();
});

function start(extra: Record<string, string> = {}): Promise<RunningGateway> {
  return serve({ connectorsDir: connectors, schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env: { ...env, ...extra }, audit: () => undefined, log: () => undefined });
}

const portOf = (gateway: RunningGateway) => Number(new URL(gateway.url).port);

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

/** Writes `request` to a raw connection (a function of the socket, to write slowly); resolves with what came back when the server closed it. */
function exchange(port: number, request: (socket: ReturnType<typeof connect>) => void): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => request(socket));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', fail);
    socket.on('close', () => done({ answer, closedAfterMs: Date.now() - started }));
  });
}

/** Resolves once PostgreSQL is running a slow query started after `since`, so the request is surely in flight. */
async function slowQueryRunning(since: Date): Promise<void> {
  const database = new URL(env.CIVICGRAPH_CRM_URL!).pathname.slice(1);
  await withKnex('pg', env.CIVICGRAPH_CRM_URL!, async (db) => {
    for (let attempt = 0; attempt < 250; attempt++) {
      const { rows } = await db.raw("select 1 from pg_stat_activity where datname = ? and query like '%pg\\_sleep%' and query_start >= ? and pid <> pg_backend_pid()", [database, since]);
      if (rows.length > 0) return;
      await new Promise((wait) => setTimeout(wait, 20));
    }
    throw new Error('the slow query did not reach PostgreSQL within 5 s');
  });
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('the limits, from the environment', () => {
  it('default to a 100 KiB body, an 8 KiB URL, 10 s for the headers, 30 s for the request and a 10 s drain', () => {
    expect(httpLimits({})).toEqual({ maxBodyBytes: 102_400, maxUrlBytes: 8_192, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, shutdownTimeoutMs: 10_000 });
    expect(httpLimits({ CIVICGRAPH_MAX_BODY_BYTES: '2048', CIVICGRAPH_SHUTDOWN_TIMEOUT_MS: ' 500 ' })).toEqual({ ...DEFAULT_HTTP_LIMITS, maxBodyBytes: 2048, shutdownTimeoutMs: 500 });
  });

  it('refuse a bad value at startup, naming the variable', async () => {
    for (const value of ['100kb', '-1', '0', '1.5', '1e6']) expect(() => httpLimits({ CIVICGRAPH_MAX_BODY_BYTES: value })).toThrow(/^CIVICGRAPH_MAX_BODY_BYTES must be a whole number greater than 0/);
    expect(() => httpLimits({ CIVICGRAPH_HEADERS_TIMEOUT_MS: '60000' })).toThrow(/CIVICGRAPH_HEADERS_TIMEOUT_MS \(60000\) must not be longer than CIVICGRAPH_REQUEST_TIMEOUT_MS \(30000\)/);
    await expect(start({ CIVICGRAPH_REQUEST_TIMEOUT_MS: 'soon' })).rejects.toThrow(/CIVICGRAPH_REQUEST_TIMEOUT_MS must be a whole number/);
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
    expect(((await response.json()) as any).data).toEqual({ __typename: 'Query' });
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
    expect(((await response.json()) as any).data).toEqual({ __typename: 'Query' });
  });

  it("answer a URL beyond Node's header size limit with 431, in JSON, and keep serving", async () => {
    const error = await expectRefusal(await get(20_000), 431, 'REQUEST_HEADERS_TOO_LARGE');
    expect(error.extensions.limit).toBe(16_384);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('slow clients', () => {
  it('are cut off when their headers take longer than the bound, while others are served', async () => {
    const head = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'x'.repeat(100)}\r\n\r\n`;
    const slow = exchange(portOf(running), (socket) => {
      let sent = 0;
      const dribbler = setInterval(() => socket.write(head[sent++]!), 20);
      // Not a byte more once the server has answered: writing to a closed socket is an error.
      socket.once('data', () => clearInterval(dribbler)).once('close', () => clearInterval(dribbler));
    });
    const meanwhile = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(meanwhile.status).toBe(200);
    const { answer, closedAfterMs } = await within(3_000, 'cutting off a slow client', slow);
    expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).errors[0]).toEqual({
      message: `request not received in time: headers within ${HEADERS_TIMEOUT_MS} ms, the whole request within ${REQUEST_TIMEOUT_MS} ms`,
      extensions: { code: 'REQUEST_TIMEOUT', headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS },
    });
  });

  it('are cut off when they never finish the body they announced', async () => {
    const { answer, closedAfterMs } = await within(
      3_000,
      'cutting off an unfinished body',
      exchange(portOf(running), (socket) => socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":')),
    );
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[^]*"code":"REQUEST_TIMEOUT"/);
  });

  it('do not cut off an answer that takes longer than the request bound', async () => {
    const response = await post(JSON.stringify({ query: SLOW_QUERY }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).data.serviceRequests.nodes).toHaveLength(1);
  });
});

describe('shutting down', () => {
  it('lets a request in flight finish, refuses new connections and closes idle ones at once', async () => {
    // Idle connections would otherwise hold the shutdown for this long.
    const gateway = await start({ CIVICGRAPH_KEEP_ALIVE_TIMEOUT_MS: '30000' });
    const port = portOf(gateway);
    const idle = exchange(port, (socket) => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    const sent = new Date();
    const slow = post(JSON.stringify({ query: SLOW_QUERY }), {}, gateway.url);
    await slowQueryRunning(sent);

    const stopped = gateway.stop();
    const { answer: idleAnswer } = await within(1_000, 'closing an idle connection', idle);
    expect(idleAnswer).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Keep-Alive: timeout=30/);
    await expect(exchange(port, () => undefined)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const response = await slow;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(((await response.json()) as any).data.serviceRequests.nodes).toEqual([{ id: expect.any(String), description: expect.any(String) }]);
    await within(5_000, 'stopping', stopped);
  });

  it('cuts a request still running when the drain time is up', async () => {
    const gateway = await start({ CIVICGRAPH_SHUTDOWN_TIMEOUT_MS: '100' });
    const sent = new Date();
    const slow = post(JSON.stringify({ query: SLOW_QUERY }), {}, gateway.url).then(
      () => 'answered',
      () => 'cut',
    );
    await slowQueryRunning(sent);
    await within(5_000, 'stopping', gateway.stop());
    expect(await slow).toBe('cut');
  });

  it('on SIGTERM, `civicgraph serve` finishes the request in flight and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/civicgraph.ts', 'serve', '--connectors', connectors, '--port', '0', '--host', '127.0.0.1', '--no-watch'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');
    try {
      const url = await within(
        30_000,
        'starting civicgraph serve',
        new Promise<string>((found) => {
          let stdout = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            stdout += chunk;
            const match = /serving GraphQL at (\S+)/.exec(stdout);
            if (match) found(match[1]!);
          });
        }),
      );
      const sent = new Date();
      const slow = post(JSON.stringify({ query: SLOW_QUERY }), {}, url);
      await slowQueryRunning(sent);
      child.kill('SIGTERM');
      const response = await slow;
      expect(response.status).toBe(200);
      expect(((await response.json()) as any).data.serviceRequests.nodes).toHaveLength(1);
      const [code, signal] = await within(10_000, 'exiting', exited);
      expect({ code, signal, stopping: stderr.includes('stopping') }).toEqual({ code: 0, signal: null, stopping: true });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
