/**
 * `npm run bench`: loads the full demo into PostgreSQL (once), starts CivicGraph (with and
 * without its per-role limits, with its response cache, and as `civicgraph serve --workers 1`
 * and `--workers 2`), a hand-written baseline and PostGraphile each in its own
 * child process on 127.0.0.1,
 * verifies their answers, drives each with autocannon from this process, and prints the
 * results and writes them to bench/RESULTS.md. Every step is bounded in time and every child
 * process is stopped at the end, on error and on Ctrl-C.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE, type Options } from './args.js';
import { startServer, type ServerProcess } from './children.js';
import { startCli } from './cli-server.js';
import { prepareCredentials } from './credentials.js';
import { sourceEnvironment } from './config.js';
import { ensureDemoDatabases } from './demo-databases.js';
import { describeMachine } from './machine.js';
import type { QueryId, ServerId } from './queries.js';
import { consoleReport, markdownReport, type Results, type Row } from './report.js';
import { benchQuery, probePageSizes, type Servers } from './scenario.js';
import { soakSection, withSection } from './soak-report.js';

const QUERIES: QueryId[] = ['Q1', 'Q2', 'Q3'];
/** `civicgraph serve --workers N` (cli-server.ts), by server. */
const CLI_WORKERS = { 'civicgraph-1-worker': 1, 'civicgraph-2-workers': 2 } as const;
/** The processes to start (bench/servers/<module>.ts <args>); `civicgraph-public` is the `civicgraph` process asked without credentials. */
const SERVER_PROCESSES: Record<Exclude<ServerId, 'civicgraph-public' | keyof typeof CLI_WORKERS>, (options: Options) => { module: string; args: string[]; env?: Record<string, string> }> = {
  civicgraph: (options) => ({ module: 'civicgraph', args: ['--connections', String(options.connections)] }),
  'civicgraph-unlimited': (options) => ({ module: 'civicgraph', args: ['--connections', String(options.connections), '--no-limits'] }),
  // In process whatever the caller's environment says, so that the number does not depend on a Redis.
  'civicgraph-cached': (options) => ({ module: 'civicgraph', args: ['--connections', String(options.connections), '--cache'], env: { CIVICGRAPH_REDIS_URL: '' } }),
  baseline: () => ({ module: 'baseline', args: [] }),
  postgraphile: () => ({ module: 'postgraphile', args: [] }),
};

/** Loading the full demo takes one to a few minutes; far more means something is stuck. */
const LOAD_LIMIT_S = 20 * 60;
const START_LIMIT_S = 120;
/** Per measured row: verification, the source-query probe, autocannon's own wind-down. */
const ROW_SLACK_S = 90;

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

function timeBudgetSeconds(options: Options): number {
  // Q1 × 3 servers and 2 × the rounds of each comparison in turns, Q2 × 2, Q3 × 3.
  const measurements = 3 + 2 * (options.limitsRounds + options.cacheRounds + options.workersRounds) + 2 + 3;
  const pageSizeProbes = 3 * 120;
  return LOAD_LIMIT_S + START_LIMIT_S + measurements * (options.warmupSeconds + options.durationSeconds + ROW_SLACK_S) + pageSizeProbes;
}

async function startServers(started: ServerProcess[], options: Options): Promise<Servers> {
  const env = sourceEnvironment();
  const children = Object.keys(SERVER_PROCESSES) as Array<keyof typeof SERVER_PROCESSES>;
  const clis = Object.keys(CLI_WORKERS) as Array<keyof typeof CLI_WORKERS>;
  const ids: Exclude<ServerId, 'civicgraph-public'>[] = [...children, ...clis];
  const outcomes = await Promise.allSettled([
    ...children.map((id) => {
      const { module, args, env: own } = SERVER_PROCESSES[id](options);
      return startServer(id, module, args, { ...env, ...own }, START_LIMIT_S * 1000);
    }),
    ...clis.map((id) => startCli(id, CLI_WORKERS[id], options.connections, env, START_LIMIT_S * 1000)),
  ]);
  const servers = {} as Servers;
  outcomes.forEach((outcome, index) => {
    const id = ids[index]!;
    if (outcome.status === 'fulfilled') {
      started.push(outcome.value);
      servers[id] = outcome.value;
      log(`${id} listening at ${outcome.value.url} (pid ${outcome.value.cpuPids.join(', ')})`);
    } else {
      const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      servers[id] = { failed: `not available: ${reason}` };
      log(reason);
    }
  });
  servers['civicgraph-public'] = servers.civicgraph;
  return servers;
}

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const options = parsed;

  const started: ServerProcess[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaning ??= Promise.allSettled(started.map((server) => server.stop())).then(() => undefined));
  const abort = (why: string, code: number) => () => {
    log(`${why}: stopping the servers`);
    void cleanup().then(() => process.exit(code));
  };
  process.once('SIGINT', abort('interrupted', 130));
  process.once('SIGTERM', abort('terminated', 143));
  const budget = timeBudgetSeconds(options);
  const watchdog = setTimeout(abort(`over the time limit of ${budget} s`, 2), budget * 1000);
  watchdog.unref();

  try {
    await ensureDemoDatabases(log);
    await prepareCredentials();
    const servers = await startServers(started, options);
    const rows: Row[] = [];
    let turns: Results['turns'] = {};
    for (const query of QUERIES) {
      const measured = await benchQuery(query, servers, options, log);
      rows.push(...measured.rows);
      turns = { ...turns, ...measured.turns };
    }
    log('Q2: counting source queries per request at page sizes 10, 100, 1,000 …');
    const pageSizes = await probePageSizes(servers, options);
    const results: Results = { rows, turns, pageSizes, machine: await describeMachine(), options };
    console.log(consoleReport(results));
    const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
    // The soak's section is the soak's to write (bench/soak.ts).
    const soak = soakSection(await readFile(path, 'utf8').catch(() => ''));
    await writeFile(path, withSection(markdownReport(results), soak));
    log(`written to ${path}`);
    return 0;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
