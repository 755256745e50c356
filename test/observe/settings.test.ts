/**
 * The service log and the request observer's rules, in process: what a line looks like, which
 * request ids are echoed, how endpoints are named, and the settings refused at start.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serviceLog } from '../../src/observe/log.js';
import { endpointOf, requestId } from '../../src/observe/request-observer.js';
import { startTracing } from '../../src/observe/tracing.js';

function collected(level?: string): { lines: Array<Record<string, unknown>>; log: ReturnType<typeof serviceLog> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: serviceLog({ level, destination }) };
}

describe('the service log', () => {
  it('writes one JSON object a line, with the level by name, an ISO time and the fields given', () => {
    const { lines, log } = collected();
    log('serving 3 datasets');
    log('request', 'info', { requestId: 'abc', status: 200, role: undefined });
    log('rate limits: Redis is unreachable', 'warn');
    expect(lines).toMatchObject([
      { level: 'info', msg: 'serving 3 datasets', pid: process.pid },
      { level: 'info', msg: 'request', requestId: 'abc', status: 200 },
      { level: 'warn', msg: 'rate limits: Redis is unreachable' },
    ]);
    expect(lines[1]).not.toHaveProperty('role');
    for (const line of lines) expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('writes nothing below CIVICGRAPH_LOG_LEVEL', () => {
    const { lines, log } = collected('warn');
    log('request', 'info', { requestId: 'abc' });
    log('reload failed', 'error');
    expect(lines.map((line) => line.msg)).toEqual(['reload failed']);
  });

  it('is readable on a terminal: one line each, time, level, message and fields', async () => {
    let text = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const log = serviceLog({ pretty: true, destination });
    log('request', 'info', { requestId: 'abc', status: 200 });
    log('reload failed', 'error');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = text.replace(/\u001b\[\d+m/g, '').split('\n').filter(Boolean);
    expect(lines).toEqual([expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request \{"requestId":"abc","status":200\}$/), expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: reload failed$/)]);
  });

  it('refuses a level it does not know, naming the variable', () => {
    expect(() => serviceLog({ level: 'verbose' })).toThrow(/CIVICGRAPH_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "verbose"/);
  });
});

describe('request ids', () => {
  it('echoes a plain token of up to 128 characters', () => {
    for (const id of ['hobs-1', '4bf92f3577b34da6a3ce929d0e0e4736', 'req:2024.12.03_a', 'x'.repeat(128)]) expect(requestId(id)).toBe(id);
  });

  it('makes a UUID in place of anything else', () => {
    for (const sent of [undefined, '', 'x'.repeat(129), 'two words', 'line\nbreak', '{"json":1}', 'é', ['a', 'b']]) {
      expect(requestId(sent)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe('endpoints, as log lines and spans name them', () => {
  it('is the first path segment of a known one, else other', () => {
    expect(endpointOf('/graphql?query={x}')).toBe('/graphql');
    expect(endpointOf('/open311/v2/requests/SR-24-00000563.json?api_key=secret')).toBe('/open311');
    expect(endpointOf('/datasets/service-requests.csv?address=1163%20W%2024TH%20ST')).toBe('/datasets');
    expect(endpointOf('/data.json')).toBe('/data.json');
    expect(endpointOf('/')).toBe('/');
    expect(endpointOf('/?x=1')).toBe('/');
    expect(endpointOf('/wp-admin/setup.php')).toBe('other');
    expect(endpointOf('/graphqlx')).toBe('other');
  });
});

describe('tracing settings', () => {
  const log = () => undefined;

  it('starts nothing without an OTLP endpoint, or when the SDK is disabled', () => {
    expect(startTracing(log, {})).toBeUndefined();
    expect(startTracing(log, { OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
    expect(startTracing(log, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(startTracing(log, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('refuses an exporter or protocol it does not serve, naming the variable', () => {
    expect(() => startTracing(log, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json \(grpc is not served\), not "grpc"/);
    expect(() => startTracing(log, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER must be otlp or none, not "zipkin"/);
  });
});
