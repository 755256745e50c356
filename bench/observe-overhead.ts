/**
 * What observing a request costs the gateway per request, in process and without the network:
 * the request observer (id, record, log line) around a handler that answers at once, and a
 * source query through the instrumented source, with tracing off and on (spans made, exported
 * nowhere), and the log line written as JSON to /dev/null or dropped.
 *
 *     npx tsx bench/observe-overhead.ts
 */
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-node';
import { EventEmitter } from 'node:events';
import { openSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino } from 'pino';
import { instrumentSource } from '../src/observe/instrumented-source.js';
import { serviceLog, type Log } from '../src/observe/log.js';
import { Metrics } from '../src/observe/metrics.js';
import { observeRequests } from '../src/observe/request-observer.js';
import { useTracer } from '../src/observe/spans.js';
import type { Source } from '../src/source/source.js';

const ROUNDS = 5;
const REQUESTS = 100_000;

/** Just enough of Node's request and response for the observer. */
function fakeExchange(): [IncomingMessage, ServerResponse] {
  const request = { headers: { 'x-request-id': 'bench-1' }, method: 'POST', url: '/graphql' } as unknown as IncomingMessage;
  const response = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: true, setHeader: () => undefined }) as unknown as ServerResponse;
  return [request, response];
}

function nsPerCall(run: () => void, calls: number): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / calls);
  }
  return best;
}

async function nsPerQuery(source: Source, calls: number): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await source.find({ table: 't', select: {}, orderBy: [], limit: 1, offset: 0 });
    best = Math.min(best, Number(process.hrtime.bigint() - started) / calls);
  }
  return best;
}

const answer = (_request: IncomingMessage, response: ServerResponse) => void response.emit('close');
const request = (log: Log) => {
  const observed = observeRequests(log, answer);
  return () => observed(...fakeExchange());
};
const dropped: Log = () => undefined;
const toDevNull = serviceLog({ destination: pino.destination({ dest: openSync('/dev/null', 'w'), sync: true }) });

const rows = [{ id: 1 }];
const bare: Source = { name: 'bench', find: async () => rows } as unknown as Source;
const instrumented = instrumentSource(bare, new Metrics());

const results: Array<[string, number]> = [];
results.push(['request, no observer', nsPerCall(() => answer(...fakeExchange()), REQUESTS)]);
results.push(['request, observed, tracing off, line dropped', nsPerCall(request(dropped), REQUESTS)]);
results.push(['request, observed, tracing off, JSON line written', nsPerCall(request(toDevNull), REQUESTS)]);
results.push(['source query, bare', await nsPerQuery(bare, REQUESTS)]);
results.push(['source query, metrics, tracing off', await nsPerQuery(instrumented, REQUESTS)]);

// Spans made and ended, with no processor: what tracing adds before any export.
useTracer(new BasicTracerProvider().getTracer('bench'));
results.push(['request, observed, tracing on, line dropped', nsPerCall(request(dropped), REQUESTS)]);
results.push(['source query, metrics, tracing on', await nsPerQuery(instrumented, REQUESTS)]);
useTracer(undefined);

for (const [what, ns] of results) console.log(`${what.padEnd(52)} ${(ns / 1000).toFixed(2).padStart(7)} µs`);
