/**
 * `civicgraph`: serve mappings, serve the demo, validate mappings, draft a mapping from a live system,
 * write a mapping's declared types as SDL, sign a token for a role, profile the datasets' quality.
 * Every command prints problems as `file:line:column: severity: key: message`.
 */
import { Command, InvalidArgumentError } from 'commander';
import cluster from 'node:cluster';
import { appendFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { prepareDemo } from '../demo/prepare.js';
import { serve, type RunningGateway } from '../gateway/serve.js';
import { embeddedSourceFiles, runPrimary } from '../gateway/workers.js';
import { serviceLog, type Log } from '../observe/log.js';
import { startTracing } from '../observe/tracing.js';
import { demoCredentials } from '../request/demo-credentials.js';
import type { SourceKind } from '../config/mapping.js';
import { introspect, KINDS } from './introspect.js';
import { privacyReport } from './privacy-report.js';
import { quality } from './quality.js';
import { sdl } from './sdl.js';
import { token } from './token.js';
import { validate } from './validate.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The service log of `serve` and `demo`; the other commands print plain text for the person who ran them. */
const gatewayLog = (): Log => serviceLog({ level: process.env.CIVICGRAPH_LOG_LEVEL });

function workerCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256) throw new InvalidArgumentError('workers is a whole number from 1 to 256');
  return count;
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

/** Audit lines go to the file CIVICGRAPH_AUDIT_LOG names, else to standard output, one JSON object a line. */
function auditSink(): (line: string) => void {
  const file = process.env.CIVICGRAPH_AUDIT_LOG;
  return file ? (line) => appendFileSync(file, `${line}\n`) : (line) => process.stdout.write(`${line}\n`);
}

interface RunOptions {
  connectors: string;
  schemas: string;
  port: number;
  host: string;
  watch: boolean;
}

/**
 * `serve --workers N`: past one worker, this process forks them and serves nothing itself
 * (src/gateway/workers.ts). An embedded database can be opened by one process only: with one,
 * the default number of workers becomes one, and an explicit number over one is refused.
 */
async function serveWorkers(options: RunOptions & { workers: number }, workersGiven: boolean, log: Log = gatewayLog()): Promise<void> {
  if (options.workers > 1 && cluster.isPrimary) {
    const [embedded] = await embeddedSourceFiles(resolve(options.connectors), resolve(options.schemas), process.env);
    if (embedded && workersGiven) throw new Error(`${embedded}: a pglite source is an embedded database only one process may open: serve it with --workers 1`);
    if (embedded) {
      log(`${embedded}: a pglite source is an embedded database only one process may open: serving from one process`);
      options.workers = 1;
    }
  }
  if (options.workers === 1 || cluster.isWorker) {
    await run(options, log);
    return;
  }
  const code = await runPrimary({
    workers: options.workers,
    log,
    sharedRedis: Boolean(process.env.CIVICGRAPH_REDIS_URL?.trim()),
    onListening: (url) => process.stdout.write(`CivicGraph is serving GraphQL at ${url} with ${options.workers} workers\n`),
  });
  process.exit(code);
}

async function run(options: RunOptions, log: Log = gatewayLog()): Promise<RunningGateway> {
  // Before anything is served, so that a bad OTEL_* value stops the start and every request is traced.
  const tracing = startTracing(log);
  const worker = cluster.isWorker ? cluster.worker!.id : undefined;
  const running = await serve({
    audit: auditSink(),
    connectorsDir: resolve(options.connectors),
    schemasDir: resolve(options.schemas),
    port: options.port,
    host: options.host,
    watch: options.watch,
    // Each line carries its process's pid, which tells the workers apart.
    log,
    ...(worker !== undefined ? { worker } : {}),
  });
  // The primary says where the workers serve, once.
  if (worker === undefined) {
    process.stdout.write(`CivicGraph is serving GraphQL at ${running.url}\n`);
    process.stdout.write(`The liaisons' console is at ${new URL('/console', running.url).href} (sign in with a liaison token)\n`);
  }
  // Requests in flight finish first (up to CIVICGRAPH_SHUTDOWN_TIMEOUT_MS). A second signal
  // finds no handler, so it ends the process at once: the way out of a drain one will not wait for.
  const stop = (): void => {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    log('stopping');
    running
      .stop()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log(`stopping failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return running;
}

/**
 * Secrets the demo needs when the environment gives none. They are published in this file,
 * so they protect nothing: a real deployment sets its own (`serve` never invents them).
 */
const DEMO_SECRETS = {
  CIVICGRAPH_JWT_SECRET: 'civicgraph-demo-jwt-secret-do-not-use-in-production',
  CIVICGRAPH_APP_TOKENS: 'demo-app-token',
  CIVICGRAPH_PSEUDONYM_KEY: 'civicgraph-demo-pseudonym-key',
};

async function printDemoCredentials(running: RunningGateway): Promise<void> {
  const credentials = await demoCredentials(running.gateway.roles, running.gateway.departments);
  process.stdout.write('\nDemo credentials (each role sees the data differently; anonymous requests are public):\n');
  for (const { role, header, value } of credentials) process.stdout.write(`  ${role.padEnd(36)} ${header}: ${value}\n`);
}

const program = new Command('civicgraph').description('A GraphQL gateway over a city\'s departmental systems.');
const port = process.env.PORT ?? '4000';
const host = process.env.HOST ?? '0.0.0.0';

program
  .command('serve')
  .description('serve the connector mappings in --connectors against the public schema in --schemas')
  .option('--connectors <dir>', 'folder of connector mapping files', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .option('--port <port>', 'HTTP port (env PORT)', portNumber, portNumber(port))
  .option('--host <host>', 'interface to listen on (env HOST)', host)
  .option('--no-watch', 'do not reload mappings and the public schema when their files change')
  .option('--workers <n>', 'processes serving the port (default: the number of cores); share rate limits and cache through CIVICGRAPH_REDIS_URL', workerCount, availableParallelism())
  .action(async (options: Parameters<typeof serveWorkers>[0], command: Command) => {
    await serveWorkers(options, command.getOptionValueSource('workers') !== 'default');
  });

program
  .command('demo')
  .description('generate the demo departmental systems (first run only) and serve them')
  .option('--port <port>', 'HTTP port (env PORT)', portNumber, portNumber(port))
  .option('--host <host>', 'interface to listen on (env HOST)', host)
  .action(async (options: { port: number; host: string }) => {
    for (const [name, value] of Object.entries(DEMO_SECRETS)) process.env[name] ||= value;
    const log = gatewayLog();
    await prepareDemo(resolve(projectRoot, '.civicgraph/demo'), { log });
    const running = await run({ connectors: resolve(projectRoot, 'connectors'), schemas: resolve(projectRoot, 'schemas'), watch: true, ...options }, log);
    await printDemoCredentials(running);
  });

program
  .command('validate')
  .description('check connector mappings; exits non-zero when any has an error')
  .option('--connectors <dir>', 'folder of connector mapping files', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .option('--offline', 'check the files only, without connecting to the sources')
  .action(async (options: { connectors: string; schemas: string; offline?: boolean }) => {
    process.exitCode = await validate({ connectorsDir: resolve(options.connectors), schemasDir: resolve(options.schemas), offline: options.offline ?? false });
  });

program
  .command('token')
  .description('print a bearer token for a role, signed with the HS256 secret the gateway verifies with (CIVICGRAPH_JWT_SECRET)')
  .requiredOption('--role <role>', 'a role of roles.yaml, e.g. staff')
  .option('--department <name>', 'for a per-department role: the department, as the mapping files name it (e.g. "Public Works")')
  .option('--subject <name>', 'who will use the token, for audit lines and rate limits (default: token:<role>)')
  .option('--expires <period>', 'how long the token holds: 8h, 30m, 7 days', '8h')
  .option('--connectors <dir>', 'folder of roles.yaml and the mapping files', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .action(async (options: { role: string; department?: string; subject?: string; expires: string; connectors: string; schemas: string }) => {
    process.exitCode = await token({
      role: options.role,
      expires: options.expires,
      ...(options.department !== undefined ? { department: options.department } : {}),
      ...(options.subject !== undefined ? { subject: options.subject } : {}),
      connectorsDir: resolve(options.connectors),
      schemasDir: resolve(options.schemas),
    });
  });

program
  .command('privacy-report')
  .description('write, for every dataset, the matrix of field × role with what each role sees, as Markdown and HTML, for review and sign-off')
  .option('--connectors <dir>', 'folder of connector mapping files and roles.yaml', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .option('--out <dir>', 'folder to write privacy-report.md and privacy-report.html into', '.')
  .action(async (options: { connectors: string; schemas: string; out: string }) => {
    process.exitCode = await privacyReport({ connectorsDir: resolve(options.connectors), schemasDir: resolve(options.schemas), outDir: resolve(options.out) });
  });

program
  .command('quality')
  .description("print each dataset's quality profile, as its department's liaison reads it: nulls, distinct values and extremes per field, untranslated codes, impossible dates, addresses that do not normalise, repeated keys, join match rates, records per month; computed by the sources")
  .argument('[mapping-or-dataset]', 'a mapping file, a mapping name (crm-311) or a dataset type (ServiceRequest); default: every dataset')
  .option('--json', 'print the profiles as JSON')
  .option('--connectors <dir>', 'folder of connector mapping files and roles.yaml', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .action(async (target: string | undefined, options: { json?: boolean; connectors: string; schemas: string }) => {
    process.exitCode = await quality({
      ...(target !== undefined ? { target } : {}),
      json: options.json ?? false,
      connectorsDir: resolve(options.connectors),
      schemasDir: resolve(options.schemas),
    });
  });

program
  .command('introspect')
  .description('draft a connector mapping from a live system: every column, typed, matched to a public type, hidden from the public until you decide; exits 2 when a table is left out')
  .argument('<kind>', `the kind of system: ${KINDS.join(', ')}`)
  .argument('<connection>', 'a URL or path, or (better for URLs with passwords) the name of the environment variable that holds it')
  .option('--name <name>', 'the connector name, lowercase (e.g. permits-api)')
  .option('--table <tables...>', 'the tables, collections, files or API endpoints to read (default: every one the system lists)')
  .option('--type <pairs...>', 'table=Type: the public type a table fills, where the guess would be wrong or none is made')
  .option('--header <pairs...>', 'rest: Header-Name=VARIABLE, the header value read from that environment variable')
  .option('--records <path>', 'rest: where the records sit in a response (e.g. data.items)')
  .option('--delimiter <char>', 'csv: the field delimiter')
  .option('--encoding <encoding>', 'csv: utf8, utf16le or latin1')
  .option('--no-csv-header', 'csv: the files have no header line')
  .option('--out <file>', 'write the draft here (default: standard output)')
  .option('--force', 'overwrite --out if it exists')
  .option('--connectors <dir>', 'folder of roles.yaml (for the public role\'s name)', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .action(
    async (
      kind: string,
      connection: string,
      options: { name?: string; table?: string[]; type?: string[]; header?: string[]; records?: string; delimiter?: string; encoding?: string; csvHeader: boolean; out?: string; force?: boolean; connectors: string; schemas: string },
    ) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new InvalidArgumentError(`kind must be one of ${KINDS.join(', ')}`);
      const csv: Record<string, unknown> = {};
      if (options.delimiter !== undefined) csv.delimiter = options.delimiter;
      if (options.encoding !== undefined) csv.encoding = options.encoding;
      if (!options.csvHeader) csv.header = false;
      process.exitCode = await introspect({
        kind: kind as SourceKind,
        connection,
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.table ? { tables: options.table } : {}),
        ...(options.type ? { types: options.type } : {}),
        ...(options.header ? { headers: options.header } : {}),
        ...(options.records !== undefined ? { records: options.records } : {}),
        ...(options.out !== undefined ? { out: options.out } : {}),
        csv,
        force: options.force ?? false,
        schemasDir: resolve(options.schemas),
        connectorsDir: resolve(options.connectors),
      });
    },
  );

program
  .command('sdl')
  .description('write the public types a mapping declares (its types:) as SDL, for the city to adopt into schemas/')
  .argument('<mapping>', 'the mapping file, e.g. connectors/code-compliance.yaml')
  .option('--type <name>', 'only this declared type')
  .option('--out <file>', 'write the SDL here, e.g. schemas/code-cases.graphql (default: standard output)')
  .option('--connectors <dir>', 'folder of roles.yaml', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .action(async (mapping: string, options: { type?: string; out?: string; connectors: string; schemas: string }) => {
    process.exitCode = await sdl({
      mapping,
      ...(options.type !== undefined ? { type: options.type } : {}),
      ...(options.out !== undefined ? { out: options.out } : {}),
      connectorsDir: resolve(options.connectors),
      schemasDir: resolve(options.schemas),
    });
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`civicgraph: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
