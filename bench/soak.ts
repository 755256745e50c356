/**
 * `npm run bench:soak`: CivicGraph over the full demo (the bench databases, bench/demo-databases.ts)
 * under a mix of queries as five kinds of caller — anonymous, staff, the 311 department, the
 * Public Works department, an app token — for `--minutes` (10 by default), with the response
 * cache on as in production. It samples the server's resident memory every 5 s and compares the
 * median of the last half-minute's samples with that of the first minute's second half (each
 * half as long on a run shorter than two minutes): growth of more than 10 % fails (memory given
 * back does not). It counts answers by status: a soak passes with no 5xx, no connection errors
 * and no timeouts. The result goes into
 * bench/RESULTS.md, in a section of its own that `npm run bench` keeps.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { startServer, type ServerProcess } from './children.js';
import { BENCH_JWT_SECRET } from './credentials.js';
import { sourceEnvironment } from './config.js';
import { ensureDemoDatabases } from './demo-databases.js';
import { JSON_HEADERS, postQuery } from './http.js';
import { describeMachine } from './machine.js';
import { Q1, Q3, q2 } from './queries.js';
import { writeSoakSection } from './soak-report.js';

const USAGE = `usage: npm run bench:soak -- [--minutes M] [--connections N] [--rate R] [--no-cache]
  --minutes M      how long the load runs (default 10; 1 for a quick run)
  --connections N  concurrent HTTP connections (default 8)
  --rate R         at most R requests per second in all (default: as fast as the server answers)
  --no-cache       serve without the response cache`;

const SAMPLE_EVERY_MS = 5_000;
const RSS_TOLERANCE = 0.1;
const APP_TOKEN = 'civicgraph-bench-soak-app-token';

const log = (line: string): void => void process.stderr.write(`[soak] ${line}\n`);

function options() {
  const { values } = parseArgs({
    options: { minutes: { type: 'string' }, connections: { type: 'string' }, rate: { type: 'string' }, 'no-cache': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, text: string | undefined, fallback: number) => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value < 0 || (value === 0 && name !== 'rate')) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(text)}\n${USAGE}`);
    return value;
  };
  return { minutes: number('minutes', values.minutes, 10), connections: Math.round(number('connections', values.connections, 8)), rate: number('rate', values.rate, 0), cache: !values['no-cache'] };
}

async function bearer(role: string, department?: string): Promise<Record<string, string>> {
  const token = await new SignJWT({ role, ...(department ? { department } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`soak-${role}${department ? `-${department}` : ''}`)
    .setAudience('civicgraph')
    .setExpirationTime('3h')
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
  return { authorization: `Bearer ${token}` };
}

/** The mix: each caller's queries, in a few page sizes and filters so that the cache holds (and drops) many entries. */
async function mix(): Promise<autocannon.Request[]> {
  const callers: Record<string, Record<string, string>> = {
    public: {},
    appToken: { 'x-app-token': APP_TOKEN },
    staff: await bearer('staff'),
    crm: await bearer('department', '311 Customer Service'),
    works: await bearer('department', 'Public Works'),
  };
  const zipcodes = ['60601', '60602', '60605', '60607', '60610', '60614'];
  const sizes = [5, 20, 50];
  const queries: Array<[keyof typeof callers, string]> = [
    ['public', Q1],
    ['public', Q3],
    ['public', '{ catalog { dataset { identifier title accrualPeriodicity } } }'],
    ['appToken', '{ permitStats(groupBy: [PERMIT_TYPE_MAPPED]) { key { permitTypeMapped } count } }'],
    ['staff', q2(20)],
    ['crm', Q1],
    ['crm', '{ serviceRequests(first: 10, orderBy: [REQUESTED_AT_DESC]) { nodes { id callerName internalNotes status } } }'],
    ['works', '{ workOrders(first: 50, orderBy: [ID_ASC]) { nodes { id workType status createdAt } } }'],
  ];
  for (const zipcode of zipcodes) {
    for (const size of sizes) {
      queries.push(['public', `{ serviceRequests(first: ${size}, filter: { zipcode: { eq: "${zipcode}" } }) { totalCount nodes { id status address } } }`]);
      queries.push(['staff', `{ serviceRequests(first: ${size}, filter: { zipcode: { eq: "${zipcode}" } }) { nodes { id address description workOrders(first: 3) { id status } } } }`]);
    }
  }
  return queries.map(([caller, query]) => ({ method: 'POST', path: '/graphql', headers: { ...JSON_HEADERS, ...callers[caller] }, body: JSON.stringify({ query }) }));
}

/** Each request once, before the load: a query the schema refuses would make the soak measure error answers. */
async function verify(url: string, requests: autocannon.Request[]): Promise<void> {
  for (const request of requests) {
    const answer = await postQuery(`${url}${request.path}`, request.body as string, request.headers as Record<string, string>);
    if (!answer.ok) throw new Error(`the soak's query ${request.body} failed: ${answer.error}`);
  }
}

/** The sample with the median RSS (its time kept, for the report to say where the window ended). */
function median(samples: Array<{ atMs: number; rss: number }>): { atMs: number; rss: number } {
  const sorted = [...samples].sort((a, b) => a.rss - b.rss);
  return { atMs: Math.max(...samples.map((sample) => sample.atMs)), rss: sorted[Math.floor(sorted.length / 2)]!.rss };
}

async function rss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

async function main(): Promise<number> {
  const opts = options();
  let server: ServerProcess | undefined;
  const stop = (code: number) => () => void (server?.stop() ?? Promise.resolve()).then(() => process.exit(code));
  process.once('SIGINT', stop(130));
  process.once('SIGTERM', stop(143));
  try {
    await ensureDemoDatabases(log);
    const env = { ...sourceEnvironment(), CIVICGRAPH_APP_TOKENS: APP_TOKEN };
    server = await startServer('civicgraph', 'civicgraph', ['--connections', String(opts.connections), ...(opts.cache ? ['--cache'] : [])], env, 120_000);
    const pid = server.pid!;
    log(`civicgraph listening at ${server.url} (pid ${pid}); ${opts.minutes} min of mixed queries over ${opts.connections} connections${opts.rate ? ` at ${opts.rate}/s` : ''}, cache ${opts.cache ? 'on' : 'off'}`);
    const requests = await mix();
    await verify(server.url, requests);
    const durationS = Math.round(opts.minutes * 60);
    // The first minute's memory: after a minute of load (or half a shorter run), once pools, compiled queries and the cache have filled.
    const baselineAtMs = Math.min(60_000, (durationS * 1000) / 2);
    const samples: Array<{ atMs: number; rss: number }> = [];
    const started = Date.now();
    const load = autocannon({
      url: server.url,
      requests,
      connections: opts.connections,
      duration: durationS,
      timeout: 30,
      ...(opts.rate ? { overallRate: opts.rate } : {}),
    });
    let running = true;
    const sampling = (async () => {
      while (running) {
        samples.push({ atMs: Date.now() - started, rss: await rss(pid) });
        await sleep(SAMPLE_EVERY_MS);
      }
    })();
    const result = await load;
    running = false;
    await sampling;
    samples.push({ atMs: Date.now() - started, rss: await rss(pid) });

    // Medians over windows, so that one garbage collection does not decide: the second half of the
    // first minute (pools, compiled queries and the cache filled by then) against as long a window at the end.
    const window = baselineAtMs / 2;
    const baseline = median(samples.filter((sample) => sample.atMs > window && sample.atMs <= baselineAtMs));
    const endAt = samples.at(-1)!.atMs;
    const end = median(samples.filter((sample) => sample.atMs >= endAt - window));
    const statuses: Record<string, number> = {};
    for (const [code, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count;
    const serverErrors = Object.entries(statuses).filter(([code]) => code.startsWith('5')).reduce((total, [, count]) => total + count, 0);
    const growth = end.rss / baseline.rss - 1;
    const report = {
      minutes: opts.minutes,
      connections: opts.connections,
      rate: opts.rate,
      cache: opts.cache,
      distinctRequests: requests.length,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
      serverErrors,
      baseline,
      end,
      peakRss: Math.max(...samples.map((sample) => sample.rss)),
      growth,
      // Memory given back is no leak: only growth past the tolerance fails.
      passed: serverErrors === 0 && result.errors === 0 && result.timeouts === 0 && growth <= RSS_TOLERANCE,
      machine: await describeMachine(),
      startedAt: new Date(started).toISOString(),
    };
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `soak ${report.passed ? 'PASSED' : 'FAILED'}: ${report.requests} requests (${report.requestsPerSecond.toFixed(0)}/s, p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms); ` +
        `statuses ${JSON.stringify(statuses)}, ${serverErrors} 5xx, ${result.errors} errors, ${result.timeouts} timeouts; ` +
        `RSS ${mb(baseline.rss)} in the first minute (median to ${(baseline.atMs / 1000).toFixed(0)} s) → ${mb(end.rss)} at the end (${(growth * 100).toFixed(1)} %, peak ${mb(report.peakRss)})`,
    );
    const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
    await writeSoakSection(path, report);
    log(`written to ${path}`);
    return report.passed ? 0 : 1;
  } finally {
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
